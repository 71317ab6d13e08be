// Package contract is the conformance suite of the websocket trigger API:
// a catalogue of checks, each with a stable id (such as "AUTH-004"), a
// title, the docs/protocol.md section and spec location it enforces, and a
// level (MUST or SHOULD), run against any implementation.
//
//	rep, err := contract.Run(ctx, contract.Target{
//		URL:         "http://127.0.0.1:8080",
//		Credentials: protocol.Credentials{AccessToken: "...", SecretKey: "..."},
//	}, nil)
//	if errors.Is(err, contract.ErrUnreachable) { ... }
//	if !rep.Passed() { ... } // a MUST check failed
//
// From a team's own tests, in the way golang.org/x/net/nettest.TestConn
// exposes a conformance suite, each check becomes a subtest with package
// contracttest (a package of its own, so that this one does not link
// package testing):
//
//	func TestConformance(t *testing.T) {
//		contracttest.Test(t, target, &contract.Options{Observe: 5 * time.Second})
//	}
//
// "go test ./contract/..." runs the suite against $WSTRIGGER_TARGET when
// it is set (see TargetFromEnv), against the mock server otherwise.
//
// # Spec-driven
//
// Expectations come from the loaded OpenAPI and AsyncAPI documents
// (Options.Spec): a check names an endpoint and an error code, and the
// status it expects is the one under which the spec declares that code
// for the endpoint's operation. Every HTTP answer the suite receives is
// validated against its operation (spec.ValidateResponse), every frame
// against its AsyncAPI message (spec.ValidateFrame), and a departure is
// reported by the SCHEMA check of that operation or message, with its
// JSON pointer, the schema rule and the offending value; every other
// check judges only its own rule, but a 500 fails whichever check's
// request met it (docs/protocol.md §6: the spec declares 500
// internal_error for its body's shape, never as a right answer). Every
// frame of every session also
// gets the stream checks: seq counts from 1 without gaps, duplicates or
// reordering, and every trigger matches its session's pattern (with
// spec/pattern). The differential pattern oracle (PAT-003) learns the
// target's events, joins a few hundred generated patterns at the edges
// of the pattern rules and compares who received each trigger with who
// should have. The Report's Coverage lists the operations and declared
// statuses, message types and close codes, and how often the run saw
// each.
//
// Pushed data is compared as JSON values, not bytes (docs/protocol.md §3.1):
// strings by their characters, numbers as exact decimals, members in
// any order. PUSH-002 holds numbers a double holds exactly to their
// value (MUST); PUSH-014 does the same for every other number (SHOULD).
//
// # Fail fast
//
// Checks declare what they need: an open session (HS-001 and SESS-001
// must pass), push frames (PUSH-001), a second tenant or a forbidden
// account. A check whose prerequisite failed is skipped at once, with
// Result.BlockedBy and the cause "blocked by SESS-001"; one that lacks a
// tenant is skipped with the flag to set. Options.Strict turns skipped
// MUST checks into failures.
//
// # Evidence and secrets
//
// A result carries the exchanges it made as Evidence: request line and
// headers, status, response headers and a body excerpt, frames, and a
// command that repeats the step (curl, websocat; a failed check also
// gets the wstrigger command that runs it again). Every credential of
// the Target, the wrong and near-miss credentials the suite sends and
// every session id it learns are replaced by "***" in evidence and
// reasons; a reproducer names credentials by the environment variables
// wstrigger reads ($WSTRIGGER_ACCESS_TOKEN, ...) and session ids as
// $SESSION.
//
// # JSON shape
//
// A Report marshals with encoding/json to the shape below, whose version
// is SchemaVersion (currently 1). Fields may be added within a version;
// renaming or removing one, or changing its meaning, bumps it.
//
//	{
//	  "schemaVersion": 1,
//	  "target": "http://127.0.0.1:8080",      // redacted
//	  "started": "2026-01-02T15:04:05Z",       // RFC 3339
//	  "durationNs": 3500000000,
//	  "aggressive": false,
//	  "strict": false,                         // omitted when false
//	  "interrupted": false,                    // omitted when false: the run was cut short
//	  "targetName": "embedded mock",           // omitted when the URL names it
//	  "results": [{
//	    "id": "AUTH-004", "title": "...", "group": "auth", "level": "MUST",
//	    "section": "docs/protocol.md §2", "specRef": "openapi.yaml#/paths/...",
//	    "aggressive": false,                   // omitted when false
//	    "status": "pass" | "fail" | "skip",
//	    "reason": "...",                       // for fail and skip
//	    "cause": "no trigger observed",        // for skip: shared by checks skipped alike
//	    "blockedBy": "SESS-001",               // for skip: the prerequisite that failed
//	    "evidence": [{"step": "...", "request": "...", "status": 401,
//	                  "response": "...", "frames": ["..."], "note": "...",
//	                  "reproduce": "curl -i ..."}],
//	    "durationNs": 1200000
//	  }],
//	  "coverage": {
//	    "operations": [{"id": "joinWebsocket", "method": "GET", "path": "/api/v1/websocket",
//	                    "statuses": [{"status": 401, "exercised": true, "declared": true, "seen": 12}]}],
//	    "messages":   [{"type": "push", "seen": 464, "declared": true}],
//	    "closeCodes": [{"code": 1009, "seen": 2, "declared": true}]
//	  },
//	  "summary": {"total": 59, "passed": 59, "failed": 0, "skipped": 0, "mustFailed": 0,
//	              "mustSkipped": 0, "notRun": 0}
//	}
//
// # Aggressive checks
//
// Options.Aggressive adds checks that stress a service (session limit,
// slow consumer, slow handshakes, oversized and malformed frames). They
// are off by default, since they load a vendor's service; each is
// bounded by Options.Timeout and Options.MaxSessions.
//
// # Concurrency
//
// Run (and contracttest.Test) runs up to Options.Parallel checks at once
// (DefaultParallel); checks that load the target (the aggressive ones)
// run alone, and the SCHEMA checks run after every other. A check may use a bounded number
// of goroutines of its own (concurrent pushes and joins), and every
// session it opens has one reader goroutine. All of them end before the
// check's result is returned, so a finished Run leaves no goroutine
// behind. Options.Progress is called from the goroutine that called Run,
// in catalogue order. When the run's context is cancelled, no
// further check starts, the running ones end, and the Report is marked
// Interrupted. Separate Runs share nothing and may run at once.
package contract
