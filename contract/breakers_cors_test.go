package contract_test

import (
	"net/http"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// The origins of the runs against a mock that restricts origins: the
// page's, which it allows, and one it refuses.
const (
	testPageOrigin    = "http://127.0.0.1:5173"
	testRefusedOrigin = "https://evil.example"
)

// restrictOrigins makes opts (nil: a fast looping replay) those of a mock
// that allows testPageOrigin alone.
func restrictOrigins(opts *mockserver.Options) *mockserver.Options {
	if opts == nil {
		opts = replaying(50)
	}
	o := *opts
	o.AllowedOrigins = []string{testPageOrigin}
	return &o
}

// withOrigins gives a run against such a mock the two origins.
func withOrigins(opts *contract.Options) *contract.Options {
	var o contract.Options
	if opts != nil {
		o = *opts
	}
	o.Origin, o.ForbiddenOrigin = testPageOrigin, testRefusedOrigin
	return &o
}

func isPreflight(r *http.Request) bool { return isPush(r) && r.Method == http.MethodOptions }

// onPreflightAnswers rewrites the answers to OPTIONS on the push path.
func onPreflightAnswers(fix func(r *http.Request, b *bufferedWriter)) func(next http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return rewrite(next, func(r *http.Request, b *bufferedWriter) {
			if isPreflight(r) {
				fix(r, b)
			}
		})
	}
}

// withAllowList are the checks whose breakages run against a mock that
// restricts origins (see breakage.setup).
var withAllowList = map[string]bool{"CORS-005": true}

// corsBreakages break docs/protocol.md §4.1, one rule each.
func corsBreakages() []breakage {
	return []breakage{
		{id: "CORS-001", name: "preflights answered 405, as before section 4.1", build: wrap(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if isPreflight(r) {
					r = r.Clone(r.Context())
					r.Header.Del(protocol.HeaderOrigin) // the mock then answers as it did
				}
				next.ServeHTTP(w, r)
			})
		}), keyword: "want 204"},
		{id: "CORS-001", name: "Access-Control-Allow-Origin always one fixed origin", build: wrap(onPreflightAnswers(func(r *http.Request, b *bufferedWriter) {
			b.header.Set("Access-Control-Allow-Origin", "https://app.example")
		})), keyword: "want the request's origin"},
		{id: "CORS-001", name: "a preflight without Vary: Origin", build: wrap(onPreflightAnswers(func(r *http.Request, b *bufferedWriter) {
			b.header.Del("Vary")
		})), keyword: "Vary"},
		{id: "CORS-001", name: "Access-Control-Allow-Headers lacks X-API-SecretKey", build: wrap(onPreflightAnswers(func(r *http.Request, b *bufferedWriter) {
			b.header.Set("Access-Control-Allow-Headers", "Content-Type, X-API-AccessToken")
		})), keyword: "x-api-secretkey"},
		{id: "CORS-002", name: "a 202 without Access-Control-Allow-Origin", build: wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isPush(r) && b.status == http.StatusAccepted {
					b.header.Del("Access-Control-Allow-Origin")
				}
			})
		}), keyword: "no Access-Control-Allow-Origin"},
		{id: "CORS-003", name: "push errors without Access-Control-Allow-Origin", build: wrap(func(next http.Handler) http.Handler {
			return rewrite(next, func(r *http.Request, b *bufferedWriter) {
				if isPush(r) && b.status >= 400 {
					b.header.Del("Access-Control-Allow-Origin")
				}
			})
		}), keyword: "no Access-Control-Allow-Origin"},
		{id: "CORS-004", name: "every OPTIONS taken for a preflight", build: lenient(func(r *http.Request) {
			if isPreflight(r) {
				if r.Header.Get(protocol.HeaderOrigin) == "" {
					r.Header.Set(protocol.HeaderOrigin, "https://app.example")
				}
				if r.Header.Get("Access-Control-Request-Method") == "" {
					r.Header.Set("Access-Control-Request-Method", http.MethodPost)
				}
			}
		}), keyword: "want 405"},
		{id: "CORS-005", name: "the allow-list ignored on preflights", build: lenient(func(r *http.Request) {
			if isPreflight(r) && r.Header.Get(protocol.HeaderOrigin) == testRefusedOrigin {
				r.Header.Set(protocol.HeaderOrigin, testPageOrigin)
			}
		}), keyword: "want 403"},
		{id: "CORS-005", name: "a refused preflight carries Access-Control-Allow-Origin", build: wrap(onPreflightAnswers(func(r *http.Request, b *bufferedWriter) {
			if b.status == http.StatusForbidden {
				b.header.Set("Access-Control-Allow-Origin", r.Header.Get(protocol.HeaderOrigin))
			}
		})), keyword: "no Access-Control-Allow-* header"},
		{id: "CORS-005", name: "joins from a refused origin accepted", build: lenient(func(r *http.Request) {
			if isJoin(r) && r.Header.Get(protocol.HeaderOrigin) == testRefusedOrigin {
				r.Header.Del(protocol.HeaderOrigin)
			}
		}), keyword: "the join was accepted"},
	}
}
