package load

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/spec"
)

func BenchmarkHistogramRecord(b *testing.B) {
	r := newRecorder(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			r.record(i, mEndToEnd, time.Duration(i%5000)*time.Microsecond, true)
		}
	})
}

// BenchmarkReceivePush is the per-frame work of a subscription's
// goroutine on a push frame: seq check, payload parse, push table,
// two histogram records.
func BenchmarkReceivePush(b *testing.B) {
	bk := newBooks()
	bk.led.table = newPushTable(uint64(b.N) + 1)
	now := time.Now()
	data := appendPayload(nil, header{ID: 0, Sub: 1, Intended: now.UnixNano(), Sent: now.UnixNano()}, DefaultPayloadSize)
	f := client.Frame{Frame: spec.Frame{Type: spec.FramePush, Data: json.RawMessage(data)}, Received: now.Add(time.Millisecond)}
	r := &receiver{sub: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f.Seq = uint64(i + 1)
		bk.led.frame(r, &f)
	}
}

func BenchmarkAppendPayload(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := range b.N {
		buf = appendPayload(buf[:0], header{ID: uint64(i), Sub: i % 1000, Intended: int64(i), Sent: int64(i)}, DefaultPayloadSize)
	}
}
