// Package mocktest is the shared test kit of the repository, in the
// manner of net/http/httptest and coder/websocket's internal/test/wstest:
// one place that starts the real mock for a test, holds the demo
// credentials, and serves a handler over in-memory connections so that a
// test needs no socket.
//
//	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
//	c, err := client.New(m.URL, mocktest.Demo, nil)     // over 127.0.0.1
//	resp, err := m.Pipe.Client().Get(m.URL + "/_mock/stats") // over a net.Pipe
//	conn, _, err := m.Pipe.Dialer().Dial(wsURL, header)      // gorilla, over a net.Pipe
//
// Everything a kit function starts is stopped by t.Cleanup, and waited
// for, so the goroutine-leak check of a package's TestMain still holds.
//
// # Concurrency
//
// A Mock and a Pipe may be used from many goroutines, as the mock itself
// and net/http's client may. Start and Serve must be called from the
// test's goroutine (they register cleanups).
package mocktest
