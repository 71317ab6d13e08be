package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/internal/wsconn"
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
	conn      *wsconn.Conn
	id        string
	pattern   json.RawMessage
	heartbeat time.Duration
	header    http.Header // the headers of the server's 101 answer

	frames chan Frame // nil when h takes the frames
	h      Handler    // set by JoinWith

	errOnce sync.Once
	err     error // why the session ended, set once the reader has ended
}

// Join opens a session on the client's target with the given pattern (in
// either form of docs/protocol.md section 5; it is sent as given, unchecked).
// It returns once the session frame has arrived.
func (c *Client) Join(ctx context.Context, pattern string) (*Session, error) {
	return c.join(ctx, pattern, nil)
}

// Header returns the headers of the server's answer (101) to the join,
// or nil when Options.DiscardHeader is set. A wstrigger mock names
// itself in them (mockapi.Identifies). The caller must not modify them.
func (s *Session) Header() http.Header { return s.header }

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
	// called are dropped. With Options.ReuseFrames the frame's bytes
	// (Raw, Event, Data) are valid only until Frame returns.
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
	dopts := c.opts.dial()
	if h != nil && c.opts.ReuseFrames {
		dopts.ReadBufferPool = &c.reads
	}
	conn, hs, err := wsconn.Dial(ctx, u.String(), c.header(c.opts.QueryCredentials), dopts)
	if err != nil {
		return nil, c.joinError(u, hs, err)
	}
	s = &Session{c: c, conn: conn, h: h}
	if !c.opts.DiscardHeader {
		s.header = hs.Header
	}
	if h == nil {
		s.frames = make(chan Frame, c.opts.FrameBuffer)
	}
	if err := s.readSessionFrame(ctx); err != nil {
		_ = conn.Close(protocol.CloseNormal, "", 0)
		return nil, err
	}
	if h != nil {
		h.Open(s)
	}
	conn.Start(s.onMessage, s.onEnd)
	return s, nil
}

// joinError turns a failed dial into a typed error with no credential in it.
func (c *Client) joinError(u *url.URL, hs *wsconn.Handshake, err error) error {
	if errors.Is(err, wsconn.ErrBadHandshake) {
		if hs.Status == http.StatusSwitchingProtocols {
			return &ProtocolError{Op: "join", Reason: "101 response with an invalid handshake (Upgrade, Connection or Sec-WebSocket-Accept)"}
		}
		return c.newHTTPError("join", hs.Status, hs.Header, hs.Body, "")
	}
	return fmt.Errorf("client: join %s: %w", protocol.RedactURL(u), protocol.RedactError(err))
}

func (s *Session) readSessionFrame(ctx context.Context) error {
	f, _, err := s.conn.ReadSessionFrame(ctx, s.c.opts.HandshakeTimeout)
	var fe *protocol.FrameError
	switch {
	case errors.As(err, &fe):
		return &ProtocolError{Op: "join", Reason: "first frame: " + s.c.scrub(err.Error())}
	case errors.Is(err, wsconn.ErrNotSession):
		return &ProtocolError{Op: "join", Reason: fmt.Sprintf("first frame has type %q, want %q", f.Type, protocol.FrameSession)}
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("client: join: waiting for the session frame: %w", ctx.Err())
	case err != nil:
		return fmt.Errorf("client: join: waiting for the session frame: %w", s.c.readError(err, ""))
	}
	// The pattern is copied out of the frame, whose buffer would stay
	// alive with it for as long as the session does.
	s.id, s.pattern = f.Session, bytes.Clone(f.Pattern)
	s.heartbeat = time.Duration(f.Heartbeat) * time.Second
	return nil
}

// readError turns the error that ended a connection into the client's.
func (c *Client) readError(err error, sessionID string) error {
	var ce *wsconn.CloseError
	var pe *ProtocolError
	switch {
	case errors.Is(err, wsconn.ErrClosed):
		return ErrClosed
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &ce):
		return &CloseError{Code: ce.Code, Text: c.scrub(ce.Text, sessionID)}
	case errors.Is(err, wsconn.ErrReadLimit):
		return fmt.Errorf("client: frame over the read limit of %d bytes: %w", c.opts.ReadLimit, err)
	}
	return fmt.Errorf("client: read: %w", err)
}

// onMessage takes each frame from the reader goroutine: to the Handler,
// or into the buffer, waiting for room (back-pressure on the server).
func (s *Session) onMessage(_ wsconn.MessageType, data []byte) error {
	f := Frame{Raw: data, Received: s.c.opts.Now()}
	var err error
	if f.Frame, err = protocol.DecodeFrame(data); err != nil {
		return &ProtocolError{Op: "read", Reason: s.c.scrub(err.Error(), s.id)}
	}
	closing := s.conn.Closing()
	if s.h != nil {
		select {
		case <-closing: // dropped, as below
		default:
			s.h.Frame(f)
		}
		return nil
	}
	select {
	case s.frames <- f:
	case <-closing:
		// Close is waiting for the server's close frame: keep reading,
		// dropping what arrives meanwhile.
	}
	return nil
}

// onEnd is called by the reader goroutine once it has ended.
func (s *Session) onEnd(error) {
	if s.h != nil {
		s.h.End(s.Err())
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
	select {
	case f := <-s.frames: // never ready when a Handler takes the frames
		return f, nil
	case <-s.conn.Done():
		// The reader has ended and sends nothing more: what the
		// buffer holds is all there is.
		select {
		case f := <-s.frames:
			return f, nil
		default:
			return Frame{}, s.Err()
		}
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	}
}

// Done is closed when the session's connection has ended.
func (s *Session) Done() <-chan struct{} { return s.conn.Done() }

// Err is why the session ended, or nil while it is open.
func (s *Session) Err() error {
	select {
	case <-s.conn.Done():
	default:
		return nil
	}
	s.errOnce.Do(func() { s.err = s.c.readError(s.conn.Err(), s.id) })
	return s.err
}

// Ping sends a ping and waits for its pong, returning the round trip. The
// pong is read by the session's reader, so frames must be consumed with
// Next meanwhile if many are arriving. Concurrent Pings each get their
// own pong.
func (s *Session) Ping(ctx context.Context) (time.Duration, error) {
	rtt, err := s.conn.Ping(ctx, "")
	if err == nil {
		return rtt, nil
	}
	if end := s.Err(); end != nil {
		err = end
	}
	return 0, fmt.Errorf("client: ping: %w", err)
}

// MessageType is the type of a frame WriteMessage sends: its RFC 6455
// opcode.
type MessageType int

// Data frame types.
const (
	TextMessage   MessageType = 1
	BinaryMessage MessageType = 2
)

// WriteMessage sends a frame to the server, as given: its data need not
// be valid UTF-8 in a TextMessage, nor of any size. The protocol defines
// no client frames; this exists to test how a server treats them.
func (s *Session) WriteMessage(ctx context.Context, messageType MessageType, data []byte) error {
	if err := s.conn.WriteMessage(ctx, wsconn.MessageType(messageType), data); err != nil {
		return fmt.Errorf("client: write: %w", err)
	}
	return nil
}

// Close ends the session with a normal close (1000), waits up to
// Options.CloseTimeout for the server's answer, and releases the
// connection. It is safe to call more than once.
func (s *Session) Close() error {
	return s.CloseWithCode(protocol.CloseNormal, "")
}

// CloseWithCode is Close with a chosen close code and reason.
func (s *Session) CloseWithCode(code int, text string) error {
	return s.closeWithin(code, text, s.c.opts.CloseTimeout)
}

// CloseWithin is Close waiting at most wait (and no longer than
// Options.CloseTimeout) for the server's answer, so that many sessions
// of a frozen server can be closed by a deadline. With wait 0 or less
// it drops the connection at once, its close frame sent only if the
// connection takes it without waiting.
func (s *Session) CloseWithin(wait time.Duration) error {
	return s.closeWithin(protocol.CloseNormal, "", max(min(wait, s.c.opts.CloseTimeout), 0))
}

func (s *Session) closeWithin(code int, text string, wait time.Duration) error {
	if err := s.conn.Close(code, text, wait); err != nil {
		return fmt.Errorf("client: close: %w", err)
	}
	return nil
}
