package load

import (
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/wstrigger/wstrigger/loadresult"
)

// live are the counters and gauges the parts of a run share: the
// joiners, the workers and the readers count into them, the ticker and
// Live read them while the run goes on.
type live struct {
	joined, open, reconnects   atomic.Int64
	joinAttempts, joinFailures atomic.Uint64
	dispatched, sent, accepted atomic.Uint64
	rejected, failed, unsent   atomic.Uint64
	received, late             atomic.Uint64 // first receipts of the run's pushes; late ones
	frames, lateSends          atomic.Uint64
	ended                      atomic.Uint64 // sessions that ended before the run did
	maxLag                     atomic.Int64
	phase                      atomic.Pointer[string]
	closing                    atomic.Bool  // the run is closing the sessions
	openAtClosing              atomic.Int64 // sessions open when it began to
	final                      atomic.Pointer[Final]
}

func (l *live) setPhase(p string) { l.phase.Store(&p) }

func (l *live) getPhase() string { return *l.phase.Load() }

// Live is a snapshot of a run in progress, for a progress display and
// a metrics exporter. Its counts only grow while the run goes on, and
// count the whole run, warmup included, as the Result's accounting
// does; once the run has ended they equal the Result's:
//
//   - Due = Pushes.Scheduled - Pushes.NotDue
//   - Sent, Accepted, Rejected, Failed, Unsent = the Pushes figures
//   - Received = Delivery.Received + Delivery.ReceivedUnaccepted: a
//     frame cannot know whether its push's answer will be a 202
//   - Late = Delivery.Late, LateSends = Pushes.LateSends
//   - Reconnects, JoinAttempts, JoinFailures = the Subscriptions figures
//
// Final is nil until the run has ended (Phase is PhaseDone).
type Live struct {
	Phase         string // one of loadresult's Phase constants
	Subscriptions int    // this shard's
	Joined, Open  int64  // ever joined; open now
	Reconnects    int64
	Elapsed       time.Duration // since the pushes started (0 before)
	PushDuration  time.Duration // of the whole schedule, warmup included
	Scheduled     uint64        // in the whole schedule
	Due           uint64        // came due and handed to a worker
	Sent          uint64
	Accepted      uint64
	Rejected      uint64 // an HTTP error status
	Failed        uint64 // no answer
	Unsent        uint64 // due with no open session
	Received      uint64 // first receipts of this run's pushes
	Late          uint64 // of those, received more than PushTimeout after the intended time
	LateSends     uint64
	Frames        uint64
	JoinAttempts  uint64
	JoinFailures  uint64
	Errors        uint64
	Last          Interval // the last interval closed
	Final         *Final   // the figures known only at the end; nil before
}

// Final are the figures of a run known only once it has ended, as its
// Result has them.
type Final struct {
	Lost      uint64 // Delivery.Lost
	InFlight  uint64 // Delivery.InFlight
	OpenAtEnd int    // Subscriptions.OpenAtEnd
}

// Live returns the run's figures now. It is safe to call at any time.
func (d *Driver) Live() Live {
	l := Live{
		Phase: d.live.getPhase(), Subscriptions: len(d.joins.subs),
		Joined: d.live.joined.Load(), Open: d.live.open.Load(), Reconnects: d.live.reconnects.Load(),
		PushDuration: d.led.sched.Duration(), Scheduled: d.led.sched.Total(),
		Due: d.live.dispatched.Load(), Sent: d.live.sent.Load(), Accepted: d.live.accepted.Load(),
		Rejected: d.live.rejected.Load(), Failed: d.live.failed.Load(), Unsent: d.live.unsent.Load(),
		Received: d.live.received.Load(), Late: d.live.late.Load(), LateSends: d.live.lateSends.Load(),
		Frames: d.live.frames.Load(), Errors: d.errs.total.Load(),
		JoinAttempts: d.live.joinAttempts.Load(), JoinFailures: d.live.joinFailures.Load(),
		Last: d.ticks.lastInterval(), Final: d.live.final.Load(),
	}
	switch l.Phase {
	case loadresult.PhaseWarmup, loadresult.PhasePushing, loadresult.PhaseHolding, loadresult.PhaseDraining:
		start, _ := d.ticks.pushStart()
		l.Elapsed = min(d.now().Sub(start), l.PushDuration)
	case loadresult.PhaseClosing, loadresult.PhaseDone:
		l.Elapsed = l.PushDuration
	}
	return l
}

// EndToEnd returns a copy of the run's end-to-end latency histogram so
// far (microseconds, warmup left out). Once the run's Result is made it
// is the histogram Result.Latency.PushEndToEnd summarizes, with the
// censored samples of the pushes not received by the cut-off. It is
// safe to call at any time; it merges the recorder's shards, so it costs
// a few hundred kilobytes.
func (d *Driver) EndToEnd() *hdrhistogram.Histogram {
	if f := d.finalE2E.Load(); f != nil {
		out := loadresult.NewHistogram()
		out.Merge(f)
		return out
	}
	return d.rec.merged(mEndToEnd)
}

// Shard is the part of the run this driver carries (0/1 when it is the
// whole run).
func (d *Driver) Shard() Shard { return d.opts.Shard }
