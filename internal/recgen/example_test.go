package recgen_test

import (
	"encoding/json"
	"fmt"

	"github.com/wstrigger/wstrigger/internal/recgen"
)

func ExampleGenerate() {
	lines := recgen.Generate(recgen.Options{Seed: 1, Events: 4})
	for _, l := range lines {
		var ev struct{ Kind, Type, Org, Headline string }
		if err := json.Unmarshal(l.Event, &ev); err != nil {
			panic(err)
		}
		if ev.Kind == "news-item" {
			fmt.Printf("%d ms: news item %q\n", l.OffsetMs, ev.Headline)
		} else {
			fmt.Printf("%d ms: %s about %s\n", l.OffsetMs, ev.Type, ev.Org)
		}
	}
	// Output:
	// 114 ms: news item "Iberdrola bets on supply-chain software to modernise its operations"
	// 44139 ms: job-join about Siemens AG
	// 118994 ms: job-move about Accenture
	// 719025 ms: 310 about IBM
}
