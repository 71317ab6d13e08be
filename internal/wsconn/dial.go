package wsconn

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// MaxHandshakeBody is how much of a refused handshake's body Dial keeps.
const MaxHandshakeBody = 1 << 20

// ErrBadHandshake is wrapped by the error of a Dial that the server
// answered, but not with a valid upgrade: another status, or a 101 with
// a wrong Upgrade, Connection or Sec-WebSocket-Accept header.
var ErrBadHandshake = errors.New("wsconn: bad handshake")

// BufferPool is a pool of write buffers shared by connections
// (*sync.Pool is one).
type BufferPool interface {
	Get() any
	Put(any)
}

// Options tune a Dial. The zero value dials directly with no handshake
// timeout but ctx's, gorilla/websocket's buffer sizes and no read limit;
// a nil *Options means the zero value.
type Options struct {
	// HandshakeTimeout bounds the opening handshake (0: ctx alone).
	HandshakeTimeout time.Duration
	// TLSConfig configures wss connections (nil: the default).
	TLSConfig *tls.Config
	// Proxy returns the proxy for a request (nil, or a nil URL: direct).
	Proxy func(*http.Request) (*url.URL, error)
	// NetDialContext makes the connection a handshake runs over (nil: a
	// net.Dialer). A test can hand out one end of a net.Pipe.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// ReadBufferSize and WriteBufferSize are the I/O buffer sizes in
	// bytes (0: 4 KiB each); they do not limit message sizes.
	ReadBufferSize, WriteBufferSize int
	// WriteBufferPool, if set, lends write buffers to connections
	// between writes; one pool serves one WriteBufferSize.
	WriteBufferPool BufferPool
	// ReadBufferPool, if set, lends the buffers data messages are read
	// into (it holds *bytes.Buffer): the data Start hands to onMessage
	// is then valid only until onMessage returns, and a busy connection
	// makes no garbage per message.
	ReadBufferPool BufferPool
	// ReadLimit is the largest message the connection accepts (0: no
	// limit); a larger one ends the connection with ErrReadLimit.
	ReadLimit int64
	// ControlTimeout bounds a ping or close write when ctx has no
	// deadline (0: DefaultControlTimeout).
	ControlTimeout time.Duration
	// ShallowPark has the messages of a ws:// connection read, and
	// handed to onMessage, by a few read workers shared by all
	// connections, each time the socket has something to read, instead
	// of by a reader goroutine of its own parked deep in gorilla's read.
	// On Linux the connection then has no goroutine at all while it
	// waits: the package's poller (an epoll set) hands the socket to a
	// worker when it becomes readable, which costs a re-arm per burst
	// of frames. Elsewhere its reader goroutine only waits in a peek at
	// the socket, so that it holds a 2 KiB stack rather than 4 KiB or
	// more, idle or busy. framedConn, readPool and the poller say how.
	// wss:// connections, and connections that are not sockets, read as
	// without it.
	ShallowPark bool
}

// DefaultControlTimeout bounds a control frame's write when neither ctx
// nor Options say otherwise.
const DefaultControlTimeout = 2 * time.Second

// Handshake is the server's answer to the opening handshake: the
// evidence of a join, kept also when the join was refused.
type Handshake struct {
	Status int
	Header http.Header
	// Body is the first MaxHandshakeBody bytes of a refused handshake's
	// body; a 101 has none.
	Body []byte
}

// Dial opens a websocket connection to urlStr (ws or wss) with the
// given request headers. When the server answered, the Handshake is
// returned, also with an error: one wrapping ErrBadHandshake when the
// answer was no valid upgrade. Cancelling ctx ends the handshake at once,
// not only at its deadline (gorilla/websocket heeds only the deadline);
// after the handshake ctx no longer touches the connection.
func Dial(ctx context.Context, urlStr string, header http.Header, opts *Options) (*Conn, *Handshake, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ControlTimeout <= 0 {
		o.ControlTimeout = DefaultControlTimeout
	}
	netDial := o.NetDialContext
	if netDial == nil {
		var nd net.Dialer
		netDial = nd.DialContext
	}
	var stops []func() bool
	var framed *framedConn
	shallow := o.ShallowPark && strings.HasPrefix(strings.ToLower(urlStr), "ws:")
	d := websocket.Dialer{
		HandshakeTimeout: o.HandshakeTimeout,
		TLSClientConfig:  o.TLSConfig,
		Proxy:            o.Proxy,
		ReadBufferSize:   o.ReadBufferSize,
		WriteBufferSize:  o.WriteBufferSize,
		NetDialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := netDial(dctx, network, addr)
			if err != nil {
				return conn, err
			}
			stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
			if shallow {
				if framed = newFramedConn(conn); framed != nil {
					return framed, nil
				}
			}
			return conn, nil
		},
	}
	if o.WriteBufferPool != nil {
		d.WriteBufferPool = o.WriteBufferPool
	}
	ws, resp, err := d.DialContext(ctx, urlStr, header)
	for _, stop := range stops {
		stop()
	}
	hs := handshake(resp, err != nil)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, hs, ctx.Err()
	case errors.Is(err, websocket.ErrBadHandshake):
		return nil, hs, fmt.Errorf("%w: status %d", ErrBadHandshake, hs.Status)
	case err != nil:
		return nil, hs, err
	}
	c := newConn(ws, o)
	c.framed = framed
	return c, hs, nil
}

// handshake keeps what the server answered, reading a refused answer's
// body; nil when there was no answer.
func handshake(resp *http.Response, refused bool) *Handshake {
	if resp == nil {
		return nil
	}
	hs := &Handshake{Status: resp.StatusCode, Header: resp.Header}
	if refused {
		hs.Body, _ = io.ReadAll(io.LimitReader(resp.Body, MaxHandshakeBody))
	}
	_ = resp.Body.Close()
	return hs
}
