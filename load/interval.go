package load

import (
	"context"
	"encoding/json"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Interval is one second of the run. Counts are over the interval; T is
// its end in seconds since the run started (joins included) and Seconds
// its length: a second, but for the last one of the joins (cut at the
// push start, so that the pushing seconds are whole seconds from it) and
// the last one of the run. Phase is what the run was doing during the
// interval: joining, then by the schedule warmup, pushing or holding for
// the seconds it covers, then draining and closing. Latency holds each
// kind's distribution over the interval, histogram included, warmup
// seconds too, so that shards merge exactly and runs compare second by
// second.
type Interval struct {
	T            float64   `json:"t"`
	Seconds      float64   `json:"seconds"`
	Phase        string    `json:"phase"`
	Sent         uint64    `json:"sent"`
	Accepted     uint64    `json:"accepted"`
	Frames       uint64    `json:"frames"`
	Errors       uint64    `json:"errors"`
	Open         int64     `json:"openSubscriptions"`
	Joined       int64     `json:"joined"`
	TargetRate   float64   `json:"targetRate"` // this shard's pushes due in the interval, per second
	Latency      Latencies `json:"latency"`
	DriverCPU    float64   `json:"driverCpuPercent"`
	SchedP99Us   int64     `json:"schedLatencyP99Us"`
	GCPauseMaxUs int64     `json:"gcPauseMaxUs"`
	HeapMB       float64   `json:"heapMB"`
}

// PerSecond is n, a count of the interval, per second of its length. An
// interval of unknown length (older files) counts as a second.
func (iv *Interval) PerSecond(n uint64) float64 {
	if iv.Seconds <= 0 {
		return float64(n)
	}
	return float64(n) / iv.Seconds
}

// MarshalJSON writes the interval with only the latency kinds it
// recorded.
func (iv Interval) MarshalJSON() ([]byte, error) {
	type plain Interval
	lat := map[string]Summary{}
	for i, s := range iv.Latency.Kinds() {
		if s.Count > 0 {
			lat[latencyNames[i]] = *s
		}
	}
	return json.Marshal(struct {
		plain
		Latency map[string]Summary `json:"latency"`
	}{plain(iv), lat})
}

// UnmarshalJSON reads an interval of either schema version: version 1
// kept only the count, p50, p99 and max of the end-to-end latency, in
// fields of their own; they become Latency.PushEndToEnd, without a
// histogram and with the other percentiles zero (unknown).
func (iv *Interval) UnmarshalJSON(data []byte) error {
	type plain Interval // without this method
	var cur plain
	if err := json.Unmarshal(data, &cur); err != nil {
		return err
	}
	var v1 struct {
		EndToEndCount int64 `json:"endToEndCount"`
		EndToEndP50Us int64 `json:"endToEndP50Us"`
		EndToEndP99Us int64 `json:"endToEndP99Us"`
		EndToEndMaxUs int64 `json:"endToEndMaxUs"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return err
	}
	*iv = Interval(cur)
	if iv.Latency.PushEndToEnd.Count == 0 && v1.EndToEndCount > 0 {
		iv.Latency.PushEndToEnd = Summary{Count: v1.EndToEndCount, P50Us: v1.EndToEndP50Us, P99Us: v1.EndToEndP99Us, MaxUs: v1.EndToEndMaxUs}
	}
	return nil
}

// counts are the cumulative counters an interval is the difference of.
type counts struct {
	sent, accepted, frames, errors uint64
}

func (d *Driver) counts() counts {
	return counts{d.live.sent.Load(), d.live.accepted.Load(), d.live.frames.Load(), d.errs.total.Load()}
}

// tick is the ticker goroutine: it closes an interval every second, one
// when the pushes start (and restarts the second there), and a last one
// when ctx is done.
func (d *Driver) tick(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	cur := intervalStart{counts: d.counts(), at: d.now(), phase: PhaseJoining}
	var h [nMetrics]*hdrhistogram.Histogram
	for m := range h {
		h[m] = newHist()
	}
	for {
		select {
		case <-t.C:
		case req := <-d.realignC:
			// A tick may have closed an interval just after the push
			// start (nothing was sent yet): the next one starts there.
			if req.at.After(cur.at) && d.hasActivity(&cur) {
				d.closeIntervalAt(&cur, &h, req.at)
			} else { // a sliver of joins: the first pushing second takes it in
				cur.phase = d.phaseFrom(req.at)
			}
			t.Reset(time.Second)
			close(req.ack)
			continue
		case <-ctx.Done():
			if d.hasActivity(&cur) {
				d.closeInterval(&cur, &h)
			}
			return
		}
		d.closeInterval(&cur, &h)
	}
}

// intervalStart is where the current interval began.
type intervalStart struct {
	counts counts
	at     time.Time
	phase  string
}

// hasActivity reports whether the interval from cur is worth closing
// early: it is not a mere sliver, or something happened in it (the
// series must add up to the run's counts).
func (d *Driver) hasActivity(cur *intervalStart) bool {
	return d.now().Sub(cur.at) > 100*time.Millisecond || d.counts() != cur.counts || d.rec.pending()
}

// realignReq asks the ticker to end the current interval at at and
// start the next second there.
type realignReq struct {
	at  time.Time
	ack chan struct{}
}

// realign ends the current interval at at, the push start, and starts
// the next second there. Nothing is sent before it returns.
func (d *Driver) realign(at time.Time) {
	req := realignReq{at: at, ack: make(chan struct{})}
	d.realignC <- req
	<-req.ack
}

// phaseFrom is the phase of an interval that starts at at: by the
// schedule while the pushes run, so that a second is "pushing" when the
// schedule pushed all through it, whatever the answers still awaited.
func (d *Driver) phaseFrom(at time.Time) string {
	live := *d.live.phase.Load()
	ps := d.pushStartNs.Load()
	if ps == 0 {
		return live
	}
	switch live {
	case PhaseWarmup, PhasePushing, PhaseHolding:
	default:
		return live // draining, closing, or cut short
	}
	off := at.Sub(time.Unix(0, ps))
	switch {
	case off >= d.sched.Duration():
		return PhaseDraining
	case d.opts.Idle:
		return PhaseHolding
	case off < d.opts.Warmup:
		return PhaseWarmup
	}
	return PhasePushing
}

func (d *Driver) closeInterval(cur *intervalStart, hist *[nMetrics]*hdrhistogram.Histogram) {
	d.closeIntervalAt(cur, hist, d.now())
}

// closeIntervalAt closes the interval from cur as ending at at.
func (d *Driver) closeIntervalAt(cur *intervalStart, hist *[nMetrics]*hdrhistogram.Histogram, at time.Time) {
	d.rec.takeInterval(hist)
	counts := d.counts()
	prev := cur.counts
	iv := Interval{
		T:        at.Sub(d.started).Seconds(),
		Seconds:  at.Sub(cur.at).Seconds(),
		Phase:    cur.phase,
		Sent:     counts.sent - prev.sent,
		Accepted: counts.accepted - prev.accepted,
		Frames:   counts.frames - prev.frames,
		Errors:   counts.errors - prev.errors,
		Open:     d.live.open.Load(),
		Joined:   d.live.joined.Load(),
	}
	if ps := d.pushStartNs.Load(); ps != 0 && iv.Seconds > 0 {
		start := time.Unix(0, ps)
		iv.TargetRate = float64(d.sched.DueBefore(at.Sub(start))-d.sched.DueBefore(cur.at.Sub(start))) / iv.Seconds
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
	Last          Interval // the last full second
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
	case PhaseWarmup, PhasePushing, PhaseHolding, PhaseDraining:
		l.Elapsed = min(d.now().Sub(time.Unix(0, d.pushStartNs.Load())), l.PushDuration)
	case PhaseClosing, PhaseDone:
		l.Elapsed = l.PushDuration
	}
	d.lastMu.Lock()
	l.Last = d.last
	d.lastMu.Unlock()
	return l
}
