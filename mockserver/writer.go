package mockserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/gorilla/websocket"
	"github.com/wstrigger/wstrigger/protocol"
)

// startWriter starts the session's first writer, which sends the
// session frame; the session is made with running set, so that nothing
// starts another before it. The session's count in s.wg is its
// writer's: whichever writer goroutine finishes the close releases it.
func (ss *session) startWriter() {
	ss.live.interval = ss.srv.heartbeat
	ss.nextPing = time.Now().Add(ss.srv.heartbeat)
	go ss.writeLoop(true)
}

// writeLoop is a writer goroutine: the first sends the session frame;
// each sends the queued frames in seq order and the pings due, and parks
// when there is nothing left; the one that finds the session closing
// closes the connection and tears the session down.
func (ss *session) writeLoop(first bool) {
	if first {
		if err := ss.writeSessionFrame(); err != nil {
			ss.writeFailed(err)
		}
	}
	for {
		it, ok, closing := ss.pop()
		switch {
		case closing:
			ss.finishClose()
			ss.teardown()
			ss.srv.wg.Done()
			return
		case !ok:
			now := time.Now()
			if !now.Before(ss.nextPing) {
				ss.ping(now)
				continue
			}
			if ss.park(ss.nextPing.Sub(now)) {
				return
			}
			continue
		}
		if now := time.Now(); !now.Before(ss.nextPing) { // busy: still ping on time
			ss.ping(now)
		}
		if err := ss.writeItems(it); err != nil {
			ss.writeFailed(err)
		}
	}
}

func (ss *session) writeSessionFrame() error {
	frame, err := protocol.SessionFrame(ss.id, []byte(ss.pat.String()), ss.srv.hbSeconds)
	if err != nil {
		return err
	}
	_ = ss.nc.SetWriteDeadline(ss.writeDeadline(time.Now()))
	if err := ss.nc.writeText(len(frame), func(b []byte) []byte { return append(b, frame...) }); err != nil {
		return err
	}
	ss.srv.stats.sessionFrames.Add(1)
	return nil
}

// errClosing means the session began closing while a frame waited.
var errClosing = errors.New("session closing")

// frameOverhead bounds what a frame adds to its data: the websocket
// header and the JSON around the data.
const frameOverhead = 64

// writeItems waits out the stall and latency faults, then writes it and,
// while no frame fault is on, the frames queued behind it that fit in
// one write (corkLimit): their frames gather under the websocket and go
// out together, so that a busy session costs a system call per batch,
// not per frame. With a latency or close fault on, frames go one at a
// time (writeItem). A frame that is not written is counted as dropped.
func (ss *session) writeItems(it item) error {
	if err := ss.delay(it); err != nil {
		return err
	}
	f := ss.srv.faults.Load()
	if f.oneByOne() {
		return ss.writeItem(it, f)
	}
	_, out0, _ := ss.nc.texts()
	ss.batch = ss.batch[:0]
	ss.nc.cork()
	err := ss.gather(it)
	if ferr := ss.nc.uncork(); ferr != nil {
		err = ferr
	}
	ss.account(out0)
	return err
}

// gather writes the frame of it, and the queued frames that fit behind
// it in one write (corkLimit), to the corked connection, adding their
// kinds to ss.batch.
func (ss *session) gather(it item) error {
	for size, ok := 0, true; ok; {
		ss.batch = append(ss.batch, it.kind)
		if err := ss.writeFrame(it); err != nil {
			return err
		}
		size += len(it.data) + frameOverhead
		it, ok = ss.popFitting(corkLimit - size - frameOverhead)
	}
	return nil
}

// writeItem writes one frame and applies the close faults.
func (ss *session) writeItem(it item, f *Faults) error {
	_, out0, _ := ss.nc.texts()
	ss.batch = append(ss.batch[:0], it.kind)
	err := ss.writeFrame(it)
	ss.account(out0)
	if err != nil {
		return err
	}
	if f.closes() && (f.CloseAfterFrames > 0 && ss.written >= f.CloseAfterFrames || ss.srv.rand.chance(f.CloseProbability)) {
		if f.CloseReset {
			ss.close(closeReset, websocket.CloseAbnormalClosure)
		} else {
			ss.close(closeFrame, f.CloseCode)
		}
	}
	return nil
}

// account counts the frames of the write under way, whose kinds are in
// ss.batch, once it has ended; out0 is the connection's count of text
// frames written before it. The frames written wholly are sent; the one
// a cut-short write left half sent is owed (finishClose settles it);
// the others are dropped.
func (ss *session) account(out0 uint64) {
	_, out, owed := ss.nc.texts()
	sent := min(int(out-out0), len(ss.batch))
	ss.countSent(ss.batch[:sent])
	rest := ss.batch[sent:]
	if owed && len(rest) > 0 {
		ss.owed, rest = rest[0], rest[1:]
	}
	ss.drop(len(rest))
}

// countSent counts frames of the given kinds as sent.
func (ss *session) countSent(kinds []uint8) {
	var triggers int
	for _, k := range kinds {
		if k == kindTrigger {
			triggers++
		}
	}
	ss.srv.stats.triggerFrames.Add(uint64(triggers))
	ss.srv.stats.pushFrames.Add(uint64(len(kinds) - triggers))
	ss.written += len(kinds)
}

// writeFrame writes the frame of it, built straight into the corked
// connection's buffer.
func (ss *session) writeFrame(it item) error {
	_ = ss.nc.SetWriteDeadline(ss.writeDeadline(time.Now()))
	if it.kind == kindTrigger {
		return ss.nc.writeText(protocol.TriggerFrameLen(it.seq, it.data), func(b []byte) []byte {
			return protocol.AppendTriggerFrame(b, it.seq, it.data)
		})
	}
	return ss.nc.writeText(protocol.PushFrameLen(it.seq, it.data), func(b []byte) []byte {
		return protocol.AppendPushFrame(b, it.seq, it.data)
	})
}

// delay waits until the frame may be written: after a stall, and after
// its latency (drawn once per frame) has passed since it was queued. A
// frame whose session closes meanwhile is counted as dropped.
func (ss *session) delay(it item) error {
	var (
		lat   time.Duration
		drawn bool
	)
	for {
		f := ss.srv.faults.Load()
		now := time.Now()
		var wait time.Duration
		if end, ok := f.stalled(now); ok {
			wait = end.Sub(now)
		} else if f.Latency > 0 || f.Jitter > 0 {
			if !drawn {
				lat, drawn = ss.srv.rand.jittered(f.Latency, f.Jitter), true
			}
			wait = it.at + lat - now.Sub(ss.srv.epoch)
		}
		if wait <= 0 {
			return nil
		}
		if !ss.sleep(wait) && ss.isClosing() {
			ss.drop(1)
			return errClosing
		}
	}
}

// writeFailed handles a failed write: the connection is gone, unless a
// close frame went out before (gorilla sends one when it answers the
// client's close or refuses a frame over the read limit) and the reader
// is closing the session.
func (ss *session) writeFailed(err error) {
	if errors.Is(err, errClosing) || errors.Is(err, websocket.ErrCloseSent) {
		return
	}
	if ss.close(closeAbort, websocket.CloseAbnormalClosure) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			ss.reason = "write timed out"
		}
	}
}

// finishClose ends the connection the way the close was decided.
func (ss *session) finishClose() {
	ss.mu.Lock()
	kind, code := ss.kind, ss.code
	ss.mu.Unlock()
	switch kind {
	case closeFrame:
		// Straight to the connection, not through gorilla, which refuses
		// every write once one failed (a pong cut short by halt).
		msg := websocket.FormatCloseMessage(code, ss.closeReason(code))
		if ss.nc.writeClose(msg, time.Now().Add(ss.srv.closeTimeout)) == nil {
			if ss.owed != 0 { // the frame cut short went out ahead of the close
				ss.countSent([]uint8{ss.owed})
				ss.owed = 0
			}
			<-ss.readDone // the client's answer; forceStop bounds the wait
		}
	case closeReset:
		if tc, ok := ss.nc.Conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	case closeByPeer:
		<-ss.readDone
	}
	if ss.owed != 0 {
		ss.drop(1)
		ss.owed = 0
	}
	_ = ss.nc.Close()
	<-ss.readDone
}

// teardown counts the end of the session once its connection is closed,
// logs it, and then forgets the session: whoever sees the session gone
// (OpenSessions, or Close waiting) sees its close counted and logged.
func (ss *session) teardown() {
	ss.mu.Lock()
	ss.ended = true
	if ss.forceStop != nil {
		ss.forceStop.Stop()
	}
	if ss.pingTimer != nil {
		ss.pingTimer.Stop()
	}
	code, dropped, reason := ss.code, ss.dropped, ss.endReason()
	ss.mu.Unlock()
	srv := ss.srv
	defer srv.removeSession(ss)
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
	case protocol.CloseMessageTooBig:
		return "client frame too big"
	case websocket.CloseAbnormalClosure:
		return "connection lost"
	}
	return "client closed"
}
