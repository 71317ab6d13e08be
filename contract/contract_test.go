package contract_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contract/contracttest"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestAgainstMock runs the suite as subtests: the whole suite against
// WSTRIGGER_TARGET when it is set, the handshake and session checks
// against the mock otherwise.
func TestAgainstMock(t *testing.T) {
	t.Parallel()
	opts := &contract.Options{Observe: testObserve}
	target, ok := envTarget()
	if !ok {
		// TestRunReport runs the whole suite against the mock; here the
		// mock shows the subtests' shape.
		target = mockTarget(mocktest.Start(t, replaying(10)).URL)
		opts.Run = regexp.MustCompile(`^(HS|SESS)-`)
	}
	contracttest.Test(t, target, opts)
}

// TestJoinsWaitForTheSessionLimit: a check's join refused with 429
// too_many_connections (checks side by side fill a low session limit:
// AGG-001 does on purpose) is tried again after the wait, not taken for
// the server's failure; a join refused otherwise still fails the check.
func TestJoinsWaitForTheSessionLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		refusals int // joins refused before one passes
		code     protocol.ErrorCode
		want     contract.Status
	}{
		{"two refusals at the limit", 2, protocol.CodeTooManyConnections, contract.StatusPass},
		{"refused as forbidden", 1 << 30, protocol.CodeForbidden, contract.StatusFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}, QueueSize: 64})
			var refused atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == protocol.JoinPath && refused.Add(1) <= int64(tc.refusals) {
					status := http.StatusTooManyRequests
					if tc.code == protocol.CodeForbidden {
						status = http.StatusForbidden
					}
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					_, _ = w.Write(protocol.NewErrorBody(tc.code, "refused"))
					return
				}
				m.Server.Handler().ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			rep, err := contract.Run(t.Context(), mockTarget(srv.URL), &contract.Options{Run: regexp.MustCompile("^AGG-002$"), Aggressive: true})
			require.NoError(t, err)
			require.Len(t, rep.Results, 1)
			res := rep.Results[0]
			assert.Equal(t, tc.want, res.Status, res.Reason)
			if tc.want == contract.StatusFail {
				assert.Contains(t, res.Reason, "the join was refused with 403 forbidden")
			}
		})
	}
}
