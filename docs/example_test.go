package docs_test

import (
	"fmt"

	"github.com/wstrigger/wstrigger/docs"
)

// A check's citation names sections; each is looked up for its title
// and linked by its anchor.
func ExampleCited() {
	for _, n := range docs.Cited("docs/protocol.md §3.1, §4") {
		s, _ := docs.Lookup(n)
		fmt.Printf("§%s %s: %s#%s\n", s.Number, s.Title, docs.ProtocolPath, s.Anchor)
	}
	// Output:
	// §3.1 Frames from the server: docs/protocol.md#section-3.1
	// §4 Push: POST /api/v1/websocket/session?session=ID: docs/protocol.md#section-4
}
