package spec

import (
	"encoding/json"
	"testing"
)

func BenchmarkAppendTriggerFrame(b *testing.B) {
	event := json.RawMessage(salesTriggerJSON)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendTriggerFrame(buf[:0], uint64(i+1), event)
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	frame := AppendTriggerFrame(nil, 42, json.RawMessage(salesTriggerJSON))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFrame(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateFrame(b *testing.B) {
	s := mustDefault(b)
	frame := AppendTriggerFrame(nil, 42, json.RawMessage(salesTriggerJSON))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateFrame(frame); err != nil {
			b.Fatal(err)
		}
	}
}
