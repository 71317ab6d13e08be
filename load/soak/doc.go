// Package soak holds the soak test of the load driver and the mock
// (soak_test.go), skipped unless given a length:
//
//	go test ./load/soak -run TestSoak -v -timeout 30m -args -soak 10m
//
// It runs the real "wstrigger mock" command as a process of its own and
// the driver in the test's process, for the length given, as a series of
// load runs (the soak's intervals) of a few seconds to half a minute at
// moderate load, against the one mock, until the length has passed. Before each, it switches the
// mock's faults through the control API, in turn: none, latency,
// closes, rejections of joins and pushes, a stall, and a disconnect of
// every session (POST /_mock/disconnect) in the middle of the run, with
// a fifth of the joins refused.
//
// It checks, for every interval, that accepted = received + lost + in
// flight holds (with the workers' own count of accepted pushes), that
// the interval's per-second counts add up to it, and that the mock
// answered 202 to exactly the pushes the driver counts accepted; and
// that neither process grows: the least-squares slope of its resident
// memory and of its goroutine count, sampled between intervals (every
// session closed), over the last 5 minutes (all but the first sample of
// a shorter soak), stays under a threshold (see soak_test.go). It logs the
// figures, the storm figures of the disconnects included.
package soak
