// Package mockserver is a mock of the websocket trigger API that
// implements PROTOCOL.md in full: the join with its rejections, the
// session, trigger and push frames, the push endpoint, liveness, the
// bounded outbound queue, graceful shutdown. It replays a recording of
// triggers, takes injected triggers, and can misbehave on purpose
// (faults) so that clients can test reconnects, gap handling and latency
// accounting.
//
// Its Go API has the shape of net/http/httptest:
//
//	srv, err := mockserver.New(&mockserver.Options{Speed: mockserver.DefaultSpeed})
//	if err != nil {
//		return err
//	}
//	defer srv.Close() // waits for every goroutine it started
//	// join srv.URL + "/api/v1/websocket?pattern=..." with the credentials
//	// of mockserver.DefaultCredentials(), such as demo-access-token /
//	// demo-secret-key
//	n, err := srv.Inject(json.RawMessage(`{"kind":"sales-trigger","type":"job-join","org":"IBM"}`))
//	st := srv.Stats() // joins, frames sent, drops, closes by code, ...
//
// A command serves it on an address with Options.Addr (or a listener of
// its own with Options.Listener) and stops it with Shutdown.
//
// # Decisions where PROTOCOL.md leaves room
//
//   - Queue overflow: each session queues at most Options.QueueSize
//     frames. A trigger that finds the queue full closes the session with
//     4008; the frames still queued and the trigger are dropped and
//     counted (Stats.Dropped), so the client sees a close, never a gap.
//     The close frame goes out ahead of them even to a client that has
//     stopped reading: the write under way is cut short, the rest of the
//     frame it was in is completed, and the close frame follows it into
//     a send buffer raised for it, so that the client finds it whenever
//     it reads again (the socket is let go Options.CloseTimeout after
//     the close). A frame counts as sent once the kernel has taken it
//     whole. Each connection's send buffer is Options.SendBuffer, so
//     clients that stop reading hold little of the kernel's memory. A
//     push that finds the queue full is refused with 429
//     session_queue_full and Retry-After, is not queued and uses no seq;
//     the session stays open.
//   - Heartbeat: the session frame announces Options.Heartbeat in whole
//     seconds rounded up, at least 1; the pings follow the exact
//     interval, so a test may use 100ms (announced as 1). A ping
//     unanswered for two intervals drops the connection without a close
//     frame (counted as 1006), and so does a write still blocked by then
//     (a client that stopped reading); its frame and those still queued
//     count as dropped. Pings and this check go on during stall and
//     latency faults. Pong times are read from the monotonic clock.
//   - Checks: 503 while shutting down is a limit, checked with the
//     session limit after the pattern. Rejection faults apply to requests
//     that pass every other check. A join without an Origin header is
//     accepted even with an origin allow-list (it is not from a browser).
//   - CORS (PROTOCOL.md section 4.1, cors.go): a preflight of the push
//     gets 204 with Access-Control-Allow-Origin (the request's origin,
//     echoed, "null" included), Allow-Methods POST, Allow-Headers,
//     Max-Age (CORSMaxAge) and Vary: Origin, and is counted in neither
//     Stats nor Outcomes. Every push answer, errors included, carries
//     Access-Control-Allow-Origin and Access-Control-Expose-Headers:
//     Retry-After for an allowed Origin. With Options.AllowedOrigins, a
//     preflight from another origin is 403 forbidden_origin, and a push
//     from it (which a browser cannot send without a preflight) is
//     answered as usual but without CORS headers.
//   - Shutdown: frames still queued when a session is closed with 1001
//     (or any other code) are dropped and counted, not flushed.
//   - Replay: the timeline starts at the first join (or at StartReplay
//     with Options.HoldReplay), so no event is replayed to nobody. A zero
//     Options.Speed replays as fast as possible; use DefaultSpeed for real
//     time. The faults delay trigger and push frames, not the session
//     frame or pings.
//
// # Control API
//
// Unless Options.NoControl is set, paths under /_mock/ control the mock.
// They take no credentials: they are for tests and demos on the loopback
// interface. Answers are JSON; errors have the protocol's error body.
//
//	POST /_mock/triggers  one event object, or an array of them: deliver
//	                      now; answers {"events":N,"delivered":M}, M the
//	                      sum over the events of the sessions reached
//	GET  /_mock/stats     the Stats
//	GET  /_mock/faults    the Faults in force
//	PUT  /_mock/faults    replace the faults (JSON as shown on Faults)
//	POST /_mock/reset     set the counters to zero; answers the Stats
//	POST /_mock/disconnect
//	                      end every open session at once (Disconnect), as
//	                      a restart would; the body may be empty or
//	                      {"code":1012,"reason":"..."}, both optional (code
//	                      DefaultDisconnectCode, reason at most 123 bytes
//	                      of UTF-8); answers {"closed":N,"code":C}, N the
//	                      sessions it began to close, or 400 invalid_body
//	POST /_mock/replay    restart the replay from the beginning
//
// With the control API on, every accepted join is answered with the
// header "Wstrigger-Mock: stats" (package mockapi, which also defines
// Stats): the invitation by which "wstrigger load" knows it may read
// GET /_mock/stats to reconcile a run. A load run sends no request
// outside the API to a target that does not invite it.
//
// # Logs
//
// Options.Logger receives one line per join, close and rejected request.
// No line carries a credential or a session id: sessions appear as a
// SessionTag, accounts by name, URLs redacted.
//
// # Concurrency
//
// All methods of Server are safe for concurrent use. Each session has one
// reader goroutine and, while it has something to write, one writer,
// which alone writes data frames and pings and tears the session down;
// the join handler starts both after the upgrade and returns. A writer
// with nothing to write parks, leaving a timer that starts it for the
// next ping; a frame queued or a close starts it at once
// (TestIdleWriterParks). A writer runs as a turn of one of a few shared
// flusher goroutines, which take the sessions with frames queued in
// turn and write what each socket takes at once, so that frames queued
// meanwhile go out together; it runs as a goroutine of its own whenever
// its work would wait: a socket that did not take everything, a close, a
// fault that delays or closes frames (TestFlushersNeverWaitOnAClient).
// Fan-out (replay, Inject,
// POST /_mock/triggers) runs in the caller's goroutine: it collects the
// matching sessions from a pattern.Index, releases the index, queues
// the event's shared bytes on each without blocking, and wakes their
// writers. The replay runs in one goroutine at a time. Every goroutine
// is counted by the Server's WaitGroup, which Shutdown and Close wait
// for; hijacked connections are tracked by the Server, since
// http.Server.Shutdown does not track them. Reading a request (push and
// control bodies included) is bounded by a deadline.
package mockserver
