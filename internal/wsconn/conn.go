package wsconn

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/protocol"
)

// MessageType is the opcode of a websocket frame (RFC 6455 §5.2).
type MessageType int

// The frame types a connection writes and reads.
const (
	Text   MessageType = websocket.TextMessage
	Binary MessageType = websocket.BinaryMessage
	Close  MessageType = websocket.CloseMessage
	Ping   MessageType = websocket.PingMessage
	Pong   MessageType = websocket.PongMessage
)

// Close codes that are never sent on the wire: a reader reports them for a
// close without a code, a connection that dropped, and a TLS failure.
const (
	CloseNoStatus = websocket.CloseNoStatusReceived
	CloseAbnormal = websocket.CloseAbnormalClosure
	CloseTLS      = websocket.CloseTLSHandshake
)

// ErrReadLimit is wrapped by the error of a connection that received a
// message over Options.ReadLimit.
var ErrReadLimit = errors.New("wsconn: message over the read limit")

// ErrClosed is wrapped, with the read error, by the error of a reader
// that ended after Close had begun.
var ErrClosed = errors.New("wsconn: closed")

// ErrNotSession is wrapped by the error of ReadSessionFrame when the
// first frame is a valid frame of another type.
var ErrNotSession = errors.New("wsconn: the first frame is not a session frame")

// CloseError is the close frame that ended a connection, or CloseAbnormal
// when it ended without one. Text is the server's, unredacted.
type CloseError struct {
	Code int
	Text string
}

func (e *CloseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("websocket closed with code %d", e.Code)
	}
	return fmt.Sprintf("websocket closed with code %d (%s)", e.Code, e.Text)
}

// OnWire reports whether the code is one a peer can send.
func (e *CloseError) OnWire() bool {
	return e.Code != CloseNoStatus && e.Code != CloseAbnormal && e.Code != CloseTLS
}

// Conn is an open websocket connection, read from Start on by one
// goroutine at a time (a reader of its own, or a shared read worker:
// Options.ShallowPark), with serialised writes.
type Conn struct {
	ws             *websocket.Conn
	framed         *framedConn   // the socket under ws, with Options.ShallowPark
	controlTimeout time.Duration // Options.ControlTimeout
	readBufs       BufferPool    // Options.ReadBufferPool

	writeMu sync.Mutex

	mu      sync.Mutex // guards started, closed and armed
	started bool
	closed  bool
	armed   bool // registered with the poller, waiting for the socket

	onMessage func(MessageType, []byte) error // Start's
	onEnd     func(error)                     // Start's
	ep        *epoll                          // the poller's instance c is registered with, if any
	token     uint64                          // c's token there
	closing   chan struct{}                   // closed when Close begins
	done      chan struct{}                   // closed when the reader has ended
	err       error                           // why the reader ended; read after done

	// pings holds a channel for each Ping waiting for its pong, keyed
	// by the ping's payload, so that concurrent Pings never take each
	// other's pongs. It is made by the first Ping: a connection that
	// never pings (most of a load run's) holds no map.
	pingMu sync.Mutex
	pings  map[string]chan struct{}
}

func newConn(ws *websocket.Conn, o Options) *Conn {
	c := &Conn{ws: ws, controlTimeout: o.ControlTimeout, readBufs: o.ReadBufferPool, closing: make(chan struct{}), done: make(chan struct{})}
	if o.ReadLimit > 0 {
		ws.SetReadLimit(o.ReadLimit)
	}
	ws.SetPongHandler(c.onPong)
	return c
}

// ReadSessionFrame reads the first frame, which must be a session
// frame, waiting until ctx's deadline or at most wait when it has none;
// cancelling ctx ends the wait. raw is the frame as received, also with
// a *protocol.FrameError or an error wrapping ErrNotSession, and nil when
// no frame came (a *CloseError says why when the server closed). Call it
// before Start.
func (c *Conn) ReadSessionFrame(ctx context.Context, wait time.Duration) (f protocol.Frame, raw []byte, err error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(wait)
	}
	_ = c.ws.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = c.ws.SetReadDeadline(time.Now()) })
	_, raw, err = c.ws.ReadMessage()
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return f, nil, ctx.Err()
		}
		return f, nil, readError(err)
	}
	_ = c.ws.SetReadDeadline(time.Time{})
	if f, err = protocol.DecodeFrame(raw); err != nil {
		return f, raw, err
	}
	if f.Type != protocol.FrameSession {
		return f, raw, fmt.Errorf("%w: type %q", ErrNotSession, f.Type)
	}
	return f, raw, nil
}

// readError turns gorilla's read errors into ours.
func readError(err error) error {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return &CloseError{Code: ce.Code, Text: ce.Text}
	case errors.Is(err, websocket.ErrReadLimit):
		return ErrReadLimit
	}
	return err
}

// Start starts reading: it hands every data message to onMessage, in
// order; when onMessage returns an error the connection is closed and
// reading ends with that error. Pings are answered and pongs handed to
// Ping meanwhile, but only while onMessage is not running. With
// Options.ReadBufferPool set, data is valid only until onMessage
// returns. When reading has ended, Done is closed, then onEnd (if not
// nil) is called with Err, on the goroutine that met the end. Start is
// called at most once; after Close it starts nothing and closes Done.
//
// Reading is done by a reader goroutine of the connection's own, or,
// with Options.ShallowPark on Linux, by the shared read workers when the
// poller says the socket is readable, with no goroutine between bursts.
func (c *Conn) Start(onMessage func(MessageType, []byte) error, onEnd func(error)) {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		panic("wsconn: Start called twice")
	}
	c.started = true
	if c.closed {
		c.err = fmt.Errorf("%w: %w", ErrClosed, net.ErrClosed)
		close(c.done)
		c.mu.Unlock()
		return
	}
	c.onMessage, c.onEnd = onMessage, onEnd
	c.mu.Unlock()
	if c.framed != nil && canPoll && c.framed.framing() {
		readers.join()
		if polls.add(c) == nil {
			return
		}
		readers.leave()
	}
	go c.readLoop()
}

// readLoop is the connection's reader goroutine.
func (c *Conn) readLoop() { c.end(c.read(c.onMessage)) }

// end records why reading ended, closes done and calls onEnd.
func (c *Conn) end(err error) {
	select {
	case <-c.closing:
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	default:
	}
	c.err = err
	close(c.done)
	if c.onEnd != nil {
		c.onEnd(err)
	}
}

// read hands every message to onMessage until the connection ends:
// through the shared read workers with Options.ShallowPark (readPooled),
// otherwise on the reader goroutine itself.
func (c *Conn) read(onMessage func(MessageType, []byte) error) error {
	if c.framed != nil && canWait {
		return c.readPooled(onMessage)
	}
	return c.readEach(onMessage)
}

// readEach reads every message on the calling goroutine.
func (c *Conn) readEach(onMessage func(MessageType, []byte) error) error {
	for {
		if err := c.readOne(onMessage); err != nil {
			return err
		}
	}
}

// readOne reads the next data message and hands it to onMessage; an
// error from onMessage closes the connection.
func (c *Conn) readOne(onMessage func(MessageType, []byte) error) error {
	typ, data, buf, err := c.readMessage()
	if err != nil {
		return readError(err)
	}
	err = onMessage(MessageType(typ), data)
	if buf != nil && buf.Cap() <= maxPooledRead {
		c.readBufs.Put(buf)
	}
	if err != nil {
		_ = c.ws.Close()
		return err
	}
	return nil
}

// maxPooledRead bounds the read buffers given back to ReadBufferPool.
const maxPooledRead = 64 << 10

// readMessage reads the next data message: into a buffer of its own, or
// one lent by ReadBufferPool (buf), which the caller gives back.
func (c *Conn) readMessage() (typ int, data []byte, buf *bytes.Buffer, err error) {
	if c.readBufs == nil {
		typ, data, err = c.ws.ReadMessage()
		return typ, data, nil, err
	}
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return typ, nil, nil, err
	}
	buf, _ = c.readBufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		c.readBufs.Put(buf)
		return typ, nil, nil, err
	}
	return typ, buf.Bytes(), buf, nil
}

// Done is closed when the reader goroutine has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the reader ended: a *CloseError when a close frame came,
// an error wrapping ErrReadLimit, onMessage's error, or the network's;
// after Close, that error wrapped together with ErrClosed (the peer's
// answer to Close is a *CloseError too). It is nil before Done is closed.
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Closing is closed when Close has begun: a reader blocked handing on a
// message should give up.
func (c *Conn) Closing() <-chan struct{} { return c.closing }

// Ping sends a ping with the given payload (a random one when empty)
// and waits for its pong, which the reader goroutine receives: it needs
// Start. Each concurrent Ping gets its own pong; two at once with the
// same payload are refused.
func (c *Conn) Ping(ctx context.Context, payload string) (time.Duration, error) {
	if payload == "" {
		payload = rand.Text()[:16]
	}
	pong := make(chan struct{}, 1)
	c.pingMu.Lock()
	if c.pings == nil {
		c.pings = map[string]chan struct{}{}
	}
	if _, dup := c.pings[payload]; dup {
		c.pingMu.Unlock()
		return 0, fmt.Errorf("wsconn: a ping with payload %q is already waiting", payload)
	}
	c.pings[payload] = pong
	c.pingMu.Unlock()
	defer func() {
		c.pingMu.Lock()
		delete(c.pings, payload)
		c.pingMu.Unlock()
	}()
	start := time.Now()
	if err := c.ws.WriteControl(websocket.PingMessage, []byte(payload), c.controlDeadline(ctx)); err != nil {
		return 0, fmt.Errorf("sending a ping: %w", err)
	}
	select {
	case <-pong:
		return time.Since(start), nil
	case <-c.done:
		return 0, fmt.Errorf("no pong: %w", c.err)
	case <-ctx.Done():
		return 0, fmt.Errorf("no pong: %w", ctx.Err())
	}
}

// onPong hands a pong to the Ping that sent its payload; an unsolicited
// pong, or one whose Ping has given up, is dropped.
func (c *Conn) onPong(data string) error {
	c.pingMu.Lock()
	pong := c.pings[data]
	c.pingMu.Unlock()
	if pong != nil {
		select {
		case pong <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *Conn) controlDeadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(c.controlTimeout)
}

// WriteMessage sends one frame of any type, as given: a data frame of
// any size or content (invalid UTF-8 in a Text frame included), or a
// control frame. Writes are serialised; ctx's deadline bounds this one.
func (c *Conn) WriteMessage(ctx context.Context, typ MessageType, data []byte) error {
	switch typ {
	case Close, Ping, Pong:
		return c.ws.WriteControl(int(typ), data, c.controlDeadline(ctx))
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if deadline, ok := ctx.Deadline(); ok {
		_ = c.ws.SetWriteDeadline(deadline)
		defer func() { _ = c.ws.SetWriteDeadline(time.Time{}) }()
	}
	return c.ws.WriteMessage(int(typ), data)
}

// CloseMessage encodes a close frame's payload.
func CloseMessage(code int, text string) []byte { return websocket.FormatCloseMessage(code, text) }

// Close sends a close frame with code and text, waits up to wait for
// the peer's answer (when the reader runs), closes the connection and
// waits for the reader to end, but not for onEnd. Only the first call
// does anything. Its error is the close frame's, or the connection's,
// when the connection had not already ended.
func (c *Conn) Close(code int, text string, wait time.Duration) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	started := c.started
	c.mu.Unlock()
	close(c.closing)
	werr := c.ws.WriteControl(websocket.CloseMessage, CloseMessage(code, text), time.Now().Add(wait))
	if started {
		timer := time.NewTimer(wait)
		select {
		case <-c.done: // the peer answered, or the connection had ended
		case <-timer.C:
		}
		timer.Stop()
	}
	cerr := c.ws.Close()
	if started && c.unarm() {
		// Waiting in the poller, which a closed socket leaves: a
		// worker reads it and meets the close.
		readers.run(readJob{c: c})
	}
	if started {
		<-c.done
	}
	switch {
	case werr != nil && !isClosed(werr):
		return werr
	case cerr != nil && !isClosed(cerr):
		return cerr
	}
	return nil
}

func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, websocket.ErrCloseSent)
}
