// Package oracle is the pure part of the differential pattern oracle
// (contract check PAT-003): it learns the shape of a target's trigger
// events, generates patterns that probe every rule of docs/protocol.md §5 at
// the edges of the values it saw, and compares what a target delivered
// with what spec/pattern says it must deliver. It opens no connection;
// the contract package does the joining and the watching.
//
// # Usage
//
//	m := oracle.Learn(events) // events decoded with Decode
//	cases := oracle.Generate(m, &oracle.Options{Seed: 1})
//	// join one session per cases[i].Text, watch, then:
//	j := oracle.Compare(cases, oracle.Observed{Events: judged, Delivered: got, Settled: settled})
//	for _, g := range j.Groups(cases) {
//		report(cases[g.Case].Text, cases[g.Case].Rules, g.Dir, g.Events)
//	}
//
// Events are identified across sessions by Key, a canonical form that
// survives a server's re-encoding (member order, white space, 3.50 sent
// as 3.5).
//
// # What a case is
//
// A Case is one pattern as sent (Text) and its conditions (Conds), one
// per constrained field, so that a compound case can be shrunk to the
// smallest observed case whose conditions are a subset of its own.
// Generate guarantees that every condition of a compound case is also a
// case of its own. Rules names the rules of §5 a case exercises.
//
// # Staying clear of false failures
//
// Generate writes only what §5 defines the same way for every reading:
// no backslashes in wildcards, no adjacent stars, rule-form values that
// need no escape but %3B %7C %3D %25, numbers of at most 15 significant
// digits, case flips only of letters whose case mapping is one-to-one.
// Compare leaves out (and counts) the pairs of pattern and event where
// §5 can be read two ways: a number a double cannot order exactly, an
// anything-but that meets an object, exists:false on an array whose
// elements differ in having the field, arrays nested in arrays.
//
// # Concurrency
//
// Every function is pure; a Model, a Case and a Judgement are not
// changed after they are returned and may be read from any goroutine.
package oracle
