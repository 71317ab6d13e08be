package load

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// Push states, as bits of pushEntry.state.
const (
	stSent     uint32 = 1 << iota // the request was started
	stAccepted                    // 202
	stRejected                    // an HTTP error status
	stFailed                      // no answer (timeout, transport): outcome unknown
	stUnsent                      // no open session to push to
)

// pushEntry is the fate of one push: eight bytes, written with atomics
// by the worker that sent it and the reader that received it.
type pushEntry struct {
	state atomic.Uint32
	recv  atomic.Uint32
}

// pushTable holds every push of the run, indexed by its number in the
// schedule. It is sized up front from the schedule: no lock, no growth.
type pushTable struct {
	e []pushEntry
}

func newPushTable(n uint64) *pushTable { return &pushTable{e: make([]pushEntry, n)} }

// seqCheck follows the seq numbers of one session (PROTOCOL.md 3.1:
// from 1, no gaps, in order).
type seqCheck struct {
	last                    uint64
	gaps, reordered, dupSeq uint64
}

// observe takes the next seq and reports whether it came in order.
func (c *seqCheck) observe(seq uint64) bool {
	switch {
	case seq > c.last:
		c.gaps += seq - c.last - 1
		c.last = seq
		return true
	case seq == c.last:
		c.dupSeq++
	default:
		c.reordered++
	}
	return false
}

// conn is one session of a subscription: a subscription that reconnects
// has several, one after the other.
type conn struct {
	d        *Driver
	s        *subscription
	sess     *client.Session
	start    time.Time    // of the join attempt
	joinedAt time.Time    // when the session frame arrived
	seen     bool         // a frame has arrived (its reader's)
	accepted atomic.Int64 // pushes the server accepted for it (workers)
	received atomic.Int64 // first receipts of pushes on it (its reader)
	ended    atomic.Bool  // it closed before the end of the run
}

// subStats are one subscription's receive-side figures, written by the
// goroutine carrying it (see subscription) and read after the run.
type subStats struct {
	Triggers, Pushes, Duplicates, Late, Reordered uint64
	PushReordered                                 uint64
	Misrouted, Foreign                            uint64
	Gaps, DupSeq, Reconnects                      uint64
}

// receiver is the receive side of one subscription.
type receiver struct {
	sub   int
	seq   seqCheck
	conn  *conn
	stats subStats
}

// newSession resets the seq check for a new session of the subscription.
func (r *receiver) newSession(c *conn) {
	r.stats.Gaps += r.seq.gaps
	r.stats.Reordered += r.seq.reordered
	r.stats.DupSeq += r.seq.dupSeq
	r.seq, r.conn = seqCheck{}, c
}

// ledger is the shared part of the receive-side accounting.
type ledger struct {
	table       *pushTable
	rec         *recorder
	live        *live
	shard       Shard
	timeout     time.Duration
	measureFrom int64 // Unix nanoseconds: pushes intended before are warmup
}

// index turns a push id back into its number in this shard's schedule.
func (l *ledger) index(id uint64) (uint64, bool) {
	n := uint64(l.shard.N)
	if id%n != uint64(l.shard.K) || id/n >= uint64(len(l.table.e)) {
		return 0, false
	}
	return id / n, true
}

// frame accounts for one trigger or push frame received by r.
func (l *ledger) frame(r *receiver, f *client.Frame) {
	inOrder := r.seq.observe(f.Seq)
	l.live.frames.Add(1)
	switch f.Type {
	case protocol.FrameTrigger:
		r.stats.Triggers++
	case protocol.FramePush:
		l.push(r, f, inOrder)
	}
}

func (l *ledger) push(r *receiver, f *client.Frame, inOrder bool) {
	h, ok := parsePayload(f.Data)
	var n uint64
	if ok {
		n, ok = l.index(h.ID)
	}
	if !ok {
		r.stats.Foreign++ // not one of this run's pushes
		return
	}
	r.stats.Pushes++
	if h.Sub != r.sub {
		r.stats.Misrouted++
	}
	if l.table.e[n].recv.Add(1) > 1 {
		r.stats.Duplicates++
		return
	}
	if r.conn != nil {
		r.conn.received.Add(1)
	}
	e2e := f.Received.Sub(time.Unix(0, h.Intended))
	if e2e > l.timeout {
		r.stats.Late++
	}
	if !inOrder {
		r.stats.PushReordered++
	}
	measured := h.Intended >= l.measureFrom
	l.rec.record(r.sub, mEndToEnd, e2e, measured)
	l.rec.record(r.sub, mService, f.Received.Sub(time.Unix(0, h.Sent)), measured)
}

// Pushes are the send-side figures of a run.
type Pushes struct {
	Scheduled uint64 `json:"scheduled"` // in the schedule
	Sent      uint64 `json:"sent"`      // requests started
	Unsent    uint64 `json:"unsent"`    // due, but no session was open
	NotDue    uint64 `json:"notDue"`    // never due: the run was cut short
	Accepted  uint64 `json:"accepted"`  // 202
	Rejected  uint64 `json:"rejected"`  // HTTP error status
	Failed    uint64 `json:"failed"`    // no answer: timeout or transport error
	// LateSends started more than Options.LateSend after their intended
	// time: the driver, not the target, fell behind.
	LateSends      uint64  `json:"lateSends"`
	MaxSendLagUs   int64   `json:"maxSendLagUs"`
	TargetRate     float64 `json:"targetRate"`   // measured part, this shard
	AchievedRate   float64 `json:"achievedRate"` // sent per second, measured part
	AcceptedRate   float64 `json:"acceptedRate"`
	MeasuredPushes uint64  `json:"measuredPushes"` // sent after the warmup
}

// Delivery is the fate of the accepted pushes. Every accepted push is
// received (at least once) or lost, or still in flight when the run was
// cut short: Accepted = Received + Lost + InFlight.
type Delivery struct {
	Accepted    uint64 `json:"accepted"`
	Received    uint64 `json:"received"`    // at least once
	ExactlyOnce uint64 `json:"exactlyOnce"` // once, no duplicate
	Duplicated  uint64 `json:"duplicated"`  // pushes received more than once
	Lost        uint64 `json:"lost"`        // never received
	// LostAcrossReconnect are the lost pushes accepted for a session
	// that ended before the run did.
	LostAcrossReconnect uint64 `json:"lostAcrossReconnect"`
	InFlight            uint64 `json:"inFlight"`   // not received, still within PushTimeout at cut-off
	OutOfOrder          uint64 `json:"outOfOrder"` // received with a seq below one seen before
	Late                uint64 `json:"late"`       // received more than PushTimeout after the intended time
	// ReceivedUnaccepted are frames of pushes whose request failed or
	// was refused: the server queued what it did not confirm.
	ReceivedUnaccepted uint64  `json:"receivedUnaccepted"`
	Misrouted          uint64  `json:"misrouted"`     // arrived at another subscription
	ForeignFrames      uint64  `json:"foreignFrames"` // push frames that are not this run's
	DeliveredPercent   float64 `json:"deliveredPercent"`
	InvariantHolds     bool    `json:"invariantHolds"`
	Invariant          string  `json:"invariant"`
}

// tally goes over the push table once the run has ended. cutoff is the
// offset from the push start after which nothing more was received; when
// the run was cut short, pushes due within PushTimeout before it count as
// in flight rather than lost.
func tally(t *pushTable, sched Schedule, cutoff, timeout time.Duration, dispatched uint64, cutShort bool) (Pushes, Delivery) {
	var p Pushes
	var d Delivery
	p.Scheduled = sched.Total()
	p.NotDue = p.Scheduled - min(dispatched, p.Scheduled)
	for n := range t.e {
		st, recv := t.e[n].state.Load(), uint64(t.e[n].recv.Load())
		p.Sent += bit(st, stSent)
		p.Unsent += bit(st, stUnsent)
		p.Rejected += bit(st, stRejected)
		p.Failed += bit(st, stFailed)
		if st&stAccepted == 0 {
			if recv > 0 {
				d.ReceivedUnaccepted++
			}
			continue
		}
		p.Accepted++
		switch {
		case recv == 1:
			d.Received++
			d.ExactlyOnce++
		case recv > 1:
			d.Received++
			d.Duplicated++
		default:
			if due, _ := sched.Due(uint64(n)); cutShort && cutoff-due < timeout {
				d.InFlight++
			} else {
				d.Lost++
			}
		}
	}
	d.Accepted = p.Accepted
	return p, d
}

func bit(st, b uint32) uint64 {
	if st&b != 0 {
		return 1
	}
	return 0
}

// check fills the invariant fields; workerAccepted is the workers' own
// count of 202s, an independent check of the table.
func (d *Delivery) check(workerAccepted uint64) {
	d.InvariantHolds = d.Accepted == d.Received+d.Lost+d.InFlight && workerAccepted == d.Accepted
	mark := "holds"
	if !d.InvariantHolds {
		mark = "VIOLATED"
	}
	d.Invariant = fmt.Sprintf("accepted %d = received %d + lost %d + in flight %d: %s", d.Accepted, d.Received, d.Lost, d.InFlight, mark)
	if workerAccepted != d.Accepted {
		d.Invariant += fmt.Sprintf(" (workers counted %d accepted)", workerAccepted)
	}
	if d.Accepted > 0 {
		d.DeliveredPercent = 100 * float64(d.Received) / float64(d.Accepted)
	} else {
		d.DeliveredPercent = 100
	}
}

// clientFrame is a received frame.
type clientFrame = client.Frame
