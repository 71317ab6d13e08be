package mockserver

import (
	"time"

	"github.com/gorilla/websocket"
)

// liveness tracks a session's oldest unanswered ping (PROTOCOL.md
// section 3.3: a connection that has not answered within two intervals
// is closed). Its times are offsets from the session's opening, read
// from the monotonic clock, so that a step of the wall clock neither
// drops a live client nor keeps a dead one. It belongs to the writer.
type liveness struct {
	interval time.Duration // the heartbeat
	pending  bool          // whether a ping is unanswered
	sent     time.Duration // when the oldest unanswered ping was sent
}

// update forgets the pending ping if a pong came after it was sent.
func (l *liveness) update(lastPong time.Duration) {
	if l.pending && lastPong >= l.sent {
		l.pending = false
	}
}

// dead reports whether, at now, a ping has gone unanswered for two
// intervals; a quarter interval of slack absorbs timer jitter.
func (l *liveness) dead(now, lastPong time.Duration) bool {
	l.update(lastPong)
	return l.pending && now-l.sent >= 2*l.interval-l.interval/4
}

// pinged records a ping sent at now.
func (l *liveness) pinged(now time.Duration) {
	if !l.pending {
		l.pending, l.sent = true, now
	}
}

// deadline is when a write begun at now must have ended: two intervals
// after the pending ping, or after now when no ping is pending. A client
// that stops reading blocks writes, and answers no ping either.
func (l *liveness) deadline(now, lastPong time.Duration) time.Duration {
	l.update(lastPong)
	if l.pending {
		return l.sent + 2*l.interval
	}
	return now + 2*l.interval
}

// pongAt is when the last pong came, as an offset from the opening.
func (ss *session) pongAt() time.Duration { return time.Duration(ss.lastPong.Load()) }

// writeDeadline is the deadline of a write begun at now.
func (ss *session) writeDeadline(now time.Time) time.Time {
	return ss.opened.Add(ss.live.deadline(now.Sub(ss.opened), ss.pongAt()))
}

// ping drops the connection if a ping has gone unanswered for two
// intervals, and sends a ping otherwise. The next is due a heartbeat
// later.
func (ss *session) ping(now time.Time) {
	ss.nextPing = now.Add(ss.srv.heartbeat)
	at := now.Sub(ss.opened)
	if ss.live.dead(at, ss.pongAt()) {
		if ss.close(closeAbort, websocket.CloseAbnormalClosure) {
			ss.reason = "no pong"
		}
		return
	}
	if err := ss.conn.WriteControl(websocket.PingMessage, nil, ss.writeDeadline(now)); err != nil {
		ss.writeFailed(err)
		return
	}
	ss.live.pinged(at)
}

// sleep waits for d, or until the writer is woken (new frame, close,
// faults changed), and sends the pings that fall due meanwhile, so that
// faults do not hold them up (an idle writer parks instead, see park).
// It reports whether d passed.
func (ss *session) sleep(d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		now := time.Now()
		if !now.Before(end) {
			return true
		}
		if !now.Before(ss.nextPing) {
			ss.ping(now)
			continue
		}
		wait := min(ss.nextPing.Sub(now), end.Sub(now))
		if ss.timer == nil {
			ss.timer = time.NewTimer(wait)
		} else {
			ss.timer.Reset(wait)
		}
		select {
		case <-ss.timer.C:
		case <-ss.wake:
			ss.timer.Stop()
			return false
		}
	}
}
