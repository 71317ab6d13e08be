package load

import (
	"context"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/loadresult"
)

// counts are the cumulative counters an interval is the difference of.
type counts struct {
	sent, accepted, frames, errors uint64
}

func (d *Driver) counts() counts {
	return counts{d.live.sent.Load(), d.live.accepted.Load(), d.live.frames.Load(), d.errs.total.Load()}
}

// minInterval is the shortest interval closed at a boundary of the run:
// a shorter remainder is taken into the next interval instead, so that
// no sliver makes a spike of a per-second rate.
const minInterval = 100 * time.Millisecond

// tick is the ticker goroutine. It closes an interval every second, and
// one at each boundary of the run, restarting its second there: the push
// start (Driver.cutAt from Run), the warmup's end and the schedule's end
// (timers of its own), and a cancel of the run; so the warmup, pushing
// and holding seconds are whole seconds of one phase each. When ctx is
// done it closes the last one.
func (d *Driver) tick(ctx context.Context) {
	defer close(d.tickDone)
	cur := intervalStart{counts: d.counts(), at: d.now(), phase: loadresult.PhaseJoining}
	// Seconds are counted from the last boundary without drift: the
	// next tick is due a whole number of seconds after it.
	next := cur.at.Add(time.Second)
	t := time.NewTimer(time.Second)
	defer t.Stop()
	restart := func(from time.Time) {
		next = from.Add(time.Second)
		t.Reset(next.Sub(d.now()))
	}
	var h [nMetrics]*hdrhistogram.Histogram
	for m := range h {
		h[m] = loadresult.NewHistogram()
	}
	var bounds []time.Time // the schedule's boundaries still ahead
	var boundC <-chan time.Time
	arm := func() {
		boundC = nil
		if len(bounds) > 0 {
			boundC = time.After(bounds[0].Sub(d.now()))
		}
	}
	for {
		select {
		case <-t.C:
			d.closeInterval(&cur, &h, d.now(), nil)
			restart(next)
		case req := <-d.cutC:
			d.cut(&cur, &h, req.at, req.pushStart, req.ack)
			restart(req.at)
			if req.pushStart {
				bounds = d.scheduleBounds(req.at)
				arm()
			}
		case <-boundC:
			at := bounds[0]
			bounds = bounds[1:]
			d.cut(&cur, &h, at, false, nil)
			restart(at)
			arm()
		case <-ctx.Done():
			// The last interval may be short: it is kept when anything
			// happened in it, since the series must add up to the run.
			if d.now().Sub(cur.at) >= minInterval || d.counts() != cur.counts || d.rec.pending() {
				d.closeInterval(&cur, &h, d.now(), nil)
			}
			return
		}
	}
}

// intervalStart is where the current interval began.
type intervalStart struct {
	counts counts
	at     time.Time
	phase  string
}

// cutReq asks the ticker to end the current interval at at (closing
// ack, when set, once it has taken the interval's counts).
type cutReq struct {
	at        time.Time
	pushStart bool // at is the push start: arm the schedule's boundaries
	ack       chan struct{}
}

// scheduleBounds are the boundaries after the push start: the warmup's
// end, when it falls inside the schedule, and the schedule's end.
func (d *Driver) scheduleBounds(start time.Time) []time.Time {
	var b []time.Time
	if w := d.opts.Warmup; w > 0 && w < d.sched.Duration() && !d.opts.Idle {
		b = append(b, start.Add(w))
	}
	return append(b, start.Add(d.sched.Duration()))
}

// cut ends the current interval at at, a boundary of the run. A sliver
// before the boundary is taken into the next interval, but for the end
// of the joins (pushStart), which is kept when anything happened in it:
// a pushing second that took it in would count its pushes over a longer
// time than they were sent in.
func (d *Driver) cut(cur *intervalStart, hist *[nMetrics]*hdrhistogram.Histogram, at time.Time, pushStart bool, ack chan struct{}) {
	switch {
	case !at.After(cur.at): // a tick closed an interval just after the boundary
		cur.phase = d.phaseFrom(at)
	case pushStart && d.counts() == cur.counts && !d.rec.pending() && at.Sub(cur.at) < minInterval:
		cur.at, cur.phase = at, d.phaseFrom(at) // an empty sliver of joins: dropped
	case !pushStart && at.Sub(cur.at) < minInterval: // a sliver: the next interval takes it in
		cur.phase = d.phaseFrom(at)
	default:
		d.closeInterval(cur, hist, at, ack)
		return
	}
	if ack != nil {
		close(ack)
	}
}

// cutAt has the ticker end the current interval at at, the push start,
// and waits until it has taken that interval's counts: nothing is sent
// before it returns.
func (d *Driver) cutAt(at time.Time) {
	req := cutReq{at: at, pushStart: true, ack: make(chan struct{})}
	d.cutC <- req
	<-req.ack
}

// cutOnCancel ends the current interval when ctx is cancelled during the
// pushes, and records when, so that no push is counted as due after it.
// Its stop function must be called before the ticker's context ends.
func (d *Driver) cutOnCancel(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		at := d.now()
		d.cancelNs.Store(at.UnixNano())
		select {
		case d.cutC <- cutReq{at: at}:
		case <-d.tickDone:
		}
	})
}

// phaseFrom is the phase of an interval that starts at at: by the
// schedule while the pushes run (so that a second is "pushing" when the
// schedule pushed all through it, whatever the answers still awaited),
// draining once the schedule has ended or the run was cancelled, and the
// run's own phase otherwise.
func (d *Driver) phaseFrom(at time.Time) string {
	live := *d.live.phase.Load()
	ps := d.pushStartNs.Load()
	if ps == 0 {
		return live
	}
	switch live {
	case loadresult.PhaseWarmup, loadresult.PhasePushing, loadresult.PhaseHolding:
	default:
		return live // draining, closing
	}
	off := at.Sub(time.Unix(0, ps))
	if c := d.cancelNs.Load(); c != 0 && !at.Before(time.Unix(0, c)) {
		return loadresult.PhaseDraining
	}
	switch {
	case off >= d.sched.Duration():
		return loadresult.PhaseDraining
	case d.opts.Idle:
		return loadresult.PhaseHolding
	case off < d.opts.Warmup:
		return loadresult.PhaseWarmup
	}
	return loadresult.PhasePushing
}

// openGauge is the open sessions to report for an interval of phase:
// the count now, but in an interval of an earlier phase that ends after
// the run began closing (a boundary's timer that fired late), the count
// before it did: the run's own closing belongs to the closing interval.
func (d *Driver) openGauge(phase string) int64 {
	if phase != loadresult.PhaseClosing && d.closing.Load() {
		return d.openAtClosing.Load()
	}
	return d.live.open.Load()
}

// closeInterval closes the interval from cur as ending at at, closing
// ack (when set) as soon as it has taken the interval's counts.
func (d *Driver) closeInterval(cur *intervalStart, hist *[nMetrics]*hdrhistogram.Histogram, at time.Time, ack chan struct{}) {
	d.rec.takeInterval(hist)
	counts := d.counts()
	if ack != nil {
		close(ack)
	}
	prev := cur.counts
	iv := Interval{
		T:        at.Sub(d.started).Seconds(),
		Seconds:  at.Sub(cur.at).Seconds(),
		Phase:    cur.phase,
		Sent:     counts.sent - prev.sent,
		Accepted: counts.accepted - prev.accepted,
		Frames:   counts.frames - prev.frames,
		Errors:   counts.errors - prev.errors,
		Open:     d.openGauge(cur.phase),
		Joined:   d.live.joined.Load(),
	}
	if ps := d.pushStartNs.Load(); ps != 0 && iv.Seconds > 0 {
		start, end := time.Unix(0, ps), at
		if c := d.cancelNs.Load(); c != 0 && end.After(time.Unix(0, c)) {
			end = time.Unix(0, c) // nothing was due after a cancel
		}
		if end.After(cur.at) {
			iv.TargetRate = float64(d.sched.DueBefore(end.Sub(start))-d.sched.DueBefore(cur.at.Sub(start))) / iv.Seconds
		}
	}
	iv.Latency = summarizeAll(hist)
	d.watch.sample(&iv, at.Sub(cur.at))
	*cur = intervalStart{counts: counts, at: at, phase: d.phaseFrom(at)}
	d.intervals = append(d.intervals, iv)
	d.lastMu.Lock()
	d.last = iv
	d.lastMu.Unlock()
	if d.opts.OnInterval != nil {
		d.opts.OnInterval(iv)
	}
}

// Live is a snapshot of a run in progress, for a progress display.
type Live struct {
	Phase         string
	Subscriptions int   // this shard's
	Joined, Open  int64 // ever joined; open now
	Reconnects    int64
	Elapsed       time.Duration // since the pushes started (0 before)
	PushDuration  time.Duration // of the whole schedule, warmup included
	Scheduled     uint64
	Sent          uint64
	Accepted      uint64
	Frames        uint64
	Errors        uint64
	Last          Interval // the last interval closed
}

// Live returns the run's figures now. It is safe to call at any time.
func (d *Driver) Live() Live {
	l := Live{
		Phase: *d.live.phase.Load(), Subscriptions: len(d.subs),
		Joined: d.live.joined.Load(), Open: d.live.open.Load(), Reconnects: d.live.reconnects.Load(),
		PushDuration: d.sched.Duration(), Scheduled: d.sched.Total(),
		Sent: d.live.sent.Load(), Accepted: d.live.accepted.Load(), Frames: d.live.frames.Load(), Errors: d.errs.total.Load(),
	}
	switch l.Phase {
	case loadresult.PhaseWarmup, loadresult.PhasePushing, loadresult.PhaseHolding, loadresult.PhaseDraining:
		l.Elapsed = min(d.now().Sub(time.Unix(0, d.pushStartNs.Load())), l.PushDuration)
	case loadresult.PhaseClosing, loadresult.PhaseDone:
		l.Elapsed = l.PushDuration
	}
	d.lastMu.Lock()
	l.Last = d.last
	d.lastMu.Unlock()
	return l
}
