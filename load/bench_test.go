package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
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
	againstBarePosts(b, "driver", benchDriverPushes, "driver/baseline", "driver %.0f pushes/s end to end")
}

// againstBarePosts runs measure as the sub-benchmark name, then the bare
// POST loop ("baseline-net-http-post"), which reports the ratio of the
// two as metric; the parent logs both, the first as what says.
func againstBarePosts(b *testing.B, name string, measure func(*testing.B) float64, metric, what string) {
	var got, baseline float64
	b.Run(name, func(b *testing.B) { got = measure(b) })
	b.Run("baseline-net-http-post", func(b *testing.B) {
		if baseline = benchBarePosts(b); got > 0 {
			b.ReportMetric(got/baseline, metric)
		}
	})
	if got > 0 && baseline > 0 {
		b.Logf(what+", bare net/http POST loop %.0f/s: ratio %.3f (%d in flight, %d B bodies)",
			got, baseline, got/baseline, benchWorkers, DefaultPayloadSize)
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
	return benchPosts(b, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}, nil)
}

// benchPosts sends b.N POSTs of a push-sized body to handler,
// benchWorkers at a time, and returns them per second, from the first
// until the last has been answered and wait (if not nil) has returned.
func benchPosts(b *testing.B, handler http.HandlerFunc, wait func() error) float64 {
	srv := httptest.NewServer(handler)
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
	if msg := failed.Load(); msg != nil {
		b.Fatal(*msg)
	}
	if wait != nil {
		if err := wait(); err != nil {
			b.Fatal(err)
		}
	}
	secs := time.Since(start).Seconds()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/secs, "pushes/s")
	return float64(b.N) / secs
}

// BenchmarkPushFloor measures the least an end-to-end push can cost on
// this machine with net/http, beside the bare POST loop of
// BenchmarkPushThroughput: "post-and-frame" sends the same POSTs, at the
// same concurrency, to a handler that only reads the body, queues it as
// a websocket frame and answers 202; one writer writes all the frames
// queued in one write to a loopback TCP connection, where one reader
// counts them. No JSON, no validation, no accounting: the HTTP request
// and one frame's way, which every push needs. Its floor/baseline is the
// highest driver/baseline any push path can reach here.
//
//	go test -run '^$' -bench BenchmarkPushFloor -benchtime 3s ./load/
func BenchmarkPushFloor(b *testing.B) {
	againstBarePosts(b, "post-and-frame", benchPostAndFrame, "floor/baseline", "a POST and its frame %.0f/s")
}

// benchPostAndFrame is BenchmarkPushFloor's post-and-frame: pushes per
// second from the first POST until the last frame has been read.
func benchPostAndFrame(b *testing.B) float64 {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept() // nil on failure: the dial fails too
		accepted <- c
	}()
	reader, err := net.Dial("tcp", ln.Addr().String())
	writer := <-accepted
	_ = ln.Close()
	if err != nil || writer == nil {
		b.Fatalf("a loopback connection: %v", err)
	}
	defer reader.Close()
	defer writer.Close()
	fw := &frameWriter{conn: writer, wake: make(chan struct{}, 1)}
	go fw.run()
	defer close(fw.wake)
	read := make(chan error, 1)
	go func() { read <- countFrames(reader, b.N) }()
	return benchPosts(b, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fw.send(body)
		w.WriteHeader(http.StatusAccepted)
	}, func() error {
		select {
		case err := <-read:
			return err
		case <-time.After(time.Minute):
			return fmt.Errorf("the frames did not all come within a minute")
		}
	})
}

// frameWriter writes the frames queued since its last write in one
// write, as a mock's writer that coalesces does.
type frameWriter struct {
	conn net.Conn
	wake chan struct{} // buffered 1; closed to end run

	mu      sync.Mutex
	pending []byte
	busy    bool   // run has been woken and not yet found pending empty
	spare   []byte // run's: the buffer written last, for the next queue
}

// send queues p as an unmasked binary frame.
func (fw *frameWriter) send(p []byte) {
	fw.mu.Lock()
	switch n := len(p); {
	case n < 126:
		fw.pending = append(fw.pending, 0x82, byte(n))
	case n < 1<<16:
		fw.pending = append(fw.pending, 0x82, 126, byte(n>>8), byte(n))
	default:
		fw.pending = append(fw.pending, 0x82, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	fw.pending = append(fw.pending, p...)
	wake := !fw.busy
	fw.busy = true
	fw.mu.Unlock()
	if wake {
		fw.wake <- struct{}{}
	}
}

func (fw *frameWriter) run() {
	for range fw.wake {
		for {
			fw.mu.Lock()
			buf := fw.pending
			if len(buf) == 0 {
				fw.busy = false
				fw.mu.Unlock()
				break
			}
			fw.pending = fw.spare[:0]
			fw.mu.Unlock()
			if _, err := fw.conn.Write(buf); err != nil {
				return
			}
			fw.spare = buf
		}
	}
}

// countFrames reads unmasked frames from conn until n have come.
func countFrames(conn net.Conn, n int) error {
	br := bufio.NewReaderSize(conn, 64<<10)
	var hdr [10]byte
	for range n {
		if _, err := io.ReadFull(br, hdr[:2]); err != nil {
			return err
		}
		size := uint64(hdr[1] & 0x7f)
		switch size {
		case 126:
			if _, err := io.ReadFull(br, hdr[2:4]); err != nil {
				return err
			}
			size = uint64(binary.BigEndian.Uint16(hdr[2:4]))
		case 127:
			if _, err := io.ReadFull(br, hdr[2:10]); err != nil {
				return err
			}
			size = binary.BigEndian.Uint64(hdr[2:10])
		}
		if _, err := br.Discard(int(size)); err != nil {
			return err
		}
	}
	return nil
}
