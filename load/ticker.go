package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/wstrigger/wstrigger/loadresult"
)

// minInterval is the shortest interval closed at a boundary of the run:
// a shorter remainder is taken into the next interval instead, so that
// no sliver makes a spike of a per-second rate.
const minInterval = 100 * time.Millisecond

// plan is what the ticker knows of the run's schedule.
type plan struct {
	sched  Schedule
	warmup time.Duration
	idle   bool
}

// ticker closes the run's intervals: one a second from the start, and
// one at each boundary of the run (the push start, the warmup's end, the
// schedule's end, a cancel), restarting its second there, so that the
// warmup, pushing and holding seconds are whole seconds of one phase
// each. Its clock is now, its timers the time package's: a test runs it
// in a testing/synctest bubble, where both are the bubble's.
type ticker struct {
	now        func() time.Time
	plan       plan
	live       *live
	rec        *recorder
	errs       *errorLog
	onInterval func(Interval)

	started     time.Time
	pushStartNs atomic.Int64  // the push start (0 before)
	startedNs   atomic.Int64  // started, for Snapshot (0 before)
	cancelNs    atomic.Int64  // when the run was cancelled during the pushes (0: it was not)
	cutC        chan cutReq   // to the loop: end the interval at a boundary
	done        chan struct{} // closed when the loop has ended
	watch       selfWatch     // the loop's

	mu   sync.Mutex
	last Interval   // the last interval closed
	list []Interval // every interval closed
}

func newTicker(now func() time.Time, p plan, l *live, rec *recorder, errs *errorLog, onInterval func(Interval)) *ticker {
	return &ticker{now: now, plan: p, live: l, rec: rec, errs: errs, onInterval: onInterval, cutC: make(chan cutReq), done: make(chan struct{})}
}

// start starts the loop, the run having started at started. The loop
// closes the last interval and ends when ctx is done; wait waits for it.
func (tk *ticker) start(ctx context.Context, started time.Time) {
	tk.started = started
	tk.startedNs.Store(started.UnixNano())
	tk.watch.start()
	go tk.loop(ctx)
}

// wait waits until the loop has ended.
func (tk *ticker) wait() { <-tk.done }

// counts are the cumulative counters an interval is the difference of.
type counts struct {
	sent, accepted, frames, errors uint64
	closes, rejoins                uint64
}

func (tk *ticker) counts() counts {
	return counts{tk.live.sent.Load(), tk.live.accepted.Load(), tk.live.frames.Load(), tk.errs.total.Load(),
		tk.live.ended.Load(), uint64(max(tk.live.reconnects.Load(), 0))}
}

// intervalStart is where the current interval began.
type intervalStart struct {
	counts counts
	at     time.Time
	phase  string
}

// cutReq asks the loop to end the current interval at at (closing ack,
// when set, once it has taken the interval's counts).
type cutReq struct {
	at        time.Time
	pushStart bool // at is the push start: arm the schedule's boundaries
	ack       chan struct{}
}

// loop is the ticker goroutine.
func (tk *ticker) loop(ctx context.Context) {
	defer close(tk.done)
	cur := intervalStart{counts: tk.counts(), at: tk.started, phase: loadresult.PhaseJoining}
	// Seconds are counted from the last boundary without drift: the
	// next tick is due a whole number of seconds after it.
	next := cur.at.Add(time.Second)
	t := time.NewTimer(next.Sub(tk.now()))
	defer t.Stop()
	restart := func(from time.Time) {
		next = from.Add(time.Second)
		t.Reset(next.Sub(tk.now()))
	}
	var h [nMetrics]*hdrhistogram.PackedHistogram
	for m := range h {
		h[m] = loadresult.NewPackedHistogram()
	}
	var bounds []time.Time // the schedule's boundaries still ahead
	var boundC <-chan time.Time
	arm := func() {
		boundC = nil
		if len(bounds) > 0 {
			boundC = time.After(bounds[0].Sub(tk.now()))
		}
	}
	for {
		select {
		case <-t.C:
			tk.closeInterval(&cur, &h, tk.now(), nil)
			restart(next)
		case req := <-tk.cutC:
			tk.cut(&cur, &h, req)
			restart(req.at)
			if req.pushStart {
				bounds = tk.plan.bounds(req.at)
				arm()
			}
		case <-boundC:
			at := bounds[0]
			bounds = bounds[1:]
			tk.cut(&cur, &h, cutReq{at: at})
			restart(at)
			arm()
		case <-ctx.Done():
			// The last interval may be short: it is kept when anything
			// happened in it, since the series must add up to the run.
			if tk.now().Sub(cur.at) >= minInterval || tk.counts() != cur.counts || tk.rec.pending() {
				tk.closeInterval(&cur, &h, tk.now(), nil)
			}
			return
		}
	}
}

// bounds are the boundaries after the push start: the warmup's end,
// when it falls inside the schedule, and the schedule's end.
func (p plan) bounds(start time.Time) []time.Time {
	var b []time.Time
	if w := p.warmup; w > 0 && w < p.sched.Duration() && !p.idle {
		b = append(b, start.Add(w))
	}
	return append(b, start.Add(p.sched.Duration()))
}

// cut ends the current interval at req.at, a boundary of the run. A
// sliver before the boundary is taken into the next interval, but for
// the end of the joins (req.pushStart), which is kept when anything
// happened in it: a pushing second that took it in would count its
// pushes over a longer time than they were sent in.
func (tk *ticker) cut(cur *intervalStart, hist *[nMetrics]*hdrhistogram.PackedHistogram, req cutReq) {
	at := req.at
	switch {
	case !at.After(cur.at): // a tick closed an interval just after the boundary
		cur.phase = tk.phaseFrom(at)
	case req.pushStart && tk.counts() == cur.counts && !tk.rec.pending() && at.Sub(cur.at) < minInterval:
		cur.at, cur.phase = at, tk.phaseFrom(at) // an empty sliver of joins: dropped
	case !req.pushStart && at.Sub(cur.at) < minInterval: // a sliver: the next interval takes it in
		cur.phase = tk.phaseFrom(at)
	default:
		tk.closeInterval(cur, hist, at, req.ack)
		return
	}
	if req.ack != nil {
		close(req.ack)
	}
}

// cutAt has the loop end the current interval at at, the push start,
// and waits until it has taken that interval's counts: nothing is sent
// before it returns.
func (tk *ticker) cutAt(at time.Time) {
	tk.pushStartNs.Store(at.UnixNano())
	req := cutReq{at: at, pushStart: true, ack: make(chan struct{})}
	tk.cutC <- req
	<-req.ack
}

// cutOnCancel ends the current interval when ctx is cancelled during the
// pushes, and records when, so that no push is counted as due after it.
// Its stop function must be called before the loop's context ends.
func (tk *ticker) cutOnCancel(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		at := tk.now()
		tk.cancelNs.Store(at.UnixNano())
		select {
		case tk.cutC <- cutReq{at: at}:
		case <-tk.done:
		}
	})
}

// pushStart is the push start, and false before it.
func (tk *ticker) pushStart() (time.Time, bool) {
	ps := tk.pushStartNs.Load()
	return time.Unix(0, ps), ps != 0
}

// phaseFrom is the phase of an interval that starts at at: by the
// schedule while the pushes run (so that a second is "pushing" when the
// schedule pushed all through it, whatever the answers still awaited),
// draining once the schedule has ended or the run was cancelled, and the
// run's own phase otherwise.
func (tk *ticker) phaseFrom(at time.Time) string {
	phase := tk.live.getPhase()
	start, ok := tk.pushStart()
	switch {
	case !ok:
		return phase
	case phase != loadresult.PhaseWarmup && phase != loadresult.PhasePushing && phase != loadresult.PhaseHolding:
		return phase // draining, closing
	}
	off := at.Sub(start)
	if c := tk.cancelNs.Load(); c != 0 && !at.Before(time.Unix(0, c)) {
		return loadresult.PhaseDraining
	}
	switch {
	case off >= tk.plan.sched.Duration():
		return loadresult.PhaseDraining
	case tk.plan.idle:
		return loadresult.PhaseHolding
	case off < tk.plan.warmup:
		return loadresult.PhaseWarmup
	}
	return loadresult.PhasePushing
}

// openGauge is the open sessions to report for an interval of phase:
// the count now, but in an interval of an earlier phase that ends after
// the run began closing (a boundary's timer that fired late), the count
// before it did: the run's own closing belongs to the closing interval.
func (tk *ticker) openGauge(phase string) int64 {
	if phase != loadresult.PhaseClosing && tk.live.closing.Load() {
		return tk.live.openAtClosing.Load()
	}
	return tk.live.open.Load()
}

// targetRate is the rate of the pushes due from from to to, per second
// of that length: none is due after a cancel.
func (tk *ticker) targetRate(from, to time.Time) float64 {
	start, ok := tk.pushStart()
	secs := to.Sub(from).Seconds()
	if !ok || secs <= 0 {
		return 0
	}
	if c := tk.cancelNs.Load(); c != 0 && to.After(time.Unix(0, c)) {
		to = time.Unix(0, c)
	}
	if !to.After(from) {
		return 0
	}
	s := tk.plan.sched
	return float64(s.DueBefore(to.Sub(start))-s.DueBefore(from.Sub(start))) / secs
}

// closeInterval closes the interval from cur as ending at at, closing
// ack (when set) as soon as it has taken the interval's counts.
func (tk *ticker) closeInterval(cur *intervalStart, hist *[nMetrics]*hdrhistogram.PackedHistogram, at time.Time, ack chan struct{}) {
	tk.rec.takeInterval(hist)
	now := tk.counts()
	if ack != nil {
		close(ack)
	}
	prev := cur.counts
	iv := Interval{
		T:          at.Sub(tk.started).Seconds(),
		Seconds:    at.Sub(cur.at).Seconds(),
		Phase:      cur.phase,
		Sent:       now.sent - prev.sent,
		Accepted:   now.accepted - prev.accepted,
		Frames:     now.frames - prev.frames,
		Errors:     now.errors - prev.errors,
		Closes:     now.closes - prev.closes,
		Rejoins:    now.rejoins - prev.rejoins,
		Open:       tk.openGauge(cur.phase),
		Joined:     tk.live.joined.Load(),
		TargetRate: tk.targetRate(cur.at, at),
		Latency:    summarizeAll(hist, loadresult.SummarizePacked),
	}
	tk.watch.sample(&iv, at.Sub(cur.at))
	*cur = intervalStart{counts: now, at: at, phase: tk.phaseFrom(at)}
	tk.mu.Lock()
	tk.last = iv
	tk.list = append(tk.list, iv)
	tk.mu.Unlock()
	if tk.onInterval != nil {
		tk.onInterval(iv)
	}
}

// lastInterval is the last interval closed.
func (tk *ticker) lastInterval() Interval {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.last
}

// intervals are the intervals closed, never nil.
func (tk *ticker) intervals() []Interval {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	if tk.list == nil {
		return []Interval{}
	}
	return tk.list
}
