// Package metrics serves the live figures of a load run and of a mock
// as Prometheus exposition (the --metrics-addr of "wstrigger load" and
// "wstrigger mock"), with prometheus/client_golang.
//
//	srv, err := metrics.Listen("127.0.0.1:9090") // serves GET /metrics
//	if err != nil { ... }                         // a usage error: the address
//	defer srv.Close()
//	d, _ := load.New(target, creds, opts)
//	_ = metrics.RegisterDriver(srv.Registry, d)
//	_ = metrics.RegisterMock(srv.Registry, mock)  // a mockserver.Server
//
// The collectors keep no counters of their own: at every scrape they
// read the same live counters and histograms the load Result and the
// mock's Stats are built from (load.Driver.Live and EndToEnd,
// mockserver.Server.Stats and Outcomes), so that once a run has ended
// its metrics equal its Result by construction:
//
//   - wstrigger_driver_pushes_{scheduled,sent,accepted,rejected,failed,unsent}_total:
//     pushes.scheduled - pushes.notDue, pushes.sent, ... (the whole run,
//     warmup included, as the Result's accounting counts it);
//     wstrigger_driver_schedule_pushes: pushes.scheduled
//   - wstrigger_driver_pushes_received_total: delivery.received +
//     delivery.receivedUnaccepted (first receipts: a frame cannot know
//     whether its push will be answered 202); _late_total: delivery.late
//   - wstrigger_driver_pushes_lost_total: delivery.lost, 0 until the run
//     has ended, since a push is lost only at the cut-off
//   - wstrigger_driver_push_end_to_end_seconds: the histogram
//     latency.pushEndToEnd summarizes, warmup left out as there; its
//     _count is latency.pushEndToEnd.count
//   - wstrigger_driver_subscriptions_open: open sessions; once the run
//     has ended, subscriptions.openAtEnd
//
// Every driver metric, the process's and the Go runtime's included,
// carries shard="K/N". Labels are bounded: a frame type, an HTTP status,
// an error code of the protocol (any other is "other"), a close code of
// the protocol (or "other"), a phase of the run. No session id, pattern,
// URL or credential is ever a label or a value.
//
// After a run the endpoint serves its final values until the command
// ends; the result file, not the last scrape, is the run's record.
//
// # Concurrency
//
// Collectors are safe for concurrent scrapes, and read the driver and
// the mock only through their goroutine-safe snapshots. Listen's Server
// serves from its own goroutine until Close, which waits for it.
package metrics
