package load

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// observe reads srv's counters in-process, as the command does for the
// embedded mock.
func observe(srv *mockserver.Server) Observer {
	return func(context.Context) (mockapi.Stats, error) { return srv.Stats(), nil }
}

// pathLog is an http.Handler that counts the paths of the requests it
// passes on.
type pathLog struct {
	next  http.Handler
	mu    sync.Mutex
	paths map[string]int
}

func (l *pathLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.paths[r.Method+" "+r.URL.Path]++
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

func (l *pathLog) counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.paths)
}

// startLoggedMock serves the real mock's handler (control API on, so it
// invites a reader of its counters on every join) behind a pathLog.
func startLoggedMock(t *testing.T) (*mockserver.Server, *httptest.Server, *pathLog) {
	t.Helper()
	srv := startMock(t, &mockserver.Options{Recording: noReplay()})
	log := &pathLog{next: srv.Handler(), paths: map[string]int{}}
	ts := httptest.NewServer(log)
	t.Cleanup(ts.Close)
	return srv, ts, log
}

// TestRunSendsNothingOutsideTheAPI runs the driver against a server
// that logs every request path: without an Observer it sends joins and
// pushes only, though the mock behind invites more; with one, the
// counters are read as the Observer reads them, and nothing else.
func TestRunSendsNothingOutsideTheAPI(t *testing.T) {
	const (
		join  = http.MethodGet + " " + protocol.JoinPath
		push  = http.MethodPost + " " + protocol.PushPath
		stats = http.MethodGet + " " + mockapi.StatsPath
	)
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
			got := log.counts()
			for _, w := range tc.want {
				assert.Positive(t, got[w], "%s: %v", w, got)
			}
			for line := range got {
				assert.Contains(t, []string{join, push, stats}, line, "a request outside the API")
			}
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
	srv := startMock(t, &mockserver.Options{Recording: noReplay()})
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
