package load

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
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

// subStats are one subscription's receive-side figures, written by the
// goroutine carrying it (see subscription) and read after the run.
type subStats struct {
	Triggers, Pushes, Duplicates, Reordered uint64
	PushReordered                           uint64
	Misrouted, Foreign                      uint64
	Gaps, DupSeq, Reconnects                uint64
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

// ledger is the push accounting of a run: the push table, which the
// workers mark as they send and the readers as they receive, and the
// figures tallied from it at the end.
type ledger struct {
	table       *pushTable
	sched       Schedule
	rec         *recorder
	live        *live
	shard       Shard
	timeout     time.Duration // PushTimeout: a frame later than this is late
	lateSend    time.Duration // a push started later than this is a late send
	measureFrom int64         // Unix nanoseconds: pushes intended before are warmup
}

func newLedger(o *Options, l *live, rec *recorder) *ledger {
	sched := o.schedule()
	return &ledger{table: newPushTable(sched.Total()), sched: sched, rec: rec, live: l, shard: o.Shard, timeout: o.PushTimeout, lateSend: o.LateSend}
}

// measured reports whether a push intended at intended falls after the
// warmup.
func (l *ledger) measured(intended time.Time) bool { return intended.UnixNano() >= l.measureFrom }

// id is push n's id, unique over the shards.
func (l *ledger) id(n uint64) uint64 { return n*uint64(l.shard.N) + uint64(l.shard.K) }

// unsent marks push n as due with no open session to push to.
func (l *ledger) unsent(n uint64) {
	l.table.e[n].state.Or(stUnsent)
	l.live.unsent.Add(1)
}

// sending marks push n as started at sentAt, and counts it late when it
// started more than lateSend after its intended time.
func (l *ledger) sending(n uint64, intended, sentAt time.Time) {
	if lag := sentAt.Sub(intended); lag > l.lateSend {
		l.live.lateSends.Add(1)
		for old := l.live.maxLag.Load(); int64(lag) > old && !l.live.maxLag.CompareAndSwap(old, int64(lag)); old = l.live.maxLag.Load() {
		}
	}
	l.table.e[n].state.Or(stSent)
	l.live.sent.Add(1)
}

// answered records push n's answer: accepted for c when err is nil,
// rejected for an HTTP error status, failed (outcome unknown) otherwise.
func (l *ledger) answered(n uint64, c *conn, err error) {
	e := &l.table.e[n]
	var he *client.HTTPError
	switch {
	case err == nil:
		c.accepted.Add(1)
		e.state.Or(stAccepted)
		l.live.accepted.Add(1)
	case errors.As(err, &he):
		e.state.Or(stRejected)
		l.live.rejected.Add(1)
	default:
		e.state.Or(stFailed)
		l.live.failed.Add(1)
	}
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
	l.live.received.Add(1)
	if r.conn != nil {
		r.conn.received.Add(1)
	}
	e2e := f.Received.Sub(time.Unix(0, h.Intended))
	if e2e > l.timeout {
		l.live.late.Add(1) // the one count of late frames: Delivery.Late is this
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
func (l *ledger) tally(cutoff time.Duration, cutShort bool) (loadresult.Pushes, loadresult.Delivery) {
	var p loadresult.Pushes
	var d loadresult.Delivery
	p.Scheduled = l.sched.Total()
	p.NotDue = p.Scheduled - min(l.live.dispatched.Load(), p.Scheduled)
	for n := range l.table.e {
		st, recv := l.table.e[n].state.Load(), uint64(l.table.e[n].recv.Load())
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
			if due, _ := l.sched.Due(uint64(n)); cutShort && cutoff-due < l.timeout {
				d.InFlight++
			} else {
				d.Lost++
			}
		}
	}
	d.Accepted = p.Accepted
	return p, d
}

// censor records a sample in e2e and svc for every push after the
// warmup that was accepted but not received by the cut-off (an offset
// from the push start), lost or in flight: in e2e its age then, cutoff
// less its due time, and in svc that age less the most any send lagged
// its due time. Both are lower bounds of latencies never observed
// (censored samples): left out, a stall over the end of a run would
// hide from the percentiles. It returns how many it recorded.
func (l *ledger) censor(cutoff, warmup time.Duration, e2e, svc *hdrhistogram.Histogram) int64 {
	lag := max(time.Duration(l.live.maxLag.Load()), l.lateSend)
	var n int64
	for i := range l.table.e {
		e := &l.table.e[i]
		if e.state.Load()&stAccepted == 0 || e.recv.Load() > 0 {
			continue
		}
		due, _ := l.sched.Due(uint64(i))
		if due < warmup {
			continue
		}
		age := cutoff - due
		_ = e2e.RecordValue(micros(age))
		_ = svc.RecordValue(micros(age - lag))
		n++
	}
	return n
}

func bit(st, b uint32) uint64 {
	if st&b != 0 {
		return 1
	}
	return 0
}

// sendFigures adds the send-side rates and lags to p: the rates over
// span, the measured part of the run after warmup, or of a run cut short
// (cutShort) the part of it up to the cutoff.
func (l *ledger) sendFigures(p *loadresult.Pushes, warmup, span, cutoff time.Duration, cutShort bool) {
	p.LateSends = l.live.lateSends.Load()
	p.MaxSendLagUs = time.Duration(l.live.maxLag.Load()).Microseconds()
	if cutShort {
		span = min(max(cutoff-warmup, 0), span)
	}
	var measured, accepted, due uint64
	for n := range l.table.e {
		at, _ := l.sched.Due(uint64(n))
		if at < warmup || at >= warmup+span {
			continue
		}
		due++
		st := l.table.e[n].state.Load()
		measured += bit(st, stSent)
		accepted += bit(st, stAccepted)
	}
	p.MeasuredPushes = measured
	if secs := span.Seconds(); secs > 0 {
		p.TargetRate = float64(due) / secs
		p.AchievedRate = float64(measured) / secs
		p.AcceptedRate = float64(accepted) / secs
	}
}
