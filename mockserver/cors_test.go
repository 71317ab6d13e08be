package mockserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// The origins of the CORS tests: a page the allow-list admits, in
// another letter case than the list's entry, and one it refuses.
const (
	pageOrigin    = "http://127.0.0.1:5173"
	allowedOrigin = "https://CRM.example.com"
	refusedOrigin = "https://evil.example"
)

// corsHeaders are the headers of PROTOCOL.md section 4.1 that an answer
// either carries or, refused, must not carry.
var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers",
}

// TestCORS covers PROTOCOL.md section 4.1 on the push endpoint: the
// preflight, the headers of every push answer, OPTIONS requests that are
// not preflights, and the origin allow-list. Every answer is validated
// against the OpenAPI document.
func TestCORS(t *testing.T) {
	t.Parallel()
	open := startServer(t, nil)
	listed := startServer(t, &Options{AllowedOrigins: []string{"https://crm.example.com"}})
	_, openSess := join(t, open, "{}")
	_, listedSess := join(t, listed, "{}")
	c := httpClient(t)

	preflight := http.Header{
		"Access-Control-Request-Method":  {http.MethodPost},
		"Access-Control-Request-Headers": {"content-type,x-api-accesstoken,x-api-secretkey"},
	}
	const wrong = "wrong"
	cases := []struct {
		name   string
		srv    *Server
		method string
		path   string
		origin string
		header http.Header
		// session to push to ("" for none) and whose credentials: wrong
		// secret when creds is "wrong".
		session, creds string
		status         int
		code           protocol.ErrorCode
		// allowOrigin is the Access-Control-Allow-Origin wanted; empty:
		// no CORS header at all.
		allowOrigin string
	}{
		{name: "preflight from any origin", srv: open, method: http.MethodOptions, origin: pageOrigin, header: preflight, status: 204, allowOrigin: pageOrigin},
		{name: "preflight from a file: page", srv: open, method: http.MethodOptions, origin: "null", header: preflight, status: 204, allowOrigin: "null"},
		{name: "preflight from a listed origin, any case", srv: listed, method: http.MethodOptions, origin: allowedOrigin, header: preflight, status: 204, allowOrigin: allowedOrigin},
		{name: "preflight from an unlisted origin", srv: listed, method: http.MethodOptions, origin: refusedOrigin, header: preflight, status: 403, code: protocol.CodeForbiddenOrigin},
		{name: "OPTIONS without Origin", srv: open, method: http.MethodOptions, header: preflight, status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "OPTIONS without Access-Control-Request-Method", srv: open, method: http.MethodOptions, origin: pageOrigin, status: 405, code: protocol.CodeMethodNotAllowed, allowOrigin: pageOrigin},
		{name: "preflight to the join", srv: open, method: http.MethodOptions, path: protocol.JoinPath, origin: pageOrigin, header: preflight, status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "202 from a page", srv: open, method: http.MethodPost, origin: pageOrigin, session: openSess.Session, status: 202, allowOrigin: pageOrigin},
		{name: "401 from a page", srv: open, method: http.MethodPost, origin: pageOrigin, session: openSess.Session, creds: wrong, status: 401, code: protocol.CodeUnauthorized, allowOrigin: pageOrigin},
		{name: "400 from a page", srv: open, method: http.MethodPost, origin: pageOrigin, status: 400, code: protocol.CodeMissingSession, allowOrigin: pageOrigin},
		{name: "405 from a page", srv: open, method: http.MethodPut, origin: pageOrigin, status: 405, code: protocol.CodeMethodNotAllowed, allowOrigin: pageOrigin},
		{name: "202 without Origin", srv: open, method: http.MethodPost, session: openSess.Session, status: 202},
		{name: "202 from a listed origin", srv: listed, method: http.MethodPost, origin: allowedOrigin, session: listedSess.Session, status: 202, allowOrigin: allowedOrigin},
		{name: "a push from an unlisted origin gets no CORS headers", srv: listed, method: http.MethodPost, origin: refusedOrigin, session: listedSess.Session, status: 202},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			creds := demo
			if tt.creds == wrong {
				creds.SecretKey = wrong
			}
			req := pushRequest(t, tt.srv, tt.session, creds, `{"from":"a page"}`)
			req.Method = tt.method
			if tt.method == http.MethodOptions { // a preflight carries no credentials and no body
				req = pushRequest(t, tt.srv, "", demo, "")
				req.Method, req.Header, req.Body, req.ContentLength = tt.method, http.Header{}, http.NoBody, 0
			}
			if tt.path != "" {
				req.URL.Path = tt.path
			}
			for k, vs := range tt.header {
				req.Header[k] = vs
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, body := do(t, c, req)
			require.Equal(t, tt.status, resp.StatusCode, "body %s", body)
			if tt.code != "" {
				assert.Equal(t, tt.code, errorCode(t, body))
			}
			h := resp.Header
			if tt.allowOrigin == "" {
				for _, k := range corsHeaders {
					assert.Empty(t, h.Values(k), k)
				}
				return
			}
			assert.Equal(t, []string{tt.allowOrigin}, h.Values("Access-Control-Allow-Origin"))
			assert.Contains(t, h.Values("Vary"), "Origin")
			if tt.status == http.StatusNoContent {
				assert.Empty(t, body)
				assert.Equal(t, http.MethodPost, h.Get("Access-Control-Allow-Methods"))
				assert.Equal(t, "Content-Type, X-API-AccessToken, X-API-SecretKey", h.Get("Access-Control-Allow-Headers"))
				assert.Equal(t, "600", h.Get("Access-Control-Max-Age"))
				return
			}
			assert.Equal(t, "Retry-After", h.Get("Access-Control-Expose-Headers"))
		})
	}
}

// TestPreflightsAreNotPushes: a preflight, answered or refused, counts
// neither as a push nor as a rejected join.
func TestPreflightsAreNotPushes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{AllowedOrigins: []string{pageOrigin}})
	c := httpClient(t)
	for _, origin := range []string{pageOrigin, refusedOrigin} {
		req, err := http.NewRequest(http.MethodOptions, srv.URL+protocol.PushPath, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		resp, body := do(t, c, req)
		assert.Contains(t, []int{http.StatusNoContent, http.StatusForbidden}, resp.StatusCode, string(body))
	}
	joins, pushes := srv.Outcomes()
	for o, n := range joins {
		assert.Zero(t, n, "join %v", o)
	}
	for o, n := range pushes {
		assert.Zero(t, n, "push %v", o)
	}
}

// TestCORSConstants keeps the headers the preflight allows in step with
// the protocol's header names.
func TestCORSConstants(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"Content-Type", protocol.HeaderAccessToken, protocol.HeaderSecretKey} {
		assert.True(t, strings.Contains(CORSAllowHeaders, h), h)
	}
}
