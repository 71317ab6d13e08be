package load

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// tickerRun is a run as the ticker sees it: joins that take joins, a
// schedule of opts, a cancel after cancel (0: none) into the pushes,
// and drain of draining before the run closes.
type tickerRun struct {
	opts   Options
	joins  time.Duration
	cancel time.Duration
	drain  time.Duration
}

// span is one interval as the test checks it.
type span struct {
	T, Seconds time.Duration
	Phase      string
	Sent       uint64
	TargetRate float64 // pushes due / Seconds
}

// runTicker plays r to a ticker in a synctest bubble, where its clock
// and timers are the bubble's: every interval ends exactly where it
// should. A push is sent 1 ms after it is due.
func runTicker(t *testing.T, r tickerRun) []Interval {
	t.Helper()
	var got []Interval
	synctest.Test(t, func(t *testing.T) {
		o, err := r.opts.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		var l live
		l.setPhase(loadresult.PhaseJoining)
		tk := newTicker(time.Now, plan{sched: o.schedule(), warmup: o.Warmup, idle: o.Idle}, &l, newRecorder(2), newErrorLog(protocol.Credentials{}), nil)
		tickCtx, stopTick := context.WithCancel(context.Background())
		tk.start(tickCtx, time.Now())
		time.Sleep(r.joins)

		runCtx, cancel := context.WithCancel(context.Background())
		defer cancel()
		start := time.Now()
		l.setPhase(loadresult.PhasePushing)
		if o.Warmup > 0 {
			l.setPhase(loadresult.PhaseWarmup)
		}
		tk.cutAt(start)
		stopCut := tk.cutOnCancel(runCtx)
		if r.cancel > 0 {
			time.AfterFunc(r.cancel, cancel)
		}
		sched := tk.plan.sched
		for n := uint64(0); n < sched.Total(); n++ {
			due, _ := sched.Due(n)
			if !sleepUntil(runCtx, time.Now, start.Add(due+time.Millisecond)) {
				break
			}
			l.sent.Add(1)
		}
		sleepUntil(runCtx, time.Now, start.Add(sched.Duration()))
		l.setPhase(loadresult.PhaseDraining)
		time.Sleep(r.drain)
		stopCut()
		l.setPhase(loadresult.PhaseClosing)
		l.closing.Store(true)
		stopTick()
		tk.wait()
		got = tk.intervals()
	})
	return got
}

func TestTickerIntervals(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tests := []struct {
		name string
		run  tickerRun
		want []span
	}{
		{
			name: "warmup, then whole pushing seconds from its end",
			run:  tickerRun{opts: Options{PushRate: 200, Duration: 2 * time.Second, Warmup: ms(200)}, joins: ms(1500), drain: ms(500)},
			want: []span{
				{T: ms(1000), Seconds: ms(1000), Phase: loadresult.PhaseJoining},
				{T: ms(1500), Seconds: ms(500), Phase: loadresult.PhaseJoining},
				{T: ms(1700), Seconds: ms(200), Phase: loadresult.PhaseWarmup, Sent: 40, TargetRate: 40 / ms(200).Seconds()},
				{T: ms(2700), Seconds: ms(1000), Phase: loadresult.PhasePushing, Sent: 200, TargetRate: 200},
				{T: ms(3700), Seconds: ms(1000), Phase: loadresult.PhasePushing, Sent: 200, TargetRate: 200},
				{T: ms(4200), Seconds: ms(500), Phase: loadresult.PhaseDraining},
			},
		},
		{
			name: "an empty sliver of joins is dropped",
			run:  tickerRun{opts: Options{PushRate: 10, Duration: 2 * time.Second}, joins: ms(1050), drain: ms(100)},
			want: []span{
				{T: ms(1000), Seconds: ms(1000), Phase: loadresult.PhaseJoining},
				{T: ms(2050), Seconds: ms(1000), Phase: loadresult.PhasePushing, Sent: 10, TargetRate: 10},
				{T: ms(3050), Seconds: ms(1000), Phase: loadresult.PhasePushing, Sent: 10, TargetRate: 10},
				{T: ms(3150), Seconds: ms(100), Phase: loadresult.PhaseDraining},
			},
		},
		{
			name: "a cancel ends the pushing seconds and nothing is due after it",
			run:  tickerRun{opts: Options{PushRate: 10, Duration: 5 * time.Second}, joins: ms(500), cancel: ms(1500), drain: ms(600)},
			want: []span{
				{T: ms(500), Seconds: ms(500), Phase: loadresult.PhaseJoining},
				{T: ms(1500), Seconds: ms(1000), Phase: loadresult.PhasePushing, Sent: 10, TargetRate: 10},
				{T: ms(2000), Seconds: ms(500), Phase: loadresult.PhasePushing, Sent: 5, TargetRate: 10},
				{T: ms(2600), Seconds: ms(600), Phase: loadresult.PhaseDraining},
			},
		},
		{
			name: "an idle run holds",
			run:  tickerRun{opts: Options{Idle: true, Duration: 2 * time.Second}, joins: ms(300), drain: ms(0)},
			want: []span{
				{T: ms(300), Seconds: ms(300), Phase: loadresult.PhaseJoining},
				{T: ms(1300), Seconds: ms(1000), Phase: loadresult.PhaseHolding},
				{T: ms(2300), Seconds: ms(1000), Phase: loadresult.PhaseHolding},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := runTicker(t, tt.run)
			spans := make([]span, len(got))
			for i, iv := range got {
				spans[i] = span{T: time.Duration(iv.T * 1e9).Round(time.Microsecond), Seconds: time.Duration(iv.Seconds * 1e9).Round(time.Microsecond),
					Phase: iv.Phase, Sent: iv.Sent, TargetRate: iv.TargetRate}
			}
			assert.Equal(t, tt.want, spans)
		})
	}
}
