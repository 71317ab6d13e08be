package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

// Defaults for a zero Options.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultReadLimit        = 1 << 20
	DefaultFrameBuffer      = 256
	DefaultCloseTimeout     = 2 * time.Second
)

// Options tune a Client. The zero value is usable; a nil *Options means the
// zero value.
type Options struct {
	// QueryCredentials sends the join's credentials as the accessToken and
	// secretKey query parameters instead of headers, as a browser must.
	// Pushes always use headers.
	QueryCredentials bool
	// Header holds extra headers for joins and pushes (Origin, a
	// gateway's key, say). The values of those that may be credentials
	// (protocol.SensitiveHeader) are scrubbed from errors as the
	// credentials are.
	Header http.Header
	// HandshakeTimeout bounds a join's opening handshake, and the wait
	// for its session frame when ctx has no deadline
	// (DefaultHandshakeTimeout).
	HandshakeTimeout time.Duration
	// TLSConfig configures wss joins (nil: the default).
	TLSConfig *tls.Config
	// Proxy returns the proxy for a join (nil: http.ProxyFromEnvironment;
	// a function returning a nil URL joins directly).
	Proxy func(*http.Request) (*url.URL, error)
	// NetDialContext makes the connection a join runs over (nil: a
	// net.Dialer); a test may hand out one end of a net.Pipe. Pushes go
	// through HTTPClient.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// ReadBufferSize and WriteBufferSize are a session's I/O buffer
	// sizes in bytes (0: 4 KiB each); they do not limit frame sizes.
	ReadBufferSize, WriteBufferSize int
	// WriteBufferPool, if set, lends write buffers to sessions between
	// writes (a *sync.Pool will do); one pool serves one WriteBufferSize.
	WriteBufferPool BufferPool
	// DiscardHeader drops the headers of the server's 101 answer once a
	// join has succeeded, so that Session.Header returns nil: a caller
	// holding many sessions that never reads them saves about half a
	// kilobyte per session. A refused join's error keeps them either way.
	DiscardHeader bool
	// ReuseFrames reads the frames a Handler takes (JoinWith) into
	// buffers shared by the client's sessions and reused once
	// Handler.Frame returns: a Frame's Raw, Event and Data must not be
	// kept past the call. A busy session then makes no garbage per frame.
	// Sessions read with Next are unaffected.
	ReuseFrames bool
	// ShallowPark has shared read workers read and decode each
	// session's frames when its socket has something to read, instead
	// of a reader goroutine per session: on Linux a waiting session
	// then has no goroutine at all, elsewhere its reader waits with a
	// 2 KiB stack (ws:// targets; see wsconn.Options.ShallowPark). The
	// load driver sets it.
	ShallowPark bool
	// HTTPClient sends pushes. Nil means http.DefaultClient.
	HTTPClient *http.Client
	// ReadLimit is the largest frame a session accepts (DefaultReadLimit).
	ReadLimit int64
	// FrameBuffer is how many received frames a session holds before its
	// reader stops reading (DefaultFrameBuffer).
	FrameBuffer int
	// CloseTimeout bounds how long Close waits for the server's close
	// frame (DefaultCloseTimeout).
	CloseTimeout time.Duration
	// Now is the clock that stamps received frames (time.Now).
	Now func() time.Time
}

// BufferPool is a pool of buffers (*sync.Pool is one).
type BufferPool interface {
	Get() any
	Put(any)
}

// Client speaks the protocol to one target with one set of credentials.
// It is safe for concurrent use.
type Client struct {
	base    *url.URL
	pushURL string // the push endpoint up to the session id: ...?session=
	creds   protocol.Credentials
	opts    Options
	reads   sync.Pool // the frame buffers of ReuseFrames
	secrets []string  // the values of Options.Header that may be credentials
}

// New returns a client for target, the base URL of an implementation such
// as "http://127.0.0.1:8080" (http, https, ws and wss are accepted; a path
// is kept as a prefix of the endpoints' paths).
func New(target string, creds protocol.Credentials, opts *Options) (*Client, error) {
	base, err := ParseTarget(target)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, creds: creds}
	c.pushURL = c.endpoint(protocol.PushPath, nil, false).String() + "?" + protocol.QuerySession + "="
	if opts != nil {
		c.opts = *opts
	}
	c.opts.setDefaults()
	c.secrets = protocol.HeaderSecrets(c.opts.Header)
	return c, nil
}

func (o *Options) setDefaults() {
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.Proxy == nil {
		o.Proxy = http.ProxyFromEnvironment
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = DefaultReadLimit
	}
	if o.FrameBuffer <= 0 {
		o.FrameBuffer = DefaultFrameBuffer
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = DefaultCloseTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// dial returns the connection options of a join.
func (o *Options) dial() *wsconn.Options {
	return &wsconn.Options{
		HandshakeTimeout: o.HandshakeTimeout, TLSConfig: o.TLSConfig, Proxy: o.Proxy,
		NetDialContext: o.NetDialContext, ReadBufferSize: o.ReadBufferSize, WriteBufferSize: o.WriteBufferSize,
		WriteBufferPool: o.WriteBufferPool, ReadLimit: o.ReadLimit, ControlTimeout: o.CloseTimeout,
		ShallowPark: o.ShallowPark,
	}
}

// ParseTarget checks a target URL and returns it in http or https form.
// Its error never contains the URL's query.
func ParseTarget(target string) (*url.URL, error) {
	if !strings.Contains(target, "://") {
		return nil, fmt.Errorf("client: target %q: scheme must be http, https, ws or wss (e.g. http://127.0.0.1:8080)", protocol.RedactURLString(target))
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("client: target %q is not a URL", protocol.RedactURLString(target))
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, fmt.Errorf("client: target %q: scheme must be http, https, ws or wss", protocol.RedactURL(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("client: target %q has no host", protocol.RedactURL(u))
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Target returns the client's base URL.
func (c *Client) Target() string { return c.base.String() }

// endpoint returns the URL of an endpoint path with the given query.
func (c *Client) endpoint(path string, query url.Values, websocketScheme bool) *url.URL {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	if websocketScheme {
		if u.Scheme == "https" {
			u.Scheme = "wss"
		} else {
			u.Scheme = "ws"
		}
	}
	return &u
}

// header returns the extra headers plus, unless query is true, the
// credential headers.
func (c *Client) header(query bool) http.Header {
	h := c.opts.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if !query {
		h.Set(protocol.HeaderAccessToken, c.creds.AccessToken)
		h.Set(protocol.HeaderSecretKey, c.creds.SecretKey)
	}
	return h
}

// scrub replaces the credentials, and the given session ids, in text a
// server sent back, so that it cannot leak them through an error.
func (c *Client) scrub(s string, sessions ...string) string {
	return c.creds.Redactor(slices.Concat(sessions, c.secrets)...).Redact(s)
}
