package contract_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestCORSNoFalseFailures guards the verdicts of the CORS checks (and of
// the suite under --origin) against targets that docs/protocol.md allows: one
// that restricts origins, judged with and without the origins it allows
// and refuses, and one that answers every origin with "*".
func TestCORSNoFalseFailures(t *testing.T) {
	t.Parallel()
	star := func(next http.Handler) http.Handler {
		return rewrite(next, func(r *http.Request, b *bufferedWriter) {
			if b.header.Get("Access-Control-Allow-Origin") != "" {
				b.header.Set("Access-Control-Allow-Origin", "*")
				b.header.Set("Access-Control-Allow-Headers", "*")
			}
		})
	}
	// refusePushes refuses every push from an origin off the allow-list,
	// as a target that restricts origins may.
	refusePushes := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if o := r.Header.Get("Origin"); isPush(r) && r.Method == http.MethodPost && o != "" && o != testPageOrigin {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write(protocol.NewErrorBody(protocol.CodeForbiddenOrigin, "origin not allowed"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	refusedOrigin := map[string]string{
		"CORS-001": "the target refuses the checks' origin (--origin)",
		"CORS-002": "the target refuses the checks' origin (--origin)",
		"CORS-003": "the target refuses the checks' origin (--origin)",
		"CORS-005": "no refused origin given (--forbidden-origin)",
	}
	for _, tc := range []struct {
		name      string
		allowList bool
		origins   bool
		wrap      func(http.Handler) http.Handler
		run       string
		// skipped are the checks that must skip, with their cause.
		skipped map[string]string
	}{
		{name: "an allow-list, the suite from an allowed origin", allowList: true, origins: true,
			run: `^(HS|AUTH|JOIN|SESS|PUSH|CORS|ISO|LIVE|SCHEMA)-`},
		{name: "an allow-list, no origins given", allowList: true, run: `^CORS-`, skipped: refusedOrigin},
		{name: "an allow-list that refuses pushes too, no origins given", allowList: true, wrap: refusePushes, run: `^CORS-`, skipped: refusedOrigin},
		{name: "every origin answered with *", wrap: star, run: `^CORS-`, skipped: map[string]string{
			"CORS-005": "no refused origin given (--forbidden-origin)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mopts, opts := replaying(10), &contract.Options{Observe: testObserve, Run: regexp.MustCompile(tc.run)}
			if tc.allowList {
				mopts = restrictOrigins(mopts)
			}
			if tc.origins {
				opts = withOrigins(opts)
			}
			m := mocktest.Start(t, mopts)
			url := m.URL
			if tc.wrap != nil {
				srv := httptest.NewServer(tc.wrap(m.Handler()))
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			rep, err := contract.Run(t.Context(), mockTarget(url), opts)
			require.NoError(t, err)
			cors := 0
			for _, res := range rep.Results {
				if strings.HasPrefix(res.ID, "CORS-") {
					cors++
				}
				if cause, ok := tc.skipped[res.ID]; ok {
					assert.Equal(t, contract.StatusSkip, res.Status, "%s: %s", res.ID, res.Reason)
					assert.Equal(t, cause, res.Cause, res.ID)
					continue
				}
				assert.Equal(t, contract.StatusPass, res.Status, "%s: %s", res.ID, res.Reason)
			}
			assert.Equal(t, 5, cors, "every CORS check ran")
			t.Logf("%d checks: %d passed, %d skipped", len(rep.Results), rep.Summary.Passed, rep.Summary.Skipped)
			assert.True(t, rep.Passed())
		})
	}
}
