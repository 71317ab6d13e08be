package client

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/wstrigger/wstrigger/protocol"
)

// Frame is a server frame as the client received it.
type Frame struct {
	protocol.Frame
	// Raw is the frame's text exactly as received.
	Raw []byte
	// Received is when the client read the frame off the connection.
	Received time.Time
}

// Session is one open websocket subscription. Next, Ping, WriteMessage and
// Close may be called from different goroutines.
type Session struct {
	c         *Client
	conn      *websocket.Conn
	id        string
	pattern   json.RawMessage
	heartbeat time.Duration

	frames chan Frame    // nil when h takes the frames
	h      Handler       // set by JoinWith
	done   chan struct{} // closed when the reader goroutine ends
	err    error         // why the reader ended; read after done is closed

	writeMu   sync.Mutex
	closeOnce sync.Once
	closing   chan struct{}

	// pings holds a channel for each Ping waiting for its pong, keyed by
	// the ping's payload, so that concurrent Pings never take each
	// other's pongs.
	pingMu sync.Mutex
	pings  map[string]chan struct{}
}

// Join opens a session on the client's target with the given pattern (in
// either form of PROTOCOL.md section 5; it is sent as given, unchecked).
// It returns once the session frame has arrived.
func (c *Client) Join(ctx context.Context, pattern string) (*Session, error) {
	return c.join(ctx, pattern, nil)
}

// A Handler takes the frames of a session opened with JoinWith from the
// session's reader goroutine, in place of the buffer Next reads: such a
// session holds no frame buffer and needs no goroutine of the caller's
// to consume it, which matters to a caller holding many sessions.
type Handler interface {
	// Open is called once by JoinWith, on its caller's goroutine, when
	// the session frame has arrived and before the reader goroutine
	// starts: what it does happens before any Frame or End call.
	Open(*Session)
	// Frame is called with each trigger or push frame, in order, from
	// the reader goroutine. Nothing is read meanwhile, pings included,
	// so it should return quickly. Frames arriving after Close was
	// called are dropped.
	Frame(Frame)
	// End is called once, from the reader goroutine, after the last
	// Frame call, with the reason the session ended (as Err returns it).
	// Done is closed by then, so End may call Close, which is still
	// needed to release the connection. It may run while Close returns.
	End(err error)
}

// JoinWith is Join with frames handed to h instead of buffered for Next
// (see Handler). On such a session Next returns no frame: it waits for
// the session to end and returns why. h is not called when JoinWith
// fails.
func (c *Client) JoinWith(ctx context.Context, pattern string, h Handler) (*Session, error) {
	if h == nil {
		return nil, errors.New("client: JoinWith: nil Handler")
	}
	return c.join(ctx, pattern, h)
}

func (c *Client) join(ctx context.Context, pattern string, h Handler) (s *Session, err error) {
	q := url.Values{protocol.QueryPattern: {pattern}}
	if c.opts.QueryCredentials {
		q.Set(protocol.QueryAccessToken, c.creds.AccessToken)
		q.Set(protocol.QuerySecretKey, c.creds.SecretKey)
	}
	u := c.endpoint(protocol.JoinPath, q, true)
	conn, resp, err := DialContext(ctx, c.opts.Dialer, u.String(), c.header(c.opts.QueryCredentials))
	if err != nil {
		return nil, c.joinError(u, resp, err)
	}
	conn.SetReadLimit(c.opts.ReadLimit)
	s = &Session{
		c: c, conn: conn, h: h,
		done:    make(chan struct{}),
		closing: make(chan struct{}),
		pings:   map[string]chan struct{}{},
	}
	if h == nil {
		s.frames = make(chan Frame, c.opts.FrameBuffer)
	}
	if err := s.readSessionFrame(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	conn.SetPongHandler(s.onPong)
	if h != nil {
		h.Open(s)
	}
	go s.readLoop()
	return s, nil
}

// joinError turns a failed dial into a typed error with no credential in it.
func (c *Client) joinError(u *url.URL, resp *http.Response, err error) error {
	if resp != nil && errors.Is(err, websocket.ErrBadHandshake) {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusSwitchingProtocols {
			return &ProtocolError{Op: "join", Reason: "101 response with an invalid handshake (Upgrade, Connection or Sec-WebSocket-Accept)"}
		}
		return c.newHTTPError("join", resp, body, "")
	}
	return fmt.Errorf("client: join %s: %w", protocol.RedactURL(u), protocol.RedactError(err))
}

func (s *Session) readSessionFrame(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(s.c.opts.Dialer.HandshakeTimeout)
	}
	_ = s.conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = s.conn.SetReadDeadline(time.Now()) })
	defer stop()
	_, data, err := s.conn.ReadMessage()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("client: join: waiting for the session frame: %w", ctx.Err())
		}
		return fmt.Errorf("client: join: waiting for the session frame: %w", s.c.readError(err, ""))
	}
	_ = s.conn.SetReadDeadline(time.Time{})
	f, err := protocol.DecodeFrame(data)
	if err != nil {
		return &ProtocolError{Op: "join", Reason: "first frame: " + s.c.scrub(err.Error())}
	}
	if f.Type != protocol.FrameSession {
		return &ProtocolError{Op: "join", Reason: fmt.Sprintf("first frame has type %q, want %q", f.Type, protocol.FrameSession)}
	}
	s.id, s.pattern = f.Session, f.Pattern
	s.heartbeat = time.Duration(f.Heartbeat) * time.Second
	return nil
}

// readError turns a read error into a CloseError when the server closed.
func (c *Client) readError(err error, sessionID string) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: ce.Code, Text: c.scrub(ce.Text, sessionID)}
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("client: frame over the read limit of %d bytes: %w", c.opts.ReadLimit, err)
	}
	return fmt.Errorf("client: read: %w", err)
}

// readLoop is the session's reader goroutine.
func (s *Session) readLoop() {
	s.err = s.read()
	if s.frames != nil {
		close(s.frames)
	}
	close(s.done)
	if s.h != nil {
		s.h.End(s.err)
	}
}

// read reads frames until the connection ends and returns why.
func (s *Session) read() error {
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			select {
			case <-s.closing:
				return ErrClosed
			default:
				return s.c.readError(err, s.id)
			}
		}
		f := Frame{Raw: data, Received: s.c.opts.Now()}
		if f.Frame, err = protocol.DecodeFrame(data); err != nil {
			_ = s.conn.Close()
			return &ProtocolError{Op: "read", Reason: s.c.scrub(err.Error(), s.id)}
		}
		if s.h != nil {
			select {
			case <-s.closing: // dropped, as below
			default:
				s.h.Frame(f)
			}
			continue
		}
		select {
		case s.frames <- f:
		case <-s.closing:
			// Close is waiting for the server's close frame: keep reading,
			// dropping what arrives meanwhile.
		}
	}
}

// ID is the session id from the session frame. Treat it as a secret: it
// lets anyone holding the credentials push into the session.
func (s *Session) ID() string { return s.id }

// Pattern is the pattern the server echoed in the session frame.
func (s *Session) Pattern() json.RawMessage { return s.pattern }

// Heartbeat is the server's announced ping interval.
func (s *Session) Heartbeat() time.Duration { return s.heartbeat }

// Next returns the next trigger or push frame. Once the session has ended
// it returns the frames still buffered, then the reason it ended: a
// *CloseError when the server closed, ErrClosed after Close. Cancelling ctx
// abandons the wait without harming the session. On a session opened with
// JoinWith it returns no frame, only the reason once the session ended.
func (s *Session) Next(ctx context.Context) (Frame, error) {
	if s.frames == nil { // a Handler takes the frames
		select {
		case <-s.done:
			return Frame{}, s.err
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
	select {
	case f, ok := <-s.frames:
		if ok {
			return f, nil
		}
		<-s.done
		return Frame{}, s.err
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	}
}

// Done is closed when the session's connection has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the session ended, or nil while it is open.
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Ping sends a ping and waits for its pong, returning the round trip. The
// pong is read by the session's reader, so frames must be consumed with
// Next meanwhile if many are arriving.
func (s *Session) Ping(ctx context.Context) (time.Duration, error) {
	payload := rand.Text()[:16]
	pong := make(chan struct{}, 1)
	s.pingMu.Lock()
	s.pings[payload] = pong
	s.pingMu.Unlock()
	defer func() {
		s.pingMu.Lock()
		delete(s.pings, payload)
		s.pingMu.Unlock()
	}()
	start := time.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(s.c.opts.CloseTimeout)
	}
	if err := s.conn.WriteControl(websocket.PingMessage, []byte(payload), deadline); err != nil {
		return 0, fmt.Errorf("client: ping: %w", err)
	}
	select {
	case <-pong:
		return time.Since(start), nil
	case <-s.done:
		return 0, fmt.Errorf("client: ping: %w", s.err)
	case <-ctx.Done():
		return 0, fmt.Errorf("client: ping: no pong: %w", ctx.Err())
	}
}

// onPong hands a pong to the Ping that sent its payload; an unsolicited
// pong, or one whose Ping has given up, is dropped.
func (s *Session) onPong(data string) error {
	s.pingMu.Lock()
	pong := s.pings[data]
	s.pingMu.Unlock()
	if pong != nil {
		select {
		case pong <- struct{}{}:
		default:
		}
	}
	return nil
}

// WriteMessage sends a data frame to the server. The protocol defines no
// client frames; this exists to test how a server treats them.
func (s *Session) WriteMessage(ctx context.Context, messageType int, data []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if deadline, ok := ctx.Deadline(); ok {
		_ = s.conn.SetWriteDeadline(deadline)
		defer func() { _ = s.conn.SetWriteDeadline(time.Time{}) }()
	}
	if err := s.conn.WriteMessage(messageType, data); err != nil {
		return fmt.Errorf("client: write: %w", err)
	}
	return nil
}

// Close ends the session with a normal close (1000), waits up to
// Options.CloseTimeout for the server's answer, and releases the
// connection. It is safe to call more than once.
func (s *Session) Close() error {
	return s.CloseWithCode(websocket.CloseNormalClosure, "")
}

// CloseWithCode is Close with a chosen close code and reason.
func (s *Session) CloseWithCode(code int, text string) error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		deadline := time.Now().Add(s.c.opts.CloseTimeout)
		werr := s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), deadline)
		timer := time.NewTimer(s.c.opts.CloseTimeout)
		defer timer.Stop()
		select {
		case <-s.done: // the server answered, or the connection had ended
		case <-timer.C:
		}
		cerr := s.conn.Close()
		<-s.done
		if werr != nil && !errors.Is(werr, websocket.ErrCloseSent) && !isClosedConn(werr) {
			err = fmt.Errorf("client: close: %w", werr)
		} else if cerr != nil && !isClosedConn(cerr) {
			err = fmt.Errorf("client: close: %w", cerr)
		}
	})
	return err
}

func isClosedConn(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, websocket.ErrCloseSent)
}
