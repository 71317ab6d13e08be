package load

import (
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
)

// live are the counters and gauges the parts of a run share: the
// joiners, the workers and the readers count into them, the ticker and
// Live read them while the run goes on.
type live struct {
	joined, open, reconnects   atomic.Int64
	joinAttempts, joinFailures atomic.Uint64
	dispatched, sent, accepted atomic.Uint64
	frames, lateSends          atomic.Uint64
	maxLag                     atomic.Int64
	phase                      atomic.Pointer[string]
	closing                    atomic.Bool  // the run is closing the sessions
	openAtClosing              atomic.Int64 // sessions open when it began to
}

func (l *live) setPhase(p string) { l.phase.Store(&p) }

func (l *live) getPhase() string { return *l.phase.Load() }

// Live is a snapshot of a run in progress, for a progress display.
type Live struct {
	Phase         string // one of loadresult's Phase constants
	Subscriptions int    // this shard's
	Joined, Open  int64  // ever joined; open now
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
		Phase: d.live.getPhase(), Subscriptions: len(d.joins.subs),
		Joined: d.live.joined.Load(), Open: d.live.open.Load(), Reconnects: d.live.reconnects.Load(),
		PushDuration: d.led.sched.Duration(), Scheduled: d.led.sched.Total(),
		Sent: d.live.sent.Load(), Accepted: d.live.accepted.Load(), Frames: d.live.frames.Load(), Errors: d.errs.total.Load(),
		Last: d.ticks.lastInterval(),
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
