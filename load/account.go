package load

import (
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
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
	seq   protocol.SeqCheck
	conn  *conn
	stats subStats
}

// newSession resets the seq check for a new session of the subscription.
func (r *receiver) newSession(c *conn) {
	r.stats.Gaps += r.seq.Missing
	r.stats.Reordered += r.seq.Reordered
	r.stats.DupSeq += r.seq.Duplicates
	r.seq, r.conn = protocol.SeqCheck{}, c
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
	// a gap is in order too: the frames missing before it are counted
	ev := r.seq.Observe(f.Seq)
	inOrder := ev.Kind == protocol.SeqInOrder || ev.Kind == protocol.SeqGap
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

// tally goes over the push table once the run has ended. cutoff is the
// offset from the push start after which nothing more was received; when
// the run was cut short, pushes due within PushTimeout before it count as
// in flight rather than lost.
func tally(t *pushTable, sched Schedule, cutoff, timeout time.Duration, dispatched uint64, cutShort bool) (loadresult.Pushes, loadresult.Delivery) {
	var p loadresult.Pushes
	var d loadresult.Delivery
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

// clientFrame is a received frame.
type clientFrame = client.Frame
