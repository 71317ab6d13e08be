// Package recgen generates the mock server's default recording
// (mockserver/recordings/default.jsonl): a deterministic, realistic stream
// of Sales Triggers and News Items in the recording format of docs/protocol.md
// section 8, one {"offsetMs":N,"event":{...}} per line.
//
// The recording is committed, and a test checks that it equals what
// Generate produces with the zero Options, so the file cannot drift from
// the generator. After changing the generator, re-make it from the module
// root with
//
//	go generate ./internal/recgen
//
// which runs the directive below (the same as
// `go run ./internal/recgen/cmd/recgen -o mockserver/recordings/default.jsonl`).
//
// What a recording holds, for a given Options.Seed:
//
//   - about 70% Sales Triggers spread over all eight types of
//     protocol.TriggerTypes, and 30% News Items, in a shuffled order;
//   - about 65 real-looking organisations across countries and industries,
//     with a Zipf-like skew so that IBM, Siemens AG, Deutsche Bank and SAP SE
//     are frequent (useful for pattern tests);
//   - people named after the customs of the country they work in,
//     including non-ASCII names such as "Zoë", "Łukasz" or "Søren";
//   - irregular arrival times: exponential gaps with occasional lulls, and
//     bursts of a few events about one organisation within a few
//     milliseconds, as a news feed delivers them.
//
// Usage:
//
//	lines := recgen.Generate(recgen.Options{Seed: 7, Events: 1000})
//	err := recgen.Write(w, recgen.Options{}) // the default recording
//
// # Concurrency
//
// Generate and Write keep no state between calls and may be called from
// any number of goroutines at once.
package recgen

//go:generate go run ./cmd/recgen -o ../../mockserver/recordings/default.jsonl
