package wsconn

import (
	"bytes"
	"net"
	"sync"
	"syscall"

	"github.com/gorilla/websocket"
)

// framedConn is the TCP connection under a websocket that parks its
// reader shallowly (Options.ShallowPark). Gorilla's reader, parked in a
// socket read, holds some fifteen frames (NextReader, advanceFrame,
// bufio, net, poll) and a 4 KiB goroutine stack; a goroutine parked in a
// readiness wait on the raw socket holds a few hundred bytes, so the
// garbage collector shrinks its stack to 2 KiB. The reader may only wait
// there when gorilla's read buffer is empty, and gorilla does not say.
//
// So framedConn hands gorilla's buffer at most one unit per Read: the
// rest of the current HTTP response head (up to its blank line) before
// the 101, then the rest of the current websocket frame. Gorilla asks
// for bytes only of the frame it is reading, and a message ends at the
// end of a frame, so when gorilla has returned a message, everything
// handed over has been consumed. What a socket read brought beyond the
// unit waits in pend. idle reports that state: nothing pending, at a
// frame boundary. The parse only decides where Reads end: the bytes
// themselves pass unchanged, and anything that does not parse as frames
// (a TLS stream, a proxy's answer it cannot read) turns idle off for
// good.
type framedConn struct {
	net.Conn
	rc syscall.RawConn

	pend    []byte // read from the socket, not yet handed over
	pendBuf *[]byte

	state   int    // stHead, stFrames or stOpaque
	crlf    int    // stHead: bytes of "\r\n\r\n" matched so far
	status  []byte // stHead: the response's first bytes, for its status
	hdr     [14]byte
	hdrN    int    // stFrames: bytes of the current frame's header seen
	payload uint64 // stFrames: payload bytes left in the current frame
	inBody  bool   // stFrames: the header is complete

	ready func(fd uintptr) bool // wait's callback, made once
	woken bool                  // wait: the callback has run
	peek  [1]byte               // wait: the byte peeked at

	filler  func(fd uintptr) bool // fill's callback, made once
	fillDst []byte                // fill: where the bytes go
	fillN   int                   // fill: bytes read
	fillErr error                 // fill: the read's error
	rerr    error                 // an error fill met, for the Read after pend
}

const (
	stHead = iota
	stFrames
	stOpaque
)

// pendBufs lend the buffers of bytes read past a unit's end, and of
// what fill reads.
var pendBufs = sync.Pool{New: func() any { b := make([]byte, 0, pendSize); return &b }}

// pendSize is the size of the pending buffers: gorilla's default read
// buffer.
const pendSize = 4096

// newFramedConn wraps c when it is a socket whose readiness can be
// waited on; otherwise it returns nil.
func newFramedConn(c net.Conn) *framedConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &framedConn{Conn: c, rc: rc}
}

func (f *framedConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(f.pend) > 0 {
		unit := f.advance(f.pend[:min(len(p), len(f.pend))])
		copy(p, f.pend[:unit])
		f.pend = f.pend[unit:]
		if len(f.pend) == 0 {
			f.releasePend()
		}
		return unit, nil
	}
	if f.rerr != nil {
		return 0, f.rerr
	}
	n, err := f.Conn.Read(p)
	if n == 0 {
		return n, err
	}
	// An error that came with data shows again on the next Read.
	unit := f.advance(p[:n])
	if unit < n {
		f.keep(p[unit:n])
	}
	return unit, nil
}

// keep holds b, read past the current unit, for the next Reads; pend
// is empty.
func (f *framedConn) keep(b []byte) {
	f.pendBuf = pendBufs.Get().(*[]byte)
	*f.pendBuf = append((*f.pendBuf)[:0], b...)
	f.pend = *f.pendBuf
}

func (f *framedConn) releasePend() {
	if f.pendBuf != nil && cap(*f.pendBuf) <= pendSize {
		pendBufs.Put(f.pendBuf)
	}
	f.pendBuf, f.pend = nil, nil
}

// idle reports whether every byte read from the socket has been handed
// over and ended a frame (after gorilla returns a message, its buffer is
// then empty), and what is pending, if anything, is only the start of a
// ping or a pong: gorilla has nothing to read until more comes.
func (f *framedConn) idle() bool {
	return f.state == stFrames && f.hdrN == 0 && f.rerr == nil && (len(f.pend) == 0 || f.leadingControl() == 0)
}

// leadingControl is the length of the ping or pong frame that pend
// starts with at a frame boundary: 0 while pend holds only the start of
// one, -1 when it holds anything else (or nothing). A control frame
// gorilla would refuse (masked, over 125 bytes, fragmented, with a
// reserved bit) is not one: gorilla reads it and says what is wrong.
func (f *framedConn) leadingControl() int {
	if f.state != stFrames || f.hdrN != 0 || len(f.pend) == 0 {
		return -1
	}
	if b := f.pend[0]; b != 0x80|websocket.PingMessage && b != 0x80|websocket.PongMessage {
		return -1
	}
	if len(f.pend) < 2 {
		return 0
	}
	n := int(f.pend[1])
	if n > 125 { // masked, or too long
		return -1
	}
	if len(f.pend) < 2+n {
		return 0
	}
	return 2 + n
}

// takeControl answers the pings, and hands on the pongs, that pend
// starts with, through gorilla's handlers, as gorilla's read would: it
// stops at the first other frame. Gorilla reads frames until a data
// frame comes, so a ping or pong left for it at the end of a burst would
// hold its reader (a read worker) until the next message: for an idle
// subscription, the next heartbeat. An error is a handler's.
func (f *framedConn) takeControl(ping, pong func(string) error) error {
	for {
		n := f.leadingControl()
		if n <= 0 {
			return nil
		}
		handle, payload := ping, string(f.pend[2:n])
		if f.pend[0]&0x0f == websocket.PongMessage {
			handle = pong
		}
		if f.pend = f.pend[n:]; len(f.pend) == 0 {
			f.releasePend()
		}
		if err := handle(payload); err != nil {
			return err
		}
	}
}

// framing reports whether the stream parses as websocket frames, so
// that idle will hold at the end of each message.
func (f *framedConn) framing() bool { return f.state == stFrames }

// advance parses b, the next bytes of the stream, and returns how many
// of them belong to the current unit (all of them, unless the unit ends
// inside b).
func (f *framedConn) advance(b []byte) int {
	switch f.state {
	case stHead:
		return f.advanceHead(b)
	case stFrames:
		return f.advanceFrame(b)
	}
	return len(b)
}

// advanceHead takes bytes of an HTTP response head, up to its blank
// line. A 101 is followed by frames; another answer (a proxy's 200 to
// CONNECT) by the next response.
func (f *framedConn) advanceHead(b []byte) int {
	for i, c := range b {
		if len(f.status) < len("HTTP/1.1 101") {
			f.status = append(f.status, c)
		}
		switch {
		case c == "\r\n\r\n"[f.crlf]:
			f.crlf++
		case c == '\r':
			f.crlf = 1
		default:
			f.crlf = 0
		}
		if f.crlf == 4 {
			f.crlf = 0
			if len(f.status) == len("HTTP/1.1 101") && bytes.HasPrefix(f.status, []byte("HTTP/1.")) && string(f.status[8:]) == " 101" {
				f.state = stFrames
			}
			f.status = f.status[:0]
			return i + 1
		}
	}
	return len(b)
}

// advanceFrame takes bytes of websocket frames, up to the end of the
// current one.
func (f *framedConn) advanceFrame(b []byte) int {
	i := 0
	for i < len(b) {
		if !f.inBody {
			f.hdr[f.hdrN] = b[i]
			f.hdrN++
			i++
			need, ok := f.headerSize()
			if !ok {
				f.state = stOpaque
				return len(b)
			}
			if f.hdrN < need {
				continue
			}
			f.payload = f.payloadLen()
			f.inBody = true
		}
		take := uint64(len(b) - i)
		if take > f.payload {
			take = f.payload
		}
		i += int(take)
		f.payload -= take
		if f.payload == 0 {
			f.inBody, f.hdrN = false, 0
			return i
		}
	}
	return i
}

// headerSize is the size of the current frame's header, from the bytes
// of it seen so far (2 until the length byte is in); ok is false for a
// length that breaks RFC 6455 (a 64-bit length with its top bit set).
func (f *framedConn) headerSize() (int, bool) {
	if f.hdrN < 2 {
		return 2, true
	}
	n := 2
	switch f.hdr[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
		if f.hdrN >= 3 && f.hdr[2]&0x80 != 0 {
			return 0, false
		}
	}
	if f.hdr[1]&0x80 != 0 { // masked (a server must not, but the bytes are there)
		n += 4
	}
	return n, true
}

func (f *framedConn) payloadLen() uint64 {
	switch l := f.hdr[1] & 0x7f; l {
	case 126:
		return uint64(f.hdr[2])<<8 | uint64(f.hdr[3])
	case 127:
		var v uint64
		for _, c := range f.hdr[2:10] {
			v = v<<8 | uint64(c)
		}
		return v
	default:
		return uint64(l)
	}
}
