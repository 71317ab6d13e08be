package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
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
	f := client.Frame{Frame: protocol.Frame{Type: protocol.FramePush, Data: json.RawMessage(data)}, Received: now.Add(time.Millisecond)}
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

// Settings of BenchmarkPushThroughput, the same for both sub-benchmarks.
const (
	benchWorkers  = 32 // pushes in flight
	benchSessions = 1  // sessions the driver pushes into
)

// BenchmarkPushThroughput measures, in the same run, pushes per second
// end to end through the driver against the mock in-process ("driver":
// push request, 202, push frame read and accounted by the session's
// reader), and a bare net/http POST loop of the same payload at the
// same concurrency against a no-op handler answering 202
// ("baseline-net-http-post"). Both report pushes/s, and ns/op of the
// pushing alone; the baseline also reports driver/baseline, the ratio of
// the driver's pushes/s just measured to its own (the parent logs it
// with -v; with -count N, each baseline run is compared with the
// driver's last). Each shares this machine's cores with its server, as the
// driver shares them with the mock.
//
//	go test -run '^$' -bench BenchmarkPushThroughput -benchtime 3s ./load/
func BenchmarkPushThroughput(b *testing.B) {
	var driver, baseline float64
	b.Run("driver", func(b *testing.B) { driver = benchDriverPushes(b) })
	b.Run("baseline-net-http-post", func(b *testing.B) {
		if baseline = benchBarePosts(b); driver > 0 {
			b.ReportMetric(driver/baseline, "driver/baseline")
		}
	})
	if driver > 0 && baseline > 0 {
		b.Logf("driver %.0f pushes/s end to end, bare net/http POST loop %.0f/s: ratio %.3f (%d in flight, %d B bodies)",
			driver, baseline, driver/baseline, benchWorkers, DefaultPayloadSize)
	}
}

// benchDriverPushes runs the driver for b.N pushes, all due at once (the
// workers send them as fast as they can), and returns pushes received
// per second from the first push to the last frame.
func benchDriverPushes(b *testing.B) float64 {
	srv, err := mockserver.New(&mockserver.Options{Recording: []protocol.RecordingLine{}, QueueSize: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	b.ResetTimer()
	res, err := Run(context.Background(), srv.URL, demo, &Options{
		Subscriptions: benchSessions, ConnectRate: 1000, Workers: benchWorkers,
		// b.N pushes due within b.N ns: the schedule never holds a push back.
		Stages:      []Stage{{Duration: time.Duration(b.N), Rate: 1e9}},
		PushTimeout: time.Minute, NoReconnect: true,
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	d := res.Delivery
	if d.ExactlyOnce != uint64(b.N) || !d.InvariantHolds {
		b.Fatalf("%d pushes, %d received exactly once: %s; errors %v", b.N, d.ExactlyOnce, d.Invariant, res.Errors)
	}
	secs := res.Meta.CutoffSeconds
	b.ReportMetric(float64(b.N)/secs, "pushes/s")
	b.ReportMetric(secs*1e9/float64(b.N), "ns/op")
	return float64(b.N) / secs
}

// benchBarePosts sends b.N POSTs of a push-sized body to a handler that
// reads it and answers 202, benchWorkers at a time, and returns them per
// second.
func benchBarePosts(b *testing.B) float64 {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: benchWorkers, MaxIdleConnsPerHost: benchWorkers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	now := time.Now().UnixNano()
	body := appendPayload(nil, header{ID: 1, Intended: now, Sent: now}, DefaultPayloadSize)
	url := srv.URL + protocol.PushPath + "?session=bench"
	var next atomic.Int64
	var failed atomic.Pointer[string]
	var g sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchWorkers {
		g.Go(func() {
			for next.Add(1) <= int64(b.N) {
				resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					msg := err.Error()
					failed.Store(&msg)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					msg := resp.Status
					failed.Store(&msg)
					return
				}
			}
		})
	}
	g.Wait()
	secs := time.Since(start).Seconds()
	b.StopTimer()
	if msg := failed.Load(); msg != nil {
		b.Fatal(*msg)
	}
	b.ReportMetric(float64(b.N)/secs, "pushes/s")
	return float64(b.N) / secs
}
