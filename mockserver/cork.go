package mockserver

import (
	"bufio"
	"encoding/binary"
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
type corkConn struct {
	net.Conn
	mu        sync.Mutex
	closeSent bool // a close frame has gone through: no data frame may follow
	closeCode int  // its status code; 0 for none
	corked    bool
	buf       *[]byte   // from corkPool while anything is gathered
	deadline  time.Time // the write deadline gorilla set while corked
	pending   bool      // deadline is not yet the connection's
}

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
		c.closeSent = true
		if len(p) >= 4 && p[1] >= 2 && p[1] < 126 { // unmasked, with a status code
			c.closeCode = int(binary.BigEndian.Uint16(p[2:4]))
		}
	}
	if c.buf == nil && !c.corked {
		return c.Conn.Write(p)
	}
	if c.buf == nil {
		c.buf = corkPool.Get().(*[]byte)
	}
	*c.buf = append(*c.buf, p...)
	if c.corked && len(*c.buf) < corkLimit {
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
	if c.corked && len(b) < corkLimit {
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

// uncork writes what has gathered and stops gathering. Its error is
// that of the connection: the frames gathered are then lost.
func (c *corkConn) uncork() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked = false
	return c.flushLocked()
}

// flushLocked writes the gathered bytes and gives the buffer back.
// c.mu is held.
func (c *corkConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	if len(*c.buf) == 0 { // all taken back
		corkPool.Put(c.buf)
		c.buf = nil
		return nil
	}
	if c.pending {
		c.pending = false
		if err := c.Conn.SetWriteDeadline(c.deadline); err != nil {
			return err
		}
	}
	b := c.buf
	c.buf = nil
	_, err := c.Conn.Write(*b)
	if cap(*b) <= 2*corkLimit {
		*b = (*b)[:0]
		corkPool.Put(b)
	}
	return err
}

// corkingWriter hands the websocket upgrader a corkConn in place of the
// hijacked connection.
type corkingWriter struct {
	http.ResponseWriter
	conn *corkConn
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc}
	return w.conn, brw, nil
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *corkingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
