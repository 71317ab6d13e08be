package load

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
)

// TestReconnectStorm ends every session of a run at once with
// POST /_mock/disconnect: every subscription comes back, and the result
// reports the storm (sessions dropped by close code, rejoin times, joins
// refused on the way, pushes lost with the sessions), in agreement with
// the mock's own counts.
func TestReconnectStorm(t *testing.T) {
	const subs = 60
	base := 50 * time.Millisecond
	for _, tt := range []struct {
		name     string
		refuse   bool // the mock refuses half the joins until a join has been refused
		noJitter bool
	}{
		{name: "disconnect"},
		{name: "joins refused on the way", refuse: true},
		{name: "without jitter", noJitter: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay(), Faults: mockserver.Faults{Latency: 5 * time.Millisecond}})
			d, err := New(srv.URL, demo, &Options{
				Subscriptions: subs, ConnectRate: 2000, PushRate: 100, Duration: mocktest.Scaled(3 * time.Second), Workers: 8,
				BackoffBase: base, BackoffMax: 4 * base, NoBackoffJitter: tt.noJitter, PushTimeout: mocktest.Scaled(time.Second),
				Observer: observe(srv.Server),
			})
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := make(chan *Result, 1)
			go func() { // waited for below
				res, err := d.Run(ctx)
				assert.NoError(t, err)
				done <- res
			}()
			waitLive(t, d, "every subscription open and pushing", func(l Live) bool {
				return l.Phase == loadresult.PhasePushing && l.Open == subs
			})
			if tt.refuse {
				require.NoError(t, srv.SetFaults(mockserver.Faults{RejectJoins: mockserver.Rejection{Share: 0.5, Status: http.StatusServiceUnavailable}}))
			}
			resp, err := http.Post(srv.URL+mockserver.ControlPrefix+"disconnect", "application/json", nil)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusOK, resp.StatusCode)
			if tt.refuse {
				waitLive(t, d, "a join refused", func(l Live) bool { return l.JoinFailures > 0 })
				require.NoError(t, srv.SetFaults(mockserver.Faults{}))
			}
			waitLive(t, d, "every subscription back", func(l Live) bool { return l.Reconnects == subs && l.Open == subs })
			res := <-done

			require.NotNil(t, res.Rejoins, "the storm is reported")
			rj := res.Rejoins
			assert.Equal(t, map[int]uint64{mockserver.DefaultDisconnectCode: subs}, rj.Closes)
			assert.Equal(t, uint64(subs), rj.Back)
			assert.Zero(t, rj.NotBack)
			assert.Equal(t, int64(subs), rj.Time.Count, "one rejoin time per subscription")
			assert.Positive(t, rj.Time.MaxUs)
			assert.Equal(t, res.Subscriptions.JoinFailures, rj.Refused, "every failed join was on the way back")
			if tt.refuse {
				assert.Positive(t, rj.Refused)
			}
			if tt.noJitter { // every wait is the ceiling: no rejoin before it
				assert.GreaterOrEqual(t, rj.Time.MinUs, base.Microseconds())
			}
			assert.Equal(t, subs, res.Subscriptions.OpenAtEnd)
			var closes, rejoins uint64
			for _, iv := range res.Intervals {
				closes, rejoins = closes+iv.Closes, rejoins+iv.Rejoins
			}
			assert.Equal(t, uint64(subs), closes, "the intervals show the storm")
			assert.Equal(t, uint64(subs), rejoins)

			dl := res.Delivery
			assert.True(t, dl.InvariantHolds, dl.Invariant)
			assert.Equal(t, dl.Lost, dl.LostAcrossReconnect, "the pushes lost went with the sessions")
			require.NotNil(t, res.Mock)
			assert.Equal(t, dl.Lost, res.Mock.Dropped, "the mock's drops are the driver's losses")
			st := srv.Stats()
			assert.Equal(t, uint64(1), st.Disconnects)
			assert.Equal(t, uint64(subs), st.Closes[mockserver.DefaultDisconnectCode])
			assert.Positive(t, st.PeakJoinRate)
		})
	}
}

// waitLive waits until cond holds of the run's live figures, failing the
// test after a deadline.
func waitLive(t *testing.T, d *Driver, what string, cond func(Live) bool) {
	t.Helper()
	deadline := time.Now().Add(mocktest.Scaled(20 * time.Second))
	for !cond(d.Live()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v", what, d.Live())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRejoinBase spreads a reconnect storm over the time the first joins
// took at ConnectRate, within BackoffBase and BackoffMax.
func TestRejoinBase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		subs      int
		rate      float64
		base, max time.Duration
		want      time.Duration
	}{
		{"few: BackoffBase", 10, 500, 100 * time.Millisecond, 10 * time.Second, 100 * time.Millisecond},
		{"2,000 at 500/s: 4 s", 2000, 500, 100 * time.Millisecond, 10 * time.Second, 4 * time.Second},
		{"2,000 at 2,000/s: 1 s", 2000, 2000, 100 * time.Millisecond, 10 * time.Second, time.Second},
		{"at most BackoffMax", 100000, 500, 100 * time.Millisecond, 10 * time.Second, 10 * time.Second},
		{"none", 0, 500, 100 * time.Millisecond, 10 * time.Second, 100 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := &joiners{opts: &Options{ConnectRate: tt.rate, BackoffBase: tt.base, BackoffMax: tt.max}, subs: make([]*subscription, tt.subs)}
			assert.Equal(t, tt.want, j.rejoinBase())
		})
	}
}
