package mockserver

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// closeKind says how a session ends.
type closeKind uint8

const (
	closeFrame  closeKind = iota + 1 // the server sends a close frame and waits for the answer
	closeReset                       // the server resets the TCP connection (fault)
	closeAbort                       // the server drops the connection (no pong, write error)
	closeByPeer                      // the reader ended: the client closed, or reading failed
)

// session is one open websocket. Its writer owns all data and ping
// writes and the teardown; its reader goroutine reads control frames and
// discards data frames. The writer runs only while it has something to
// do: with the queue empty it parks, leaving a timer for the next ping,
// and signal starts it again (see park). It runs as a flusher's turn
// when its write cannot wait, and as a goroutine of its own otherwise
// (see flushers).
type session struct {
	srv    *Server
	id     string
	tag    string
	acct   *account
	pat    *pattern.Pattern
	conn   *websocket.Conn
	nc     *corkConn // under conn
	opened time.Time // with a monotonic reading: liveness times are offsets from it

	// Writer only.
	written  int         // trigger and push frames written
	batch    []uint8     // kinds of the frames of the write under way
	owed     uint8       // kind of the frame a cut-short write left half sent; 0 for none
	live     liveness    // the oldest unanswered ping
	nextPing time.Time   // when the next ping is due
	timer    *time.Timer // the waits of sleep

	mu        sync.Mutex
	running   bool        // the writer runs (or waits for its turn, see flushers)
	ended     bool        // torn down: no writer starts again
	pingTimer *time.Timer // while parked: starts the writer for the next ping
	q         ring[item]
	seq       uint64 // last seq assigned
	closing   bool
	kind      closeKind
	code      int    // close code sent, or received when closeByPeer; 1006 for none
	reason    string // why a closeAbort happened; writer only
	closeText string // the close frame's reason, when closeWith gave one
	dropped   uint64
	forceStop *time.Timer // drops the connection if the close handshake hangs

	wake     chan struct{} // capacity 1: "look at the queue"
	readDone chan struct{} // closed when the reader ends
	lastPong atomic.Int64  // when the last pong came, as a time.Duration since opened
}

// newSessionID returns 144 random bits, URL-safe base64 (24 characters).
func newSessionID() string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SessionTag returns the tag that log lines carry instead of a session
// id: the first 6 hex digits of the id's SHA-256, enough to correlate
// lines and not enough to recover or guess the id.
func SessionTag(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:3])
}

// signal wakes the writer without blocking, starting it if it is
// parked: on the flushers' ready list, or as a goroutine of its own
// when its connection has no write that never waits. ss.mu must not be
// held.
func (ss *session) signal() {
	ss.mu.Lock()
	start := !ss.running && !ss.ended
	ss.running = ss.running || start
	ss.mu.Unlock()
	switch {
	case start && ss.nc.try != nil:
		ss.srv.schedule(ss)
	case start:
		go ss.writeLoop(false) // owned by the session's count in s.wg
	default:
		ss.wakeRunning()
	}
}

// wakeRunning wakes a running writer without blocking; a parked one has
// nothing to look at.
func (ss *session) wakeRunning() {
	select {
	case ss.wake <- struct{}{}:
	default:
	}
}

// park stops the writer when there is nothing to write and the
// session is not closing, leaving a timer to start it again for the ping
// due in wait; it reports whether the writer should return. Checked
// under ss.mu, so that a frame queued meanwhile finds running false and
// starts a writer itself.
func (ss *session) park(wait time.Duration) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closing || ss.q.len() > 0 {
		return false
	}
	ss.running = false
	if ss.pingTimer == nil {
		ss.pingTimer = time.AfterFunc(wait, ss.signal)
	} else {
		ss.pingTimer.Reset(wait)
	}
	return true
}

// enqueueTrigger queues a trigger frame. A trigger that would overflow
// the queue closes the session with 4008 (and counts as dropped with
// everything queued); a closing session takes nothing.
func (ss *session) enqueueTrigger(event []byte, at time.Duration) bool {
	ss.mu.Lock()
	if ss.closing {
		ss.mu.Unlock()
		return false
	}
	if ss.q.len() >= ss.srv.queueSize {
		ss.dropLocked(1)
		ss.closeLocked(closeFrame, protocol.CloseSlowConsumer)
		ss.mu.Unlock()
		ss.signal()
		return false
	}
	ss.seq++
	ss.q.push(item{data: event, seq: ss.seq, at: at, kind: kindTrigger})
	ss.mu.Unlock()
	ss.signal()
	return true
}

// pushResult is the outcome of enqueuePush.
type pushResult uint8

const (
	pushQueued pushResult = iota
	pushFull
	pushClosed
)

// enqueuePush queues a push frame and returns its seq. A push that would
// overflow the queue is refused (pushFull: 429) and the session stays
// open; the client may retry.
func (ss *session) enqueuePush(data []byte, at time.Duration) (uint64, pushResult) {
	ss.mu.Lock()
	switch {
	case ss.closing:
		ss.mu.Unlock()
		return 0, pushClosed
	case ss.q.len() >= ss.srv.queueSize:
		ss.mu.Unlock()
		return 0, pushFull
	}
	ss.seq++
	seq := ss.seq
	ss.q.push(item{data: data, seq: seq, at: at, kind: kindPush})
	ss.mu.Unlock()
	ss.signal()
	return seq, pushQueued
}

// pop takes the next frame to write. closing is true once the session
// is closing; the queue is then empty.
func (ss *session) pop() (it item, ok, closing bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closing {
		return item{}, false, true
	}
	it, ok = ss.q.pop()
	return it, ok, false
}

// popFitting takes the next frame if the session is not closing and its
// data is at most room bytes.
func (ss *session) popFitting(room int) (item, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if it, ok := ss.q.front(); !ok || ss.closing || len(it.data) > room {
		return item{}, false
	}
	return ss.q.pop()
}

func (ss *session) isClosing() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.closing
}

// close starts closing the session, unless it is closing already. It
// reports whether this call started it.
func (ss *session) close(kind closeKind, code int) bool {
	ss.mu.Lock()
	started := ss.closeLocked(kind, code)
	ss.mu.Unlock()
	if started {
		ss.signal()
	}
	return started
}

// closeLocked marks the session closing: what is queued is dropped and
// counted, and a timer bounds the close handshake. The writer does the
// rest. ss.mu is held.
func (ss *session) closeLocked(kind closeKind, code int) bool {
	if ss.closing {
		return false
	}
	ss.closing, ss.kind, ss.code = true, kind, code
	ss.dropLocked(ss.q.clear())
	if kind == closeFrame { // the close frame goes before anything else
		ss.nc.halt()
	}
	ss.forceStop = time.AfterFunc(ss.srv.closeTimeout, func() { _ = ss.nc.Close() })
	return true
}

// drop counts n frames as dropped.
func (ss *session) drop(n int) {
	ss.mu.Lock()
	ss.dropLocked(n)
	ss.mu.Unlock()
}

func (ss *session) dropLocked(n int) {
	if n > 0 {
		ss.dropped += uint64(n)
		ss.srv.stats.dropped.Add(uint64(n))
	}
}

// readLoop reads until the connection ends: it answers pings, records
// pongs, discards data frames and lets gorilla close a frame over
// protocol.MaxClientFrame with 1009.
func (ss *session) readLoop() {
	defer close(ss.readDone)
	ss.conn.SetReadLimit(protocol.MaxClientFrame)
	ss.conn.SetPongHandler(func(string) error {
		ss.lastPong.Store(int64(time.Since(ss.opened)))
		return nil
	})
	ss.conn.SetPingHandler(func(data string) error {
		// A pong refused because the session is closing, or cut short
		// by a client that stopped reading, is no reason to stop
		// reading: the answer to the close frame is still to come, and
		// unread bytes would turn closing the socket into a reset.
		_ = ss.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(controlWait))
		return nil
	})
	ss.conn.SetCloseHandler(func(code int, _ string) error {
		if ss.nc.in.bad == "" { // else readEnded answers with 1002
			_ = ss.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(controlWait))
		}
		return nil
	})
	for {
		_, r, err := ss.conn.NextReader()
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		if err != nil {
			ss.readEnded(err)
			return
		}
	}
}

// controlWait bounds the write of a pong or of the answer to a close
// frame, as gorilla's own handlers do.
const controlWait = time.Second

// readEnded records why reading stopped.
func (ss *session) readEnded(err error) {
	var ce *websocket.CloseError
	bad := ss.nc.in.bad
	switch {
	case errors.As(err, &ce) && bad == "":
		// The client closed; the close handler has answered.
		ss.close(closeByPeer, ce.Code)
	case bad != "" || errors.Is(err, websocket.ErrReadLimit) || ss.nc.sentClose() != 0:
		// gorilla refused a frame and sent its close: 1009 for one over
		// the read limit, 1002 for a protocol error. Or the client broke
		// RFC 6455 in a way gorilla lets pass without a close frame
		// (clientFrames): it gets 1002 here. That is the code the
		// session ended with. Read what the client still sends (the rest
		// of the frame, its close answer) so that closing the socket
		// does not reset the connection before the client reads it.
		if bad != "" && ss.nc.sentClose() == 0 {
			msg := websocket.FormatCloseMessage(websocket.CloseProtocolError, bad)
			_ = ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(controlWait))
		}
		code := ss.nc.sentClose()
		switch {
		case code != 0:
		case bad != "":
			code = websocket.CloseProtocolError
		default:
			code = protocol.CloseMessageTooBig
		}
		ss.close(closeByPeer, code)
		_ = ss.nc.SetReadDeadline(time.Now().Add(ss.srv.closeTimeout))
		_, _ = io.Copy(io.Discard, io.LimitReader(ss.nc, 1<<20))
	default:
		ss.close(closeByPeer, websocket.CloseAbnormalClosure)
	}
}
