// Package mockapi is what a wstrigger mock says about itself beside the
// protocol: the header by which it identifies itself on a join, and the
// counters of its GET /_mock/stats, with a client that reads them.
//
// It is the one definition of those shapes: package mockserver serves
// them, and the load driver reads them (through a load.Observer the
// command sets) without linking the mock. It imports only package
// protocol and the standard library.
//
// A wstrigger mock with its control API on answers every accepted join
// with
//
//	Wstrigger-Mock: stats
//
// so that a client that has joined knows, without a request outside the
// API, that the target invites it to read GET /_mock/stats:
//
//	if mockapi.Identifies(resp.Header) {
//		st, err := mockapi.FetchStats(ctx, nil, target)
//		// st.FramesSent["push"], st.Pushes[202], ...
//	}
//
// # Concurrency
//
// The functions keep no state and may be called from any goroutine.
package mockapi
