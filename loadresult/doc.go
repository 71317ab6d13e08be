// Package loadresult is the result of a load run as plain data: what
// "wstrigger load --json" writes and "wstrigger report" reads. It holds
// the Result document and its parts (Meta, Config, the figures, the
// per-second Interval series, the latency Summary of each kind with its
// HdrHistogram), the SLOs checked against a result, and Merge, which adds
// the results of the shards of one run up.
//
// It imports no engine: no websocket, no HTTP client, no OpenAPI. The
// load driver (package load) fills a Result; the renderers (package
// reports) and the merges read one, so they depend on data only.
//
//	res, err := loadresult.Merge(shard0, shard1) // as one driver would have measured
//	if err != nil { ... }
//	slo, _ := loadresult.ParseSLO("push.p99<50ms")
//	ok := res.CheckSLOs([]loadresult.SLO{slo})
//
// # Adding figures up
//
// Every figure type has an Add method (as vegeta's Metrics.Add): counts
// add up, the worst of gauges and extremes is kept, latency histograms
// are merged and their percentiles computed again from the merge, and a
// derived figure (a percentage, the invariant) is computed again from
// the sums. The zero value of each is the identity: adding a figure to a
// zero one gives the figure. Merge is a loop over the shards of these
// Adds; a test fills every field of every figure type and fails when an
// Add leaves one out.
//
// # Concurrency
//
// The types are plain values with no locks. Merge and SLO.Check only
// read the results they are given: several goroutines may merge and
// check the same results at once (TestReadersShareResults). Add and
// CheckSLOs write their receiver and need the caller's exclusion.
package loadresult
