package load

import (
	"context"
	"encoding/json"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Interval is one second of the run. Counts are over the second; T is
// its end in seconds since the run started (joins included). Latency
// holds each kind's distribution over the second, histogram included,
// warmup seconds too (Phase tells them apart), so that shards merge
// exactly and runs compare second by second.
type Interval struct {
	T            float64   `json:"t"`
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

// tick is the ticker goroutine: it closes an interval every second and a
// last one when ctx is done.
func (d *Driver) tick(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	prev, prevAt := d.counts(), d.now()
	var h [nMetrics]*hdrhistogram.Histogram
	for m := range h {
		h[m] = newHist()
	}
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			// The last, partial interval is kept when it is not a mere
			// sliver, or when anything happened in it: the series must
			// add up to the run's counts.
			if d.now().Sub(prevAt) > 100*time.Millisecond || d.counts() != prev || d.rec.pending() {
				d.closeInterval(&prev, &prevAt, &h)
			}
			return
		}
		d.closeInterval(&prev, &prevAt, &h)
	}
}

func (d *Driver) closeInterval(prev *counts, prevAt *time.Time, hist *[nMetrics]*hdrhistogram.Histogram) {
	d.rec.takeInterval(hist)
	cur, at := d.counts(), d.now()
	iv := Interval{
		T:        at.Sub(d.started).Seconds(),
		Phase:    *d.live.phase.Load(),
		Sent:     cur.sent - prev.sent,
		Accepted: cur.accepted - prev.accepted,
		Frames:   cur.frames - prev.frames,
		Errors:   cur.errors - prev.errors,
		Open:     d.live.open.Load(),
		Joined:   d.live.joined.Load(),
	}
	if ps := d.pushStartNs.Load(); ps != 0 {
		start := time.Unix(0, ps)
		if secs := at.Sub(*prevAt).Seconds(); secs > 0 {
			iv.TargetRate = float64(d.sched.DueBy(at.Sub(start))-d.sched.DueBy(prevAt.Sub(start))) / secs
		}
	}
	iv.Latency = summarizeAll(hist)
	d.watch.sample(&iv, at.Sub(*prevAt))
	*prev, *prevAt = cur, at
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
