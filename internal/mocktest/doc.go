// Package mocktest is the shared test kit of the repository, in the
// manner of net/http/httptest and coder/websocket's internal/test/wstest:
// one place that starts the real mock for a test, holds the demo
// credentials, and serves a handler over in-memory connections so that a
// test needs no socket.
//
//	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
//	c, err := client.New(m.URL, mocktest.Demo, nil)             // over 127.0.0.1
//	conn, _, err := m.Pipe.Dialer().Dial(join, mocktest.Header(mocktest.Demo)) // over a net.Pipe
//	f := mocktest.ReadFrame(t, conn)
//	status := mocktest.Push(t, m.Pipe.Client(), m.URL, mocktest.Demo, f.Session, `{"n":1}`)
//
// Pipe.DialContext has the signature of net.Dialer.DialContext, so it
// also fits http.Transport.DialContext and websocket.Dialer.NetDialContext;
// a Pipe's Listener can be a mock's only listener (mockserver.Options).
//
// For the test binaries: SetParallel raises -test.parallel in TestMain
// (the network tests mostly wait), Scaled lengthens a test's short time
// limits under -race, and Slots bounds the tests that each keep a core
// busy.
//
// Everything a kit function starts is stopped by t.Cleanup, and waited
// for, so the goroutine-leak check of a package's TestMain still holds.
//
// # Concurrency
//
// A Mock and a Pipe may be used from many goroutines, as the mock itself
// and net/http's client may (TestPipeConcurrentDials holds Pipe to it).
// Start, Serve and SetParallel must be called from the test's goroutine
// or TestMain.
package mocktest
