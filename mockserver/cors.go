package mockserver

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// CORS of the push endpoint (PROTOCOL.md section 4.1): a browser page on
// another origin pushes with the X-API-* headers, which makes the browser
// send a preflight first and hide every answer that lacks
// Access-Control-Allow-Origin from the page.
const (
	// CORSMaxAge is how long a browser may cache the answer to a
	// preflight (Access-Control-Max-Age).
	CORSMaxAge = 10 * time.Minute
	// CORSAllowHeaders are the request headers a page may send with a
	// push (Access-Control-Allow-Headers).
	CORSAllowHeaders = "Content-Type, " + protocol.HeaderAccessToken + ", " + protocol.HeaderSecretKey
	// CORSExposeHeaders are the response headers beyond the safelisted
	// ones that a page may read: Retry-After of a 429
	// (Access-Control-Expose-Headers).
	CORSExposeHeaders = "Retry-After"
)

// errForbiddenOrigin refuses a join or a preflight from an origin not
// on the allow-list.
var errForbiddenOrigin = newError(http.StatusForbidden, protocol.CodeForbiddenOrigin, "origin not allowed")

// originAllowed reports whether origin passes the allow-list: every
// origin does when there is none.
func (s *Server) originAllowed(origin string) bool {
	return len(s.origins) == 0 || s.origins[strings.ToLower(origin)]
}

// isPreflight reports whether r is a CORS preflight: an OPTIONS request
// with an Origin and an Access-Control-Request-Method. Any other OPTIONS
// request is an ordinary request to the push endpoint, and gets 405.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// servePreflight answers a preflight to the push endpoint, without
// credentials: 204 with the Access-Control-Allow-* headers, or 403
// forbidden_origin without them for an origin not on the allow-list.
// Preflights are not pushes: they are counted in neither Stats nor
// Outcomes.
func (s *Server) servePreflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	if !s.originAllowed(origin) {
		s.reject(w, r, opPreflight, errForbiddenOrigin)
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", http.MethodPost)
	h.Set("Access-Control-Allow-Headers", CORSAllowHeaders)
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(CORSMaxAge/time.Second)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// setPushCORS adds the CORS headers every answer to a push carries, errors
// included, when the request came from a page whose origin may push: a
// page can then read the seq of a 202, and the code of an error.
func (s *Server) setPushCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !s.originAllowed(origin) {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", CORSExposeHeaders)
}
