// Package wsconn is the one websocket connection layer under package
// client and package contract: it dials, keeping the server's raw answer
// to the handshake (status, headers, body) as evidence even when the
// join is refused; reads and decodes the session frame; reads the
// connection, one goroutine at a time; matches pongs to pings by payload;
// and writes frames of any type, malformed ones included, for the
// checks that test how a server treats them.
//
// Only this package imports gorilla/websocket; its API speaks in its own
// types (Options, MessageType, CloseError), so that no public package
// shows gorilla's.
//
//	c, hs, err := wsconn.Dial(ctx, "ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D", header, nil)
//	if errors.Is(err, wsconn.ErrBadHandshake) { ... } // hs.Status, hs.Header, hs.Body
//	f, raw, err := c.ReadSessionFrame(ctx, 10*time.Second)
//	c.Start(func(t wsconn.MessageType, data []byte) error { ...; return nil }, nil)
//	rtt, err := c.Ping(ctx, "")
//	err = c.Close(protocol.CloseNormal, "", time.Second)
//
// # Concurrency
//
// A Conn is read from Start on, and reading is ended, and waited for,
// by Close. It has a reader goroutine of its own; with
// Options.ShallowPark a shared read worker takes what came each time the
// socket is readable, and on Linux no goroutine waits for the socket
// meanwhile (the package's poller does). Either way one goroutine at a
// time reads a Conn and calls its onMessage, in order. Ping, WriteMessage and Close may be called from any
// goroutine, also at once: data writes are serialised, control frames
// may be sent during them, and each Ping waits on a channel of its own
// keyed by its payload, so concurrent Pings never take each other's
// pongs (client's TestConcurrentPings holds it to this). ReadSessionFrame must
// come before Start, on one goroutine.
package wsconn
