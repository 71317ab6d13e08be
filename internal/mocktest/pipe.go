package mocktest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// Pipe connects clients to a listener in memory: each DialContext makes
// a net.Pipe, keeps one end and hands the other to the Listener's Accept.
// An http.Server serving the Listener (see Serve) answers requests and
// websocket joins with no socket. The zero value is not usable; use
// NewPipe or Serve.
type Pipe struct {
	ln     *listener
	srv    *http.Server  // set by Serve
	served chan struct{} // closed when srv.Serve returns
	client *http.Client
}

// NewPipe returns a Pipe that nothing serves yet: serve its Listener
// yourself, or pass it as mockserver.Options.Listener.
func NewPipe() *Pipe {
	p := &Pipe{ln: &listener{conns: make(chan net.Conn), closed: make(chan struct{})}}
	p.client = &http.Client{Transport: &http.Transport{DialContext: p.DialContext}}
	return p
}

// Listener is the accepting end; closing it makes DialContext fail.
func (p *Pipe) Listener() net.Listener { return p.ln }

// Serve serves h over a new Pipe until the test ends; the cleanup closes
// the server, its connections and the client's idle ones, and waits for
// the serving goroutine.
func Serve(t testing.TB, h http.Handler) *Pipe {
	t.Helper()
	p := NewPipe()
	p.srv = &http.Server{Handler: h}
	p.served = make(chan struct{})
	go func() { // waited for by Close
		defer close(p.served)
		_ = p.srv.Serve(p.ln)
	}()
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("mocktest: close the pipe: %v", err)
		}
	})
	return p
}

// DialContext returns the client end of a new in-memory connection,
// whatever network and addr say; it blocks until the listener accepts it,
// ctx ends, or the Pipe is closed. Its signature is that of
// net.Dialer.DialContext, http.Transport.DialContext and
// websocket.Dialer.NetDialContext.
func (p *Pipe) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.ln.conns <- server:
		return client, nil
	case <-ctx.Done():
		err := ctx.Err()
		_, _ = client.Close(), server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Addr: pipeAddr{}, Err: err}
	case <-p.ln.closed:
		_, _ = client.Close(), server.Close()
		return nil, &net.OpError{Op: "dial", Net: "pipe", Addr: pipeAddr{}, Err: net.ErrClosed}
	}
}

// Client returns an HTTP client whose connections are dialled through
// the Pipe, whatever the host of a request's URL.
func (p *Pipe) Client() *http.Client { return p.client }

// Dialer returns a gorilla websocket dialer whose connections are
// dialled through the Pipe, whatever the host of the URL.
func (p *Pipe) Dialer() *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: p.DialContext, HandshakeTimeout: websocket.DefaultDialer.HandshakeTimeout}
}

// Close stops accepting, closes the client's idle connections and, when
// Serve started a server, closes it with its open connections and waits
// for it. Hijacked connections (websocket sessions) belong to the
// handler. Close may be called more than once.
func (p *Pipe) Close() error {
	_ = p.ln.Close()
	p.client.CloseIdleConnections()
	if p.srv == nil {
		return nil
	}
	err := p.srv.Close()
	<-p.served
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// listener is a Pipe's accepting end.
type listener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

// Accept waits for the next DialContext; it implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close stops accepting; it implements net.Listener.
func (l *listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *listener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
