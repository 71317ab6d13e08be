// Package client speaks the websocket trigger protocol (docs/protocol.md) as a
// Go client: join a session with a pattern, read the frames that follow,
// push data into a session.
//
//	c, err := client.New("http://127.0.0.1:8080", protocol.Credentials{
//		AccessToken: "demo-access-token", SecretKey: "demo-secret-key",
//	}, nil)
//	if err != nil { ... }
//	s, err := c.Join(ctx, `{"type":["job-join"],"org":["IBM"]}`)
//	if err != nil { ... }
//	defer s.Close()
//	seq, err := c.Push(ctx, s.ID(), map[string]any{"hello": "world"})
//	f, err := s.Next(ctx) // f.Type == "push", f.Seq == seq
//
// Errors are typed: *HTTPError when the server answered a join or push with
// an error status (with its error code), *CloseError when the server closed
// a session, *ProtocolError when it broke the protocol. No error, and no
// printed protocol.Credentials value, contains an access token, secret key or
// session id.
//
// # Concurrency
//
// A Client is safe for concurrent use. Each Session owns one reader
// goroutine, which answers the server's pings and buffers up to
// Options.FrameBuffer frames; when the buffer is full it stops reading, so
// a caller that never calls Next exerts back-pressure on the server.
// Next, Ping, WriteMessage and Close may be called from different
// goroutines: writes are serialised by the Session, and each Ping waits
// for the pong that carries its own payload, so concurrent Pings never
// take each other's pongs (TestConcurrentPings: 16 goroutines × 100
// pings on one session). Close waits for the reader goroutine to end,
// so a closed Session leaves no goroutine behind. The connection layer
// under a Session is package internal/wsconn.
//
// A caller holding many sessions may join with JoinWith and a Handler
// instead: the reader goroutine then hands each frame to the Handler as
// it reads it, with no buffer, and calls its End when the session ends,
// so that the session costs one goroutine in all. Close then waits for
// the reader goroutine to finish reading, not for End to return.
package client
