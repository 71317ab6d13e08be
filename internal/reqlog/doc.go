// Package reqlog counts the requests a handler serves, by method and
// path, so that a test can say what a client sent a server: for
// instance that a load run sent nothing outside the API's two endpoints.
//
//	log := reqlog.New(srv.Handler())
//	ts := httptest.NewServer(log)
//	// ... run a client against ts.URL ...
//	assert.Empty(t, log.Except(reqlog.Join, reqlog.Push))
//
// # Concurrency
//
// A Log may serve requests and be read from any goroutine at once.
package reqlog
