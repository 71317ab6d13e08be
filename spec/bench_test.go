package spec

import (
	"encoding/json"
	"testing"

	"github.com/wstrigger/wstrigger/protocol"
)

func BenchmarkValidateFrame(b *testing.B) {
	s := mustDefault(b)
	frame := protocol.AppendTriggerFrame(nil, 42, json.RawMessage(salesTriggerJSON))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateFrame(frame); err != nil {
			b.Fatal(err)
		}
	}
}
