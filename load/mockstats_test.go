package load

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/internal/reqlog"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// observe reads srv's counters in-process, as the command does for the
// embedded mock.
func observe(srv *mockserver.Server) Observer {
	return func(context.Context) (mockapi.Stats, error) { return srv.Stats(), nil }
}

// startLoggedMock serves the real mock's handler (control API on, so it
// invites a reader of its counters on every join) behind a pathLog.
func startLoggedMock(t *testing.T) (*mockserver.Server, *httptest.Server, *reqlog.Log) {
	t.Helper()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	log := reqlog.New(srv.Handler())
	ts := httptest.NewServer(log)
	t.Cleanup(ts.Close)
	return srv.Server, ts, log
}

// TestRunSendsNothingOutsideTheAPI runs the driver against a server
// that logs every request path: without an Observer it sends joins and
// pushes only, though the mock behind invites more; with one, the
// counters are read as the Observer reads them, and nothing else.
func TestRunSendsNothingOutsideTheAPI(t *testing.T) {
	const join, push, stats = reqlog.Join, reqlog.Push, reqlog.MockStats
	cases := []struct {
		name     string
		idle     bool
		observer func(srv *mockserver.Server, ts *httptest.Server) Observer
		want     []string // the request lines expected, each at least once
		stats    int      // GET /_mock/stats requests expected
	}{
		{name: "no observer", want: []string{join, push}},
		{name: "no observer, idle", idle: true, want: []string{join}},
		{name: "in-process observer", want: []string{join, push},
			observer: func(srv *mockserver.Server, _ *httptest.Server) Observer { return observe(srv) }},
		{name: "observer over HTTP", want: []string{join, push, stats}, stats: 2,
			observer: func(_ *mockserver.Server, ts *httptest.Server) Observer {
				return func(ctx context.Context) (mockapi.Stats, error) { return mockapi.FetchStats(ctx, ts.Client(), ts.URL) }
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, ts, log := startLoggedMock(t)
			opts := &Options{Subscriptions: 4, ConnectRate: 1000, PushRate: 40, Duration: 300 * time.Millisecond, Workers: 4, Idle: tc.idle}
			if tc.observer != nil {
				opts.Observer = tc.observer(srv, ts)
			}
			res, err := Run(context.Background(), ts.URL, demo, opts)
			require.NoError(t, err)
			require.Equal(t, 4, res.Subscriptions.Joined)
			got := log.Counts()
			for _, w := range tc.want {
				assert.Positive(t, got[w], "%s: %v", w, got)
			}
			assert.Empty(t, log.Except(join, push, stats), "requests outside the API")
			assert.Equal(t, tc.stats, got[stats])
			if tc.observer == nil {
				assert.Nil(t, res.Mock, "no reconciliation without an Observer")
				return
			}
			require.NotNil(t, res.Mock)
			assert.True(t, res.Mock.Match, "%v", res.Mock.Notes)
			assert.Equal(t, res.Pushes.Accepted, res.Mock.Pushes202)
			assert.Equal(t, uint64(4), res.Mock.Joins)
		})
	}
}

// TestObserverFailureLeavesNoReconciliation: an Observer that fails
// (a target that stopped serving its counters) costs the run nothing
// but Result.Mock.
func TestObserverFailureLeavesNoReconciliation(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	calls := 0
	res, err := Run(context.Background(), srv.URL, demo, &Options{
		Subscriptions: 2, PushRate: 20, Duration: 200 * time.Millisecond, Workers: 2,
		Observer: func(ctx context.Context) (mockapi.Stats, error) {
			calls++
			_, ok := ctx.Deadline()
			assert.True(t, ok, "each call is bounded")
			return mockapi.Stats{}, context.DeadlineExceeded
		},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls, "before and after the run")
	assert.Nil(t, res.Mock)
	assert.Equal(t, 2, res.Subscriptions.Joined)
}
