package load

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
)

// stormSubs is the size of the reconnect-storm measurement; 0 skips it.
var stormSubs = flag.Int("storm", 0, "measure the join rate of a reconnect storm of this many subscriptions, with and without jitter (BENCHMARKS.md), best alone")

// TestStormJoinRate measures what the backoff's jitter spares a server:
// the in-process mock holds *stormSubs idle subscriptions, ends them all
// at once (Disconnect), and reports the peak join rate it saw while they
// came back (Stats.PeakJoinRate, the busiest tenth of a second) and how
// long they took, with jitter and without (Options.NoBackoffJitter), for
// two spreads of the rejoins: the time the first joins take at
// ConnectRate 2,000/s (1 s, the driver's rule), and BackoffBase alone
// (100 ms, as before the rule; a ConnectRate of 10^6/s makes the ramp
// too short to count). The configurations alternate over the repeats so
// that they share the machine's load. It asserts only that every
// subscription came back; the figures go to BENCHMARKS.md.
func TestStormJoinRate(t *testing.T) {
	if *stormSubs <= 0 {
		t.Skip("a measurement with thousands of sessions: run it alone with -args -storm 2000")
	}
	if raceEnabled {
		t.Skip("a measurement: run it without -race")
	}
	type config struct {
		connectRate float64
		noJitter    bool
	}
	configs := []config{{2000, false}, {2000, true}, {1e6, false}, {1e6, true}}
	type figures struct{ peak, ends, p50, p99, max []float64 }
	got := make([]figures, len(configs))
	const repeats = 3
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	for range repeats {
		for i, c := range configs {
			peak, ends, rj := oneStorm(t, srv.Server, *stormSubs, c.connectRate, c.noJitter)
			g := &got[i]
			g.peak = append(g.peak, peak)
			g.ends = append(g.ends, float64(ends)/float64(time.Millisecond))
			g.p50 = append(g.p50, float64(rj.Time.P50Us)/1e3)
			g.p99 = append(g.p99, float64(rj.Time.P99Us)/1e3)
			g.max = append(g.max, float64(rj.Time.MaxUs)/1e3)
		}
	}
	t.Logf("%d subscriptions, medians of %d storms: rejoin spread | jitter | mock's peak join rate (/s, busiest 100 ms) | all closes counted (ms) | rejoin p50 | p99 | max (ms)", *stormSubs, repeats)
	for i, c := range configs {
		g := got[i]
		jitter := "full"
		if c.noJitter {
			jitter = "none"
		}
		spread := (&joiners{opts: &Options{ConnectRate: c.connectRate, BackoffBase: DefaultBackoffBase, BackoffMax: DefaultBackoffMax}, subs: make([]*subscription, *stormSubs)}).rejoinBase()
		t.Logf("| %v | %s | %.0f | %.0f | %.0f | %.0f | %.0f |", spread, jitter, median(g.peak), median(g.ends), median(g.p50), median(g.p99), median(g.max))
	}
}

// oneStorm holds subs idle subscriptions on srv, disconnects them all,
// waits until they are back and returns the mock's peak join rate over
// the rejoins, how long the mock took to count every close (the close
// handshakes done), and the run's rejoin figures.
func oneStorm(t *testing.T, srv *mockserver.Server, subs int, connectRate float64, noJitter bool) (float64, time.Duration, loadresult.Rejoins) {
	t.Helper()
	d, err := New(srv.URL, demo, &Options{
		Subscriptions: subs, ConnectRate: connectRate, Idle: true, Duration: 10 * time.Minute, NoBackoffJitter: noJitter,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *Result, 1)
	go func() { // waited for below
		res, err := d.Run(ctx)
		assert.NoError(t, err)
		done <- res
	}()
	waitLive(t, d, "every subscription held", func(l Live) bool { return l.Phase == loadresult.PhaseHolding && l.Open == int64(subs) })
	srv.ResetStats()
	at := time.Now()
	n, err := srv.Disconnect(0, "")
	require.NoError(t, err)
	require.Equal(t, subs, n)
	waitLive(t, d, "every close counted", func(Live) bool { return srv.Stats().Closes[mockserver.DefaultDisconnectCode] == uint64(subs) })
	ends := time.Since(at)
	waitLive(t, d, "every subscription back", func(l Live) bool { return l.Reconnects == int64(subs) && l.Open == int64(subs) })
	peak := srv.Stats().PeakJoinRate
	cancel()
	res := <-done
	require.NotNil(t, res.Rejoins)
	require.Equal(t, uint64(subs), res.Rejoins.Back, fmt.Sprintf("connect rate %v, no jitter %v", connectRate, noJitter))
	return peak, ends, *res.Rejoins
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
