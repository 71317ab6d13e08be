package client

import (
	"context"
	"net"
	"net/http"

	"github.com/gorilla/websocket"
)

// DialContext is d.DialContext made to honour ctx's cancellation during
// the opening handshake as well: gorilla/websocket applies only ctx's
// deadline to the handshake, so a cancelled context (an interrupted
// run) would otherwise wait for a silent server until the handshake
// timeout. The connection is closed when ctx ends before the handshake
// does; after that, ctx no longer touches it.
func DialContext(ctx context.Context, d *websocket.Dialer, urlStr string, h http.Header) (*websocket.Conn, *http.Response, error) {
	var stops []func() bool
	dd := *d
	netDial := d.NetDialContext
	if netDial == nil {
		var nd net.Dialer
		netDial = nd.DialContext
		if d.NetDial != nil {
			netDial = func(_ context.Context, network, addr string) (net.Conn, error) { return d.NetDial(network, addr) }
		}
	}
	dd.NetDial = nil
	dd.NetDialContext = func(dctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := netDial(dctx, network, addr)
		if err == nil {
			stops = append(stops, context.AfterFunc(ctx, func() { _ = conn.Close() }))
		}
		return conn, err
	}
	conn, resp, err := dd.DialContext(ctx, urlStr, h)
	for _, stop := range stops {
		stop()
	}
	if err != nil && ctx.Err() != nil {
		return nil, resp, ctx.Err()
	}
	return conn, resp, err
}
