package load

import (
	"bytes"
	"context"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
)

var demo = mocktest.Demo

// TestRunDeliversExactlyOnce runs a small load against the mock and
// checks that every push arrives once and the books balance.
func TestRunDeliversExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Speed: mockserver.DefaultSpeed})
	var intervals int
	res, err := Run(context.Background(), srv.URL, demo, &Options{
		Subscriptions: 50, ConnectRate: 1000, PushRate: 200, Duration: 2 * time.Second,
		Warmup: 200 * time.Millisecond, Workers: 16, Observer: observe(srv.Server),
		OnInterval: func(Interval) { intervals++ },
	})
	require.NoError(t, err)
	assert.False(t, res.Interrupted, "a run that ended on schedule")
	d := res.Delivery
	assert.Equal(t, 50, res.Subscriptions.Joined)
	assert.Equal(t, uint64(440), res.Pushes.Scheduled)
	assert.Equal(t, res.Pushes.Scheduled, res.Pushes.Accepted)
	assert.Equal(t, d.Accepted, d.ExactlyOnce)
	assert.Zero(t, d.Lost+d.Duplicated+d.OutOfOrder+d.Late+d.InFlight+d.Misrouted)
	assert.True(t, d.InvariantHolds, d.Invariant)
	assert.Zero(t, res.Subscriptions.SeqGaps)
	assert.Equal(t, int64(400), res.Latency.PushEndToEnd.Count, "warmup left out")
	assert.Equal(t, res.Latency.PushEndToEnd.Count, res.Latency.PushService.Count)
	assert.Equal(t, int64(50), res.Latency.Connect.Count)
	assert.Empty(t, res.Errors)
	require.NotNil(t, res.Mock)
	assert.Equal(t, res.Mock.PushFramesSent, res.Mock.PushFramesReceived)
	assert.Equal(t, uint64(440), res.Mock.Pushes202)
	assert.GreaterOrEqual(t, intervals, 2)
	assert.Equal(t, len(res.Intervals), intervals)
	// the intervals' targets add up to the schedule, their latencies to
	// the run's (warmup included) and their connects to the joins
	var due float64
	var e2e, connects int64
	prev := 0.0
	for _, iv := range res.Intervals {
		due += iv.TargetRate * (iv.T - prev)
		prev = iv.T
		e2e += iv.Latency.PushEndToEnd.Count
		connects += iv.Latency.Connect.Count
	}
	assert.InDelta(t, 440, due, 0.5)
	assert.Equal(t, int64(440), e2e)
	assert.Equal(t, int64(50), connects)
	// where the intervals end, and their phases, is TestTickerIntervals'
	// to check exactly: here, on the machine's clock, only their sums
	var sent uint64
	for _, iv := range res.Intervals {
		sent += iv.Sent
	}
	assert.Equal(t, res.Pushes.Sent, sent, "every push sent is in one interval")
}

// TestStartAt gives the run a start time: it joins, waits for the time
// and records it in its config; a start the joins overrun is pushed
// late, with a warning.
func TestStartAt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		startIn  time.Duration // from now
		rate     float64       // joins per second
		wantLate bool
	}{
		// 5 joins at 20/s take 200 ms at least: never late for a start
		// 1.5 s away, always for one 0.9 s past (the tolerance is 1 s)
		{"on time", 1500 * time.Millisecond, 20, false},
		{"joins overrun", -900 * time.Millisecond, 20, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
			at := time.Now().Add(tc.startIn)
			res, err := Run(context.Background(), srv.URL, demo, &Options{
				Subscriptions: 5, ConnectRate: tc.rate, PushRate: 20, Duration: 500 * time.Millisecond, StartAt: at,
			})
			require.NoError(t, err)
			assert.Equal(t, 5, res.Subscriptions.Joined)
			assert.Equal(t, at.UTC().Format(time.RFC3339Nano), res.Config.StartAt)
			assert.False(t, res.Meta.PushStart.Before(at), "pushed at %v, before the start %v", res.Meta.PushStart, at)
			warned := strings.Contains(strings.Join(res.Driver.Warnings, "\n"), "after the start time (--start-at")
			assert.Equal(t, tc.wantLate, warned, "%q", res.Driver.Warnings)
			assert.Equal(t, res.Pushes.Scheduled, res.Pushes.Accepted)
			joined := res.Meta.Started.Add(time.Duration(res.Subscriptions.JoinSeconds * float64(time.Second)))
			assert.False(t, joined.After(res.Meta.PushStart), "the joins' time leaves out the wait for the start")
			if !tc.wantLate {
				assert.True(t, joined.Before(at), "joined at %v, after the start %v", joined, at)
			}
		})
	}
}

// TestCancelWhileJoiningPushesNothing cancels a pushing run in the
// middle of its joins: no push is sent or failed (one used to go out,
// and fail, after the cancel).
func TestCancelWhileJoiningPushesNothing(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.Stats().OpenSessions < 5 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	res, err := Run(ctx, srv.URL, demo, &Options{Subscriptions: 400, ConnectRate: 200, PushRate: 1000, Duration: time.Minute})
	require.NoError(t, err)
	assert.True(t, res.Interrupted)
	assert.Less(t, res.Subscriptions.Joined, 400, "cancelled during the joins")
	assert.Zero(t, res.Pushes.Sent+res.Pushes.Failed, "%+v", res.Pushes)
	assert.Empty(t, res.Errors)
}

// TestCancelWhileWaitingToStart cancels a run waiting for its start
// time: it ends at once, interrupted, having pushed nothing.
func TestCancelWhileWaitingToStart(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.Stats().OpenSessions < 3 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	res, err := Run(ctx, srv.URL, demo, &Options{Subscriptions: 3, ConnectRate: 1000, PushRate: 20, Duration: time.Second, StartAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.True(t, res.Interrupted)
	assert.Zero(t, res.Pushes.Sent)
}

// TestIdleHoldsAndReportsMemory holds subscriptions without pushing for
// the whole duration and reports what it held and its memory.
func TestIdleHoldsAndReportsMemory(t *testing.T) {
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	var phases []string
	readers, joiners := -1, -1
	start := time.Now()
	res, err := Run(context.Background(), srv.URL, demo, &Options{
		Subscriptions: 40, ConnectRate: 2000, Idle: true, PushRate: 500, Warmup: time.Second, Duration: 1500 * time.Millisecond,
		OnInterval: func(iv Interval) {
			phases = append(phases, iv.Phase)
			if iv.Phase == loadresult.PhaseHolding && readers < 0 {
				var buf bytes.Buffer
				require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 2))
				readers = strings.Count(buf.String(), "wsconn.(*Conn).readLoop(")
				joiners = strings.Count(buf.String(), "load.(*joiners).connect(")
			}
		},
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 1500*time.Millisecond, "held for the duration")
	assert.True(t, res.Config.Idle)
	assert.Zero(t, res.Config.PushRate, "Idle overrides PushRate")
	assert.Zero(t, res.Config.WarmupSeconds, "and Warmup")
	assert.Zero(t, res.Pushes.Scheduled+res.Pushes.Sent)
	s := res.Subscriptions
	assert.Equal(t, 40, s.Joined)
	assert.Equal(t, 40, s.OpenAtEnd)
	assert.Positive(t, s.JoinSeconds)
	assert.Contains(t, phases, loadresult.PhaseHolding)
	assert.LessOrEqual(t, readers, 40, "at most one goroutine per held subscription: its session's reader (none where the poller reads)")
	assert.Zero(t, joiners, "no joiner goroutine once joined")
	m := res.Driver.Memory
	assert.Equal(t, int64(40), m.SubscriptionsHeld)
	assert.NotEmpty(t, m.Source)
	assert.Positive(t, m.HeldBytes)
	assert.Positive(t, m.Goroutines)
	if m.HeldBytes > m.BaselineBytes {
		assert.InDelta(t, float64(m.HeldBytes-m.BaselineBytes)/40, res.Driver.MemoryPerSubscriptionBytes, 1e-6)
	}
}

// TestOnJoined: the hook runs once, when every subscription has joined
// and before the first push.
func TestOnJoined(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	calls := 0
	var open int64
	var sent uint64
	var d *Driver
	d, err := New(srv.URL, demo, &Options{
		Subscriptions: 20, ConnectRate: 2000, PushRate: 100, Duration: 200 * time.Millisecond,
		OnJoined: func() {
			calls++
			lv := d.Live()
			open, sent = lv.Open, lv.Sent
		},
	})
	require.NoError(t, err)
	res, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
	assert.Equal(t, int64(20), open, "every subscription open by then")
	assert.Zero(t, sent, "and nothing pushed yet")
	assert.Positive(t, res.Pushes.Sent)
}

func TestMemoryFigures(t *testing.T) {
	t.Parallel()
	rss, ok := parseVmRSS([]byte("Name:\tx\nVmPeak:\t  9 kB\nVmRSS:\t   1234 kB\nThreads: 4\n"))
	assert.True(t, ok)
	assert.Equal(t, uint64(1234<<10), rss)
	_, ok = parseVmRSS([]byte("Name:\tx\n"))
	assert.False(t, ok)
	_, ok = parseVmRSS([]byte("VmRSS:\t12 MB\n"))
	assert.False(t, ok)

	base := memSample{source: "VmRSS", bytes: 10 << 20}
	at := memSample{source: "VmRSS", bytes: 30 << 20, heap: 5, stacks: 6, goroutines: 7}
	m, per := memory(base, at, 1024)
	assert.Equal(t, float64(20<<10), per)
	assert.Equal(t, loadresult.Memory{Source: "VmRSS", BaselineBytes: 10 << 20, HeldBytes: 30 << 20, SubscriptionsHeld: 1024, GoHeapBytes: 5, GoStackBytes: 6, Goroutines: 7}, m)
	_, per = memory(base, at, 0)
	assert.Zero(t, per, "nothing held")
	_, per = memory(at, base, 10)
	assert.Zero(t, per, "memory fell")

	live := sampleMemory()
	assert.NotEmpty(t, live.source)
	assert.Positive(t, live.bytes)
	assert.Positive(t, live.goroutines)
}

// TestCancelWhileJoining cuts an idle run short in the middle of its
// joins: Run returns soon, every session is closed (goleak checks that
// no reader is left), and the figures describe what was held.
func TestCancelWhileJoining(t *testing.T) {
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, srv.URL, demo, &Options{Subscriptions: 400, ConnectRate: 500, Idle: true, Duration: time.Minute})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.True(t, res.Interrupted, "cancelled during the joins")
	s := res.Subscriptions
	assert.Positive(t, s.Joined)
	assert.Less(t, s.Joined, 400)
	assert.Equal(t, s.Joined, s.OpenAtEnd, "no session ended before the run did")
	assert.Empty(t, res.Errors, "sessions closed by the run are not errors")
	assert.Eventually(t, func() bool { return srv.Stats().OpenSessions == 0 }, 5*time.Second, 10*time.Millisecond, "the mock saw every session closed")
}

// TestCancelCutsTheIntervals cancels a run during its pushes: the
// interval series ends its pushing seconds at the cancel and counts no
// push as due after it.
func TestCancelCutsTheIntervals(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Speed: mockserver.DefaultSpeed})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := Run(ctx, srv.URL, demo, &Options{
		Subscriptions: 20, ConnectRate: 1000, PushRate: 100, Duration: 10 * time.Second, Workers: 8,
		OnInterval: func(iv Interval) {
			if iv.Phase == loadresult.PhasePushing {
				cancel() // after the first pushing second
			}
		},
	})
	require.NoError(t, err)
	var due float64
	var pushing int
	afterCancel := false
	for _, iv := range res.Intervals {
		assert.Positive(t, iv.Seconds, "interval at %.3f s", iv.T)
		due += iv.TargetRate * iv.Seconds
		if iv.Phase == loadresult.PhasePushing {
			pushing++
			assert.False(t, afterCancel, "a pushing interval after the cancel")
		} else if pushing > 0 {
			afterCancel = true
		}
	}
	assert.LessOrEqual(t, pushing, 2, "the first pushing second and the part up to the cancel")
	assert.LessOrEqual(t, due, float64(res.Pushes.Scheduled), "no push is due after the cancel (exactly: TestTickerIntervals)")
	assert.Less(t, res.Pushes.Sent, uint64(300))
	assert.True(t, res.Interrupted, "cancelled during the pushes")
	assert.Greater(t, res.Pushes.AchievedRate, res.Pushes.TargetRate/2)
	slo, err := loadresult.ParseSLO("errors<=1000000")
	require.NoError(t, err)
	assert.False(t, res.CheckSLOs([]loadresult.SLO{slo}), "an interrupted run passes no SLO")
	require.Len(t, res.SLOs, 1)
	assert.False(t, res.SLOs[0].Passed)
}

// TestLiveWhileRunning reads Live from another goroutine all through a
// run, as a progress display does: under -race, that is the promise of
// the package's concurrency note.
func TestLiveWhileRunning(t *testing.T) {
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	d, err := New(srv.URL, demo, &Options{Subscriptions: 10, ConnectRate: 1000, PushRate: 50, Duration: 300 * time.Millisecond, Workers: 4})
	require.NoError(t, err)
	stop := make(chan struct{})
	polled := make(chan []string)
	go func() {
		var phases []string
		for {
			l := d.Live()
			if len(phases) == 0 || phases[len(phases)-1] != l.Phase {
				phases = append(phases, l.Phase)
			}
			select {
			case <-stop:
				polled <- phases
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	res, err := d.Run(context.Background())
	close(stop)
	phases := <-polled
	require.NoError(t, err)
	assert.Equal(t, loadresult.PhaseJoining, phases[0])
	assert.Equal(t, loadresult.PhaseDone, d.Live().Phase)
	l := d.Live()
	assert.Equal(t, res.Intervals[len(res.Intervals)-1], l.Last)
	// the equalities Live's doc promises once the run has ended
	p, del, sub := res.Pushes, res.Delivery, res.Subscriptions
	assert.Equal(t, []uint64{p.Scheduled - p.NotDue, p.Sent, p.Accepted, p.Rejected, p.Failed, p.Unsent, p.LateSends},
		[]uint64{l.Due, l.Sent, l.Accepted, l.Rejected, l.Failed, l.Unsent, l.LateSends}, "pushes")
	assert.Equal(t, []uint64{del.Received + del.ReceivedUnaccepted, del.Late}, []uint64{l.Received, l.Late}, "delivery")
	assert.Equal(t, []uint64{sub.Reconnects, sub.JoinAttempts, sub.JoinFailures}, []uint64{uint64(l.Reconnects), l.JoinAttempts, l.JoinFailures}, "subscriptions")
	require.NotNil(t, l.Final)
	assert.Equal(t, Final{Lost: del.Lost, InFlight: del.InFlight, OpenAtEnd: sub.OpenAtEnd}, *l.Final)
	assert.Equal(t, res.Latency.PushEndToEnd.Count, d.EndToEnd().TotalCount())
	assert.Positive(t, l.Received)
}

// TestSnapshotWhileRunning takes snapshots from another goroutine all
// through a run, as a second Ctrl-C does (-race holds it to "safe at any
// time"): each is marked interrupted, says what it lacks, and its books
// balance.
func TestSnapshotWhileRunning(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	d, err := New(srv.URL, demo, &Options{Subscriptions: 5, PushRate: 100, Duration: time.Second, PushTimeout: 500 * time.Millisecond})
	require.NoError(t, err)
	done := make(chan struct{})
	var snaps []*Result
	go func() {
		defer close(done)
		for d.Live().Phase != loadresult.PhaseDone {
			snaps = append(snaps, d.Snapshot())
		}
	}()
	res, err := d.Run(context.Background())
	require.NoError(t, err)
	<-done
	require.NotEmpty(t, snaps)
	for _, s := range snaps {
		assert.True(t, s.Interrupted)
		assert.True(t, s.Delivery.InvariantHolds, s.Delivery.Invariant)
		require.Len(t, s.Driver.Warnings, 1)
		assert.Contains(t, s.Driver.Warnings[0], "written on a second Ctrl-C")
		assert.LessOrEqual(t, s.Pushes.Sent, res.Pushes.Sent)
	}
	// The loop's last snapshot may come from before the last push (its
	// goroutine can lose the processor for the rest of the run on a busy
	// machine); one taken once the run has ended has every push.
	final := d.Snapshot()
	assert.Equal(t, res.Pushes.Sent, final.Pushes.Sent, "a snapshot taken after the run has every push")
	assert.True(t, final.Delivery.InvariantHolds, final.Delivery.Invariant)
}
