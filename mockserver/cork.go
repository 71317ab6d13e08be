package mockserver

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// corkLimit is the most a corked connection gathers before it writes
// anyway: a few dozen trigger frames, one TCP send of a useful size.
const corkLimit = 32 << 10

// corkPool holds the buffers of corked connections: a session holds one
// only while its writer gathers frames.
var corkPool = sync.Pool{New: func() any { b := make([]byte, 0, corkLimit); return &b }}

// corkConn is the connection under a session's websocket. While the
// writer has it corked, what is written gathers in a buffer, and
// goes out in one write when the writer uncorks it (or the buffer
// fills): frames queued together cost one system call, not one each.
// A write from elsewhere meanwhile (gorilla answering a ping or a close
// on the reader goroutine) joins the gathered bytes: everything leaves
// in the order gorilla wrote it, the control frame with the batch, a
// few microseconds later than it would have; gorilla itself refuses
// data frames after a close frame. Uncorked, writes go straight through.
//
// Every write through it is of whole frames (gorilla writes a control
// frame in one Write, and the session's text frames come through
// writeText), so a write the connection cuts short stops inside a known
// frame: the rest of that frame is kept (owed) and goes out before
// anything else, and a close frame written afterwards still starts on a
// frame boundary. Once the session is closing, halt cuts short the
// write under way and lets only the close frame through (writeClose):
// that is how the close frame goes out ahead of the frames the session
// drops, even to a client that has stopped reading (PROTOCOL.md section
// 3.3).
//
// A flusher (see flushers) corks it with corkNoWait: nothing gathered
// goes out until uncork, which writes only what the socket takes at
// once. What it does not take stays (the rest of the frame it stopped in
// owed, the whole frames after it gathered) and errWouldBlock says so;
// the session's own goroutine then writes it with flush, which may wait.
type corkConn struct {
	net.Conn
	mu        sync.Mutex
	closeSent bool // a close frame has gone through: no data frame may follow
	closeCode int  // its status code; 0 for none
	corked    bool
	nowait    bool                      // corked by a flusher: uncork must not wait
	try       func([]byte) (int, error) // a write that never waits; nil when the socket has none
	buf       *[]byte                   // from corkPool while anything is gathered
	bufTexts  uint64                    // text frames in buf
	deadline  time.Time                 // the write deadline gorilla set while corked
	pending   bool                      // deadline is not yet the connection's
	owed      []byte                    // the rest of a frame a write cut short: it goes first
	owedText  bool                      // owed is the rest of a text frame
	textsIn   uint64                    // text frames taken by writeText
	textsOut  uint64                    // text frames wholly written to the connection
	sendBuf   int                       // the SO_SNDBUF set on the TCP connection; 0 for none

	hmu     sync.Mutex // guards halted and writing; halt takes it, not mu
	halted  bool       // closing: nothing but the close frame goes out
	writing bool       // a write to the connection is under way

	in clientFrames // what the client sends; the reader's only
}

// errHalted is the error of a write refused because the session is
// closing.
var errHalted = errors.New("mockserver: session closing: only its close frame goes out")

// SetWriteDeadline comes before every frame written. While corked,
// nothing is written, so the deadline is only noted, and set once
// before the batch goes out: a system call a batch, not a frame. The
// batch gets the latest deadline noted: a pong's short one, set by
// gorilla's reader meanwhile, does not cut short the frames' own.
func (c *corkConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.corked {
		if !c.pending || t.After(c.deadline) {
			c.deadline = t
		}
		c.pending = true
		return nil
	}
	c.pending = false
	return c.Conn.SetWriteDeadline(t)
}

// Write gathers p while corked and there is room, and otherwise writes
// what has gathered and p, in one write.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) > 0 && p[0] == finClose { // gorilla writes a control frame whole
		if c.closeSent { // gorilla answering the client's close: ours went out
			return len(p), nil
		}
		c.closeSent = true
		if len(p) >= 4 && p[1] >= 2 && p[1] < 126 { // unmasked, with a status code
			c.closeCode = int(binary.BigEndian.Uint16(p[2:4]))
		}
	}
	if c.buf == nil && !c.corked {
		if err := c.writeLocked(p, 0); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if c.buf == nil {
		c.buf = corkPool.Get().(*[]byte)
	}
	*c.buf = append(*c.buf, p...)
	if c.corked && (c.nowait || len(*c.buf) < corkLimit) {
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// The first byte of a server's final text and close frames (RFC 6455
// section 5.2: FIN, then the opcode).
const (
	finText  = 0x80 | websocket.TextMessage
	finClose = 0x80 | websocket.CloseMessage
)

// writeText adds one unmasked text frame of n payload bytes, which
// payload appends to its argument, to the gathered bytes (or writes it
// at once, uncorked): the session writer's frames go straight into the
// batch, with no copy through gorilla's writer. Like gorilla, it refuses
// a data frame once a close frame has gone out.
func (c *corkConn) writeText(n int, payload func([]byte) []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return websocket.ErrCloseSent
	}
	if c.buf == nil {
		c.buf = corkPool.Get().(*[]byte)
	}
	before := len(*c.buf)
	b := appendTextHeader(*c.buf, n)
	start := len(b)
	b = payload(b)
	if len(b)-start != n {
		*c.buf = b[:before] // never a frame whose length lies
		return fmt.Errorf("mockserver: a frame of %d bytes announced as %d", len(b)-start, n)
	}
	*c.buf = b
	c.bufTexts++
	c.textsIn++
	if c.corked && (c.nowait || len(b) < corkLimit) {
		return nil
	}
	return c.flushLocked()
}

// appendTextHeader appends the header of a final, unmasked text frame
// of n payload bytes.
func appendTextHeader(b []byte, n int) []byte {
	switch {
	case n < 126:
		return append(b, finText, byte(n))
	case n <= 0xffff:
		return append(b, finText, 126, byte(n>>8), byte(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, finText, 127), uint64(n))
	}
}

// sentClose is the status code of the close frame that went through
// the connection, and 0 when none did or it had none: gorilla's own
// close after a protocol error (1002) or an oversized frame (1009).
func (c *corkConn) sentClose() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode
}

// cork starts gathering writes.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// corkNoWait starts gathering writes for a flusher, whose uncork will
// not wait. It reports false, leaving the connection as it was, when the
// connection has no write that never waits, or when another goroutine
// holds it: that may be gorilla's reader answering a ping to a client
// that stopped reading, blocked until its deadline, and a flusher must
// not wait for it.
func (c *corkConn) corkNoWait() bool {
	if c.try == nil || !c.mu.TryLock() {
		return false
	}
	defer c.mu.Unlock()
	c.corked, c.nowait = true, true
	return true
}

// uncork writes what has gathered and stops gathering. Its error is
// that of the connection: the frames gathered are then lost. Corked by
// corkNoWait, it writes what the socket takes at once (tryFlushLocked).
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	if c.nowait {
		c.nowait = false
		return c.tryFlushLocked()
	}
	return c.flushLocked()
}

// errWouldBlock says that the socket did not take everything gathered
// at once: the rest waits for flush.
var errWouldBlock = errors.New("mockserver: the socket's send buffer is full")

// tryFlushLocked writes the gathered bytes as far as the socket takes
// them at once. The text frames that went out wholly are counted; the
// rest of the frame it stopped in is owed and the whole frames after it
// stay gathered, with errWouldBlock. Any other error loses the frames
// gathered, as in flushLocked. c.mu is held.
func (c *corkConn) tryFlushLocked() error {
	if c.buf == nil {
		return nil
	}
	if len(c.owed) > 0 { // only after a write failed: let flush have it
		return errWouldBlock
	}
	if err := c.applyDeadlineLocked(); err != nil { // the socket's own refuses once passed
		c.releaseBuf()
		return err
	}
	b := *c.buf
	n, err := 0, errHalted
	if c.begin() {
		n, err = c.try(b)
		c.end()
	}
	if err != nil { // nothing went out (tryWriter takes nothing on an error)
		c.releaseBuf()
		return err
	}
	rest := append(b[:0], b[c.countCutShort(b, n):]...)
	if len(rest) == 0 {
		c.releaseBuf()
	} else {
		*c.buf, c.bufTexts = rest, 0
		for i := 0; i < len(rest); i += frameSize(rest[i:]) {
			if rest[i] == finText {
				c.bufTexts++
			}
		}
	}
	if len(rest) > 0 || len(c.owed) > 0 {
		return errWouldBlock
	}
	return nil
}

// flush writes what a corkNoWait's uncork left, the owed rest of a
// frame first, waiting as long as the write deadline allows.
func (c *corkConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.buf != nil {
		return c.flushLocked()
	}
	if len(c.owed) == 0 {
		return nil
	}
	if err := c.applyDeadlineLocked(); err != nil {
		return err
	}
	return c.writeLocked(nil, 0)
}

// releaseBuf gives the gathering buffer back, if it is not too big to
// keep. c.mu is held.
func (c *corkConn) releaseBuf() {
	if c.buf == nil {
		return
	}
	if cap(*c.buf) <= 2*corkLimit {
		*c.buf = (*c.buf)[:0]
		corkPool.Put(c.buf)
	}
	c.buf, c.bufTexts = nil, 0
}

// flushLocked writes the gathered bytes and gives the buffer back.
// c.mu is held.
func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	if len(*c.buf) == 0 { // all taken back
		corkPool.Put(c.buf)
		c.buf, c.bufTexts = nil, 0
		return nil
	}
	if err := c.applyDeadlineLocked(); err != nil {
		return err
	}
	err := c.writeLocked(*c.buf, c.bufTexts)
	c.releaseBuf()
	return err
}

// applyDeadlineLocked sets the write deadline noted while corked.
// c.mu is held.
func (c *corkConn) applyDeadlineLocked() error {
	if !c.pending {
		return nil
	}
	c.pending = false
	return c.Conn.SetWriteDeadline(c.deadline)
}

// writeLocked writes b, whole frames of which texts are text frames,
// after what a write cut short before owes. A write cut short counts
// the text frames it wrote wholly, and keeps the rest of the frame it
// stopped in. c.mu is held.
func (c *corkConn) writeLocked(b []byte, texts uint64) error {
	if !c.begin() {
		return errHalted
	}
	defer c.end()
	if len(c.owed) > 0 {
		n, err := c.Conn.Write(c.owed)
		c.owed = c.owed[n:]
		if err != nil {
			return err
		}
		if c.owedText {
			c.textsOut++
		}
		c.owed, c.owedText = nil, false
	}
	if len(b) == 0 {
		return nil
	}
	n, err := c.Conn.Write(b)
	if err == nil {
		c.textsOut += texts
		return nil
	}
	c.countCutShort(b, n)
	return err
}

// countCutShort follows b, whole frames of which a write sent the first
// n bytes: it counts the text frames that went out wholly and keeps the
// rest of the frame the write stopped in as owed. It returns where the
// frames the write did not reach begin. c.mu is held.
func (c *corkConn) countCutShort(b []byte, n int) int {
	i := 0
	for i < n {
		end := i + frameSize(b[i:])
		if end > n {
			c.owed = append([]byte(nil), b[n:end]...)
			c.owedText = b[i] == finText
			return end
		}
		if b[i] == finText {
			c.textsOut++
		}
		i = end
	}
	return i
}

// frameSize is the size, header included, of the unmasked frame at the
// start of b, which holds it whole.
func frameSize(b []byte) int {
	if len(b) < 2 {
		return len(b)
	}
	n, h := uint64(b[1]&0x7f), 2
	switch {
	case n == 126 && len(b) >= 4:
		n, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case n == 127 && len(b) >= 10:
		n, h = binary.BigEndian.Uint64(b[2:]), 10
	}
	return int(min(uint64(h)+n, uint64(len(b))))
}

// begin marks a write under way, unless the session is closing.
func (c *corkConn) begin() bool {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.writing = !c.halted
	return c.writing
}

func (c *corkConn) end() {
	c.hmu.Lock()
	c.writing = false
	c.hmu.Unlock()
}

// halt refuses every write but the close frame from now on, and cuts
// short the write under way (a writer blocked on a client that stopped
// reading), through a deadline in the past. It does not wait for mu,
// which that writer holds.
func (c *corkConn) halt() {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.halted = true
	if c.writing {
		_ = c.Conn.SetWriteDeadline(time.Unix(1, 0))
	}
}

// writeClose writes the close frame with payload msg (a status code and
// a reason), after the rest of a frame cut short, by deadline. The send
// buffer of a client that stopped reading is full, so it is first
// raised by what is to be written plus corkLimit, the most the kernel
// may have queued beyond the limit (it checks the limit before it adds
// a segment, not after): the close frame is then in the kernel before
// the connection is closed, and a client that reads again gets it.
// The send buffer stays bounded, by SO_SNDBUF and one frame.
func (c *corkConn) writeClose(msg []byte, deadline time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return websocket.ErrCloseSent
	}
	c.closeSent = true
	if len(msg) >= 2 {
		c.closeCode = int(binary.BigEndian.Uint16(msg))
	}
	b := append(append(c.owed, finClose, byte(len(msg))), msg...)
	if tc, ok := c.Conn.(*net.TCPConn); ok && c.sendBuf > 0 {
		_ = tc.SetWriteBuffer(c.sendBuf + len(b) + corkLimit)
	}
	if err := c.Conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	if _, err := c.Conn.Write(b); err != nil {
		return err
	}
	if c.owedText {
		c.textsOut++
	}
	c.owed, c.owedText = nil, false
	return nil
}

// texts reports how many text frames writeText has taken and how many
// went out wholly, and whether the rest of one is owed.
func (c *corkConn) texts() (in, out uint64, owed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.textsIn, c.textsOut, c.owedText
}

// Read reads from the connection and follows the client's frames (see
// clientFrames). Only the session's reader calls it.
func (c *corkConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.scan(p[:n])
	return n, err
}

// corkingWriter hands the websocket upgrader a corkConn in place of the
// hijacked connection.
type corkingWriter struct {
	http.ResponseWriter
	sendBuf int // SO_SNDBUF of the connection (Options.SendBuffer)
	conn    *corkConn
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc, try: tryWriter(nc)}
	if tc, ok := nc.(*net.TCPConn); ok && w.sendBuf > 0 && tc.SetWriteBuffer(w.sendBuf) == nil {
		w.conn.sendBuf = w.sendBuf
	}
	return w.conn, brw, nil
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *corkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
