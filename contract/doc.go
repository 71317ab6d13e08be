// Package contract is the conformance suite of the websocket trigger API:
// a catalogue of checks, each with a stable id (such as "AUTH-004"), a
// title, the PROTOCOL.md section and spec location it enforces, and a
// level (MUST or SHOULD), run against any implementation.
//
//	rep, err := contract.Run(ctx, contract.Target{
//		URL:         "http://127.0.0.1:8080",
//		Credentials: client.Credentials{AccessToken: "...", SecretKey: "..."},
//	}, nil)
//	if errors.Is(err, contract.ErrUnreachable) { ... }
//	if !rep.Passed() { ... } // a MUST check failed
//
// From a team's own tests, in the way golang.org/x/net/nettest.TestConn
// exposes a conformance suite, each check becomes a subtest:
//
//	func TestConformance(t *testing.T) {
//		contract.Test(t, target, &contract.Options{Observe: 5 * time.Second})
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
// against its AsyncAPI message (spec.ValidateFrame); a departure fails
// the check that saw it and names it. Every frame of every session also
// gets the stream checks: seq counts from 1 without gaps, duplicates or
// reordering, and every trigger matches its session's pattern (the
// pattern oracle, with spec/pattern). The Report's Coverage lists the
// operations and declared statuses, message types and close codes, and
// how often the run saw each.
//
// # Evidence and secrets
//
// A result carries the exchanges it made as Evidence: request line and
// headers, status, response headers and a body excerpt, frames. Every
// credential of the Target, the wrong credentials the suite sends and
// every session id it learns are replaced by "***" in evidence and
// reasons, and query credentials and session ids in URLs are redacted.
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
//	  "results": [{
//	    "id": "AUTH-004", "title": "...", "group": "auth", "level": "MUST",
//	    "section": "PROTOCOL.md §2", "specRef": "openapi.yaml#/paths/...",
//	    "aggressive": false,                   // omitted when false
//	    "status": "pass" | "fail" | "skip",
//	    "reason": "...",                       // for fail and skip
//	    "evidence": [{"step": "...", "request": "...", "status": 401,
//	                  "response": "...", "frames": ["..."], "note": "..."}],
//	    "durationNs": 1200000
//	  }],
//	  "coverage": {
//	    "operations": [{"id": "joinWebsocket", "method": "GET", "path": "/api/v1/websocket",
//	                    "statuses": [{"status": 401, "exercised": true, "declared": true, "seen": 12}]}],
//	    "messages":   [{"type": "push", "seen": 464, "declared": true}],
//	    "closeCodes": [{"code": 1009, "seen": 2, "declared": true}]
//	  },
//	  "summary": {"total": 48, "passed": 48, "failed": 0, "skipped": 0, "mustFailed": 0}
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
// Run and Test run the checks one after the other; a check may use a
// bounded number of goroutines of its own (concurrent pushes and joins),
// and every session it opens has one reader goroutine. All of them end
// before the check's result is returned, so a finished Run leaves no
// goroutine behind. Options.Progress is called from the goroutine that
// called Run (or from the subtest's goroutine under Test). Separate Runs
// share nothing and may run at once.
package contract
