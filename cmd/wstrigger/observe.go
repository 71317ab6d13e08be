package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// The load driver reads a target's counters (load.Observer) only when
// invited: the embedded mock is read in-process, a "wstrigger mock" over
// HTTP when its pre-flight join answered with the mockapi header, and
// any other target is sent nothing but joins and pushes.

// observeEmbedded lets the driver read the embedded mock's counters
// in-process.
func (o *loadOptions) observeEmbedded(srv *mockserver.Server) {
	o.opts.Observer = func(context.Context) (mockapi.Stats, error) { return srv.Stats(), nil }
}

// observeInvited lets the driver read target's counters over HTTP when
// the pre-flight join was invited to (and no Observer is set already).
func (o *loadOptions) observeInvited(target string, invited bool) {
	if o.opts.Observer != nil || !invited {
		return
	}
	u, err := client.ParseTarget(target)
	if err != nil {
		return
	}
	base := u.String()
	o.opts.Observer = func(ctx context.Context) (mockapi.Stats, error) {
		return mockapi.FetchStats(ctx, nil, base)
	}
}

// maxHead bounds the bytes a headTap keeps while it looks for the end of
// a response head.
const maxHead = 64 << 10

// headTap is a websocket dialer that keeps the headers of the handshake
// response (101) of the last join made through it: the client does not
// hand them out, and the pre-flight join reads the mock's invitation in
// them. It sees what crosses the TCP connection, so a handshake over TLS
// is not seen (such a target is not invited).
type headTap struct {
	mu     sync.Mutex
	header http.Header
}

func (t *headTap) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &tapConn{Conn: c, tap: t}, nil
}

// invited reports whether the last 101 response seen carried the mock's
// invitation, and forgets it.
func (t *headTap) invited() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.header
	t.header = nil
	return mockapi.Identifies(h)
}

// tapConn passes reads through and looks in them for the 101 response
// head, after any proxy's answer to CONNECT; it stops looking once found
// or hopeless.
type tapConn struct {
	net.Conn
	tap  *headTap
	buf  []byte
	done bool
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.done && n > 0 {
		c.look(p[:n])
	}
	return n, err
}

func (c *tapConn) look(b []byte) {
	c.buf = append(c.buf, b...)
	for !c.done {
		end := bytes.Index(c.buf, []byte("\r\n\r\n"))
		if end < 0 {
			c.done = len(c.buf) > maxHead
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(c.buf[:end+4])), nil)
		c.buf = c.buf[end+4:]
		switch {
		case err != nil:
			c.done = true
		case resp.StatusCode == http.StatusSwitchingProtocols:
			c.tap.mu.Lock()
			c.tap.header = resp.Header
			c.tap.mu.Unlock()
			c.done = true
		case resp.StatusCode != http.StatusOK: // not a proxy's CONNECT
			c.done = true
		}
	}
	c.buf = nil
}
