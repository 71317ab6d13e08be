// Package docs holds the protocol reference, docs/protocol.md, embedded
// in the binary, and reads its numbered sections: the ones every check of
// the contract suite cites ("docs/protocol.md §3.1") and every report
// links.
//
// It imports only the standard library, so that reports, which must not
// link the spec documents' OpenAPI code, can carry the cited sections'
// text; go:embed reads only files beside or below a package, so the
// package lives beside the document.
//
//	for _, n := range docs.Cited("docs/protocol.md §3.1, §4") { // "3.1", "4"
//		s, ok := docs.Lookup(n)
//		_ = ok     // false for a number the document lacks
//		_ = s.Body // the section's Markdown, up to the next numbered section
//		_ = docs.ProtocolURL + "#" + s.Anchor
//	}
//
// # Concurrency
//
// Every function may be called from any number of goroutines: the
// sections are parsed once and never changed; callers get copies.
package docs
