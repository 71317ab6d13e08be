package mockserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/spec"
)

// framePool holds the buffers frames are built in, so that an event is
// copied once per session straight into a reused buffer.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledFrame bounds the buffers kept in framePool.
const maxPooledFrame = 64 << 10

// writeLoop is the session's writer goroutine: it sends the session
// frame, then the queued frames in seq order and the pings, and finally
// closes the connection and tears the session down.
func (ss *session) writeLoop() {
	defer ss.srv.wg.Done()
	defer ss.teardown()
	if err := ss.writeSessionFrame(); err != nil {
		ss.close(closeAbort, websocket.CloseAbnormalClosure)
	}
	tick := time.NewTicker(ss.srv.heartbeat)
	defer tick.Stop()
	var unanswered time.Time // when the oldest unanswered ping was sent
	for {
		it, ok, closing := ss.pop()
		switch {
		case closing:
			ss.finishClose()
			return
		case !ok:
			select {
			case <-ss.wake:
			case <-tick.C:
				ss.ping(&unanswered)
			}
			continue
		}
		select {
		case <-tick.C: // busy: still ping on time
			ss.ping(&unanswered)
		default:
		}
		if err := ss.writeItem(it); err != nil {
			ss.writeFailed(err)
		}
	}
}

func (ss *session) writeSessionFrame() error {
	frame, err := spec.SessionFrame(ss.id, []byte(ss.pat.String()), ss.srv.hbSeconds)
	if err != nil {
		return err
	}
	if err := ss.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
		return err
	}
	ss.srv.stats.sessionFrames.Add(1)
	return nil
}

// errClosing means the session began closing while a frame waited.
var errClosing = errors.New("session closing")

// writeItem waits out the stall and latency faults, then writes one
// frame and applies the close faults.
func (ss *session) writeItem(it item) error {
	if err := ss.delay(it); err != nil {
		return err
	}
	bp := framePool.Get().(*[]byte)
	b := (*bp)[:0]
	if it.kind == kindTrigger {
		b = spec.AppendTriggerFrame(b, it.seq, it.data)
	} else {
		b = spec.AppendPushFrame(b, it.seq, it.data)
	}
	err := ss.conn.WriteMessage(websocket.TextMessage, b)
	if cap(b) <= maxPooledFrame {
		*bp = b
		framePool.Put(bp)
	}
	if err != nil {
		return err
	}
	if it.kind == kindTrigger {
		ss.srv.stats.triggerFrames.Add(1)
	} else {
		ss.srv.stats.pushFrames.Add(1)
	}
	ss.written++
	f := ss.srv.faults.Load()
	if f.closes() && (f.CloseAfterFrames > 0 && ss.written >= f.CloseAfterFrames || ss.srv.rand.chance(f.CloseProbability)) {
		if f.CloseReset {
			ss.close(closeReset, websocket.CloseAbnormalClosure)
		} else {
			ss.close(closeFrame, f.CloseCode)
		}
	}
	return nil
}

// delay waits until the frame may be written: after a stall, and after
// its latency (drawn once per frame) has passed since it was queued.
func (ss *session) delay(it item) error {
	var (
		lat   time.Duration
		drawn bool
	)
	for {
		f := ss.srv.faults.Load()
		now := time.Now()
		due := now
		if end, ok := f.stalled(now); ok {
			due = end
		} else if f.Latency > 0 || f.Jitter > 0 {
			if !drawn {
				lat, drawn = ss.srv.rand.jittered(f.Latency, f.Jitter), true
			}
			queued := now
			if it.at != 0 {
				queued = time.Unix(0, it.at)
			}
			due = queued.Add(lat)
		}
		if !due.After(now) {
			return nil
		}
		if !ss.sleep(due.Sub(now)) && ss.isClosing() {
			ss.mu.Lock()
			ss.dropLocked(1)
			ss.mu.Unlock()
			return errClosing
		}
	}
}

// sleep waits for d, or until the writer is woken (new frame, close,
// faults changed); it reports whether d passed.
func (ss *session) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ss.wake:
		return false
	}
}

// writeFailed handles a failed write: the connection is gone, unless the
// reader is closing it (gorilla refuses writes once it sent 1009).
func (ss *session) writeFailed(err error) {
	if errors.Is(err, errClosing) || errors.Is(err, websocket.ErrCloseSent) {
		return
	}
	ss.close(closeAbort, websocket.CloseAbnormalClosure)
}

// ping sends a ping, or drops the connection if a ping has gone
// unanswered for two intervals (a quarter interval of slack absorbs
// ticker jitter).
func (ss *session) ping(unanswered *time.Time) {
	now := time.Now()
	if !unanswered.IsZero() && ss.lastPong.Load() >= unanswered.UnixNano() {
		*unanswered = time.Time{}
	}
	hb := ss.srv.heartbeat
	if !unanswered.IsZero() && now.Sub(*unanswered) >= 2*hb-hb/4 {
		ss.reason = "no pong"
		ss.close(closeAbort, websocket.CloseAbnormalClosure)
		return
	}
	if err := ss.conn.WriteControl(websocket.PingMessage, nil, now.Add(hb)); err != nil {
		ss.writeFailed(err)
		return
	}
	if unanswered.IsZero() {
		*unanswered = now
	}
}

// finishClose ends the connection the way the close was decided.
func (ss *session) finishClose() {
	ss.mu.Lock()
	kind, code := ss.kind, ss.code
	ss.mu.Unlock()
	switch kind {
	case closeFrame:
		msg := websocket.FormatCloseMessage(code, closeCodeName(code))
		if ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(ss.srv.closeTimeout)) == nil {
			<-ss.readDone // the client's answer; forceStop bounds the wait
		}
	case closeReset:
		if tc, ok := ss.nc.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	case closeByPeer:
		<-ss.readDone
	}
	_ = ss.nc.Close()
	<-ss.readDone
}

// teardown forgets the session once its connection is closed, counts
// its end and logs it.
func (ss *session) teardown() {
	ss.mu.Lock()
	if ss.forceStop != nil {
		ss.forceStop.Stop()
	}
	code, dropped, reason := ss.code, ss.dropped, ss.endReason()
	ss.mu.Unlock()
	srv := ss.srv
	srv.removeSession(ss)
	srv.stats.closes.add(code)
	if srv.log.Enabled(context.Background(), slog.LevelInfo) {
		attrs := []slog.Attr{
			slog.String("session", ss.tag),
			slog.String("account", ss.acct.name),
			slog.Int("code", code),
			slog.Duration("duration", time.Since(ss.opened)),
			slog.Int("frames", ss.written),
			slog.Uint64("dropped", dropped),
		}
		attrs = append(attrs, slog.String("reason", reason))
		srv.log.LogAttrs(context.Background(), slog.LevelInfo, "close", attrs...)
	}
}

// endReason says in a few words why the session ended. ss.mu is held.
func (ss *session) endReason() string {
	switch ss.kind {
	case closeFrame:
		if name := closeCodeName(ss.code); name != "" {
			return name
		}
		return "fault"
	case closeReset:
		return "fault: reset"
	case closeAbort:
		if ss.reason != "" {
			return ss.reason
		}
		return "write failed"
	}
	switch ss.code {
	case spec.CloseMessageTooBig:
		return "client frame too big"
	case websocket.CloseAbnormalClosure:
		return "connection lost"
	}
	return "client closed"
}
