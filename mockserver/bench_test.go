package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// Benchmarks of the hot paths, each beside a baseline run in the same
// benchmark:
//
//	go test -run '^$' -bench . -benchtime 2s ./mockserver/
//
// BenchmarkFanout: deliveries/s of triggers to every session over real
// websockets, the mock against a bare gorilla broadcast.
// BenchmarkFanoutMatch: the matching and queueing of one event among
// 100,000 subscriptions, through pattern.Index against a linear scan.
// BenchmarkPush: pushes/s end to end, the mock against a plain handler
// that answers 202.

// countReaders reads every connection in its own goroutine and counts the
// frames received; stop closes the connections and waits.
func countReaders(conns []*websocket.Conn) (total *atomic.Int64, stop func()) {
	total = new(atomic.Int64)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			for {
				if _, _, err := c.NextReader(); err != nil {
					return
				}
				total.Add(1)
			}
		})
	}
	return total, func() {
		for _, c := range conns {
			_ = c.Close()
		}
		wg.Wait()
	}
}

// fanoutLoop broadcasts b.N events, keeping at most window events ahead
// of the slowest delivery, and reports deliveries per second.
func fanoutLoop(b *testing.B, n int, total *atomic.Int64, broadcast func()) {
	const window = 32
	base := total.Load()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for int64(i-window)*int64(n) > total.Load()-base {
			runtime.Gosched()
		}
		broadcast()
	}
	for total.Load()-base < int64(b.N)*int64(n) {
		runtime.Gosched()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)*float64(n)/time.Since(start).Seconds(), "deliveries/s")
}

func BenchmarkFanout(b *testing.B) {
	event := json.RawMessage(ibmJoin)
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("sessions=%d/mock", n), func(b *testing.B) {
			srv := startServer(b, &Options{CloseTimeout: time.Second})
			conns := dialMany(b, srv, n, `{"org":"IBM"}`, `type=job-join`, `{}`)
			for _, c := range conns { // the session frames
				_, _, err := c.ReadMessage()
				require.NoError(b, err)
			}
			total, stop := countReaders(conns)
			defer stop()
			b.ReportAllocs()
			fanoutLoop(b, n, total, func() {
				if d, err := srv.Inject(event); err != nil || d != n {
					b.Fatalf("delivered to %d of %d: %v", d, n, err)
				}
			})
		})
		b.Run(fmt.Sprintf("sessions=%d/baseline-gorilla-broadcast", n), func(b *testing.B) {
			bc := newBroadcaster()
			ts := httptest.NewServer(bc)
			defer ts.Close()
			defer bc.close()
			dialer := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256}
			var conns []*websocket.Conn
			for range n {
				c, _, err := dialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
				require.NoError(b, err)
				conns = append(conns, c)
			}
			bc.wait(n)
			total, stop := countReaders(conns)
			defer stop()
			frame := protocol.AppendTriggerFrame(nil, 1, event)
			b.ReportAllocs()
			fanoutLoop(b, n, total, func() { bc.send(frame) })
		})
	}
}

// broadcaster is the baseline of BenchmarkFanout: the least a gorilla
// server can do to send one frame to every connection, with one writer
// goroutine per connection and no matching, queue bound or seq.
type broadcaster struct {
	up    websocket.Upgrader
	mu    sync.Mutex
	chans []chan []byte
	wg    sync.WaitGroup
}

func newBroadcaster() *broadcaster {
	return &broadcaster{up: websocket.Upgrader{ReadBufferSize: 512, WriteBufferPool: &sync.Pool{}}}
}

func (bc *broadcaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := bc.up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	ch := make(chan []byte, 1024)
	bc.mu.Lock()
	bc.chans = append(bc.chans, ch)
	bc.mu.Unlock()
	bc.wg.Go(func() {
		defer conn.Close()
		for f := range ch {
			if conn.WriteMessage(websocket.TextMessage, f) != nil {
				return
			}
		}
	})
}

func (bc *broadcaster) wait(n int) {
	for {
		bc.mu.Lock()
		got := len(bc.chans)
		bc.mu.Unlock()
		if got == n {
			return
		}
		runtime.Gosched()
	}
}

func (bc *broadcaster) send(f []byte) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	for _, ch := range bc.chans {
		ch <- f
	}
}

func (bc *broadcaster) close() {
	bc.mu.Lock()
	for _, ch := range bc.chans {
		close(ch)
	}
	bc.mu.Unlock()
	bc.wg.Wait()
}

// benchSubscriptions returns n patterns of a mix a CRM fleet might hold:
// organisations, organisations and types, types and countries, news
// entities, and a few that take everything.
func benchSubscriptions(n int) []*pattern.Pattern {
	r := rand.New(rand.NewPCG(3, 4))
	types := []string{"job-join", "job-leave", "job-move", "location-move", "person-mention", "quote", "310", "330"}
	countries := []string{"US", "DE", "FR", "GB", "IT", "ES", "NL", "SE", "CH", "AT", "JP", "IN"}
	org := func() string { return "Org " + strconv.Itoa(r.IntN(2000)) }
	out := make([]*pattern.Pattern, n)
	for i := range out {
		var s string
		switch k := r.IntN(100); {
		case k < 45:
			s = fmt.Sprintf(`{"org":%q}`, org())
		case k < 65:
			s = fmt.Sprintf(`{"org":[%q,%q],"type":[%q]}`, org(), org(), types[r.IntN(len(types))])
		case k < 80:
			s = fmt.Sprintf(`type=%s;loc.country=%s`, types[r.IntN(len(types))], countries[r.IntN(len(countries))])
		case k < 99:
			s = fmt.Sprintf(`{"kind":"news-item","entities":{"value":%q}}`, org())
		default:
			s = `{"kind":[{"prefix":"sales"}]}`
		}
		out[i] = pattern.MustParse(s)
	}
	return out
}

// BenchmarkFanoutMatch fans events out to 100,000 subscriptions held by
// connectionless sessions: the mock's path through pattern.Index, against
// a linear scan of every pattern with the same enqueue.
func BenchmarkFanoutMatch(b *testing.B) {
	const subs = 100000
	pats := benchSubscriptions(subs)
	srv := &Server{queueSize: 1 << 30, index: pattern.NewIndex[*session](), epoch: time.Now()}
	srv.faults.Store(&Faults{})
	sessions := make([]*session, subs)
	for i, p := range pats {
		// Marked running, with no writer: signal only wakes, and drain
		// takes what was queued.
		sessions[i] = &session{srv: srv, pat: p, wake: make(chan struct{}, 1), running: true}
		srv.index.Add(sessions[i], p)
	}
	var events []*event
	for i := range 64 {
		raw, _ := json.Marshal(map[string]any{"kind": "sales-trigger", "type": []string{"job-join", "310", "job-move"}[i%3],
			"org": "Org " + strconv.Itoa(i*31%2000), "loc": map[string]any{"country": []string{"US", "DE", "JP"}[i%3]}})
		ev, err := prepareEvent(raw)
		require.NoError(b, err)
		events = append(events, ev)
	}
	drain := func() {
		for _, ss := range sessions {
			ss.q.clear()
			select {
			case <-ss.wake:
			default:
			}
		}
	}
	run := func(b *testing.B, fan func(*event) int) {
		drain()
		b.ReportAllocs()
		b.ResetTimer()
		delivered := 0
		for i := range b.N {
			delivered += fan(events[i%len(events)])
			if i%256 == 255 { // keep the queues from growing without bound
				b.StopTimer()
				drain()
				b.StartTimer()
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(delivered)/float64(b.N), "matches/event")
		b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
		drain()
	}
	b.Run("subs=100000/index", func(b *testing.B) { run(b, srv.fanout) })
	b.Run("subs=100000/baseline-linear-scan", func(b *testing.B) {
		run(b, func(ev *event) int {
			n := 0
			for _, ss := range sessions {
				if ss.pat.Match(ev.val) && ss.enqueueTrigger(ev.raw, 0) {
					n++
				}
			}
			return n
		})
	})
}

// BenchmarkPush measures pushes end to end over keep-alive HTTP/1.1
// connections, into sessions whose clients read every frame, against a
// plain handler that reads the body and answers 202 on the same machine.
func BenchmarkPush(b *testing.B) {
	body := []byte(`{"ticket":"CRM-48213","action":"assign","owner":"Jonas Weber"}`)
	run := func(b *testing.B, base string, ids []string) {
		tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr}
		var next, fails atomic.Int64
		b.SetParallelism(8)
		b.ReportAllocs()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := ids[int(next.Add(1))%len(ids)]
				req, _ := http.NewRequest(http.MethodPost, base+protocol.PushPath+"?session="+id, bytes.NewReader(body))
				req.Header = credHeader(demo)
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					fails.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					fails.Add(1)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pushes/s")
		if fails.Load() > 0 {
			b.Fatalf("%d of %d pushes failed", fails.Load(), b.N)
		}
	}
	b.Run("mock", func(b *testing.B) {
		srv := startServer(b, &Options{CloseTimeout: time.Second})
		conns := dialMany(b, srv, 64, `{}`)
		var ids []string
		for _, c := range conns {
			_, data, err := c.ReadMessage()
			require.NoError(b, err)
			f, err := protocol.DecodeFrame(data)
			require.NoError(b, err)
			ids = append(ids, f.Session)
		}
		_, stop := countReaders(conns)
		defer stop()
		run(b, srv.URL, ids)
	})
	b.Run("baseline-plain-202", func(b *testing.B) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			data, _ := io.ReadAll(io.LimitReader(r.Body, protocol.MaxPushBody+1))
			if !json.Valid(data) {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"session":"` + r.URL.Query().Get("session") + `","seq":1}`))
		}))
		defer ts.Close()
		run(b, ts.URL, []string{"AAAAAAAAAAAAAAAAAAAAAAAA"})
	})
}
