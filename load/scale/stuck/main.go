// Command stuck measures what clients that stop reading cost a mock's
// other sessions (issue 15, item 7); load/scale/stuck.sh runs it.
//
// It joins -good well-behaved sessions that read every frame and -stuck
// sessions over raw TCP that never read after the handshake, all with
// the pattern {} (every trigger), then injects -rate triggers a second
// through POST /_mock/triggers for -duration, each carrying the time it
// was sent. It prints one JSON line: the well-behaved sessions' trigger
// latency (from the POST to the frame's arrival: p50, p99, max), the
// frames they missed, the kernel's TCP memory (/proc/net/sockstat, in
// bytes: before the joins and its peak), and then, reading each stuck
// connection for up to -drain, how each stuck session ended: with a
// close frame (by code) or with a bare EOF.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"github.com/wstrigger/wstrigger/protocol"
)

type options struct {
	addr     string
	good     int
	stuck    int
	rate     float64
	size     int
	duration time.Duration
	drain    time.Duration
	rcvbuf   int
	token    string
	secret   string
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "the mock's address")
	flag.IntVar(&o.good, "good", 100, "well-behaved sessions")
	flag.IntVar(&o.stuck, "stuck", 5000, "sessions that never read")
	flag.Float64Var(&o.rate, "rate", 20, "triggers a second")
	flag.IntVar(&o.size, "size", 1024, "bytes of padding in each trigger")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long triggers are injected")
	flag.DurationVar(&o.drain, "drain", 10*time.Second, "how long the stuck connections are read at the end")
	flag.IntVar(&o.rcvbuf, "rcvbuf", 0, "receive buffer (SO_RCVBUF) of the stuck connections; 0: the kernel's. On one machine the stuck clients' receive buffers count in the TCP memory too: a small one leaves mostly the mock's send buffers")
	flag.StringVar(&o.token, "access-token", "demo-access-token", "access token")
	flag.StringVar(&o.secret, "secret-key", "demo-secret-key", "secret key")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stuck:", err)
		os.Exit(1)
	}
}

// result is the JSON line printed.
type result struct {
	Good, Stuck      int
	StuckRcvbuf      int
	Rate             float64
	Triggers         int
	Expected, Got    int64
	P50Ms, P99Ms     float64
	MaxMs            float64
	TCPMemBefore     int64
	TCPMemPeak       int64
	StuckEnds        map[string]int // "4008", "EOF", ...
	MockCloses       map[string]int `json:",omitempty"`
	MockDroppedFrame uint64
}

func run(ctx context.Context, o options, w io.Writer) error {
	start := time.Now()
	res := result{Good: o.good, Stuck: o.stuck, StuckRcvbuf: o.rcvbuf, Rate: o.rate, StuckEnds: map[string]int{}}
	res.TCPMemBefore = tcpMem()

	var (
		mu   sync.Mutex
		lats []time.Duration
		got  atomic.Int64
	)
	var readers errgroup.Group
	var goods []*websocket.Conn
	defer func() {
		for _, c := range goods {
			_ = c.Close()
		}
		_ = readers.Wait()
	}()
	h := http.Header{protocol.HeaderAccessToken: {o.token}, protocol.HeaderSecretKey: {o.secret}}
	u := url.URL{Scheme: "ws", Host: o.addr, Path: protocol.JoinPath, RawQuery: url.Values{"pattern": {"{}"}}.Encode()}
	for range o.good {
		c, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), h)
		if err != nil {
			return fmt.Errorf("join: %w", err)
		}
		goods = append(goods, c)
		readers.Go(func() error {
			var local []time.Duration
			defer func() { mu.Lock(); lats = append(lats, local...); mu.Unlock() }()
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					return nil
				}
				var f struct {
					Event struct {
						SentNs int64 `json:"sentNs"`
					} `json:"event"`
				}
				if json.Unmarshal(data, &f) == nil && f.Event.SentNs > 0 {
					local = append(local, time.Since(start)-time.Duration(f.Event.SentNs))
					got.Add(1)
				}
			}
		})
	}

	stuck := make([]*rawConn, 0, o.stuck)
	defer func() {
		for _, c := range stuck {
			_ = c.Close()
		}
	}()
	for i := range o.stuck {
		c, err := joinRaw(o.addr, u.RequestURI(), h, o.rcvbuf)
		if err != nil {
			return fmt.Errorf("stuck join %d: %w", i, err)
		}
		stuck = append(stuck, c)
	}

	var peak atomic.Int64
	peak.Store(tcpMem())
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
				if m := tcpMem(); m > peak.Load() {
					peak.Store(m)
				}
			}
		}
	})

	pad := strings.Repeat("p", o.size)
	client := &http.Client{Timeout: 10 * time.Second}
	tick := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
	end := time.Now().Add(o.duration)
	for now := range tick.C {
		if now.After(end) {
			break
		}
		ev := fmt.Sprintf(`{"kind":"news-item","uid":"u","eid":"e","headline":"h","url":"u","date":"d","source":"s","pad":%q,"sentNs":%d}`, pad, time.Since(start))
		resp, err := client.Post("http://"+o.addr+"/_mock/triggers", "application/json", strings.NewReader(ev))
		if err != nil {
			return fmt.Errorf("trigger: %w", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		res.Triggers++
	}
	tick.Stop()
	res.Expected = int64(res.Triggers) * int64(o.good)
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() < res.Expected && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stopSampling()
	sampler.Wait()
	res.TCPMemPeak = peak.Load()

	// How each stuck session ended, as its client sees it reading again.
	var ends sync.Map
	var drains errgroup.Group
	drains.SetLimit(512)
	drainEnd := time.Now().Add(o.drain)
	for _, c := range stuck {
		drains.Go(func() error {
			e := c.end(drainEnd)
			n, _ := ends.LoadOrStore(e, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
			return nil
		})
	}
	_ = drains.Wait()
	ends.Range(func(k, v any) bool { res.StuckEnds[k.(string)] = int(v.(*atomic.Int64).Load()); return true })

	for _, c := range goods {
		_ = c.Close()
	}
	goods = nil
	_ = readers.Wait()
	res.Got = got.Load()
	slices.Sort(lats)
	res.P50Ms, res.P99Ms = ms(quantile(lats, 0.50)), ms(quantile(lats, 0.99))
	if len(lats) > 0 {
		res.MaxMs = ms(lats[len(lats)-1])
	}
	if st, err := mockStats(client, o.addr); err == nil {
		res.MockCloses, res.MockDroppedFrame = st.Closes, st.Dropped
	}
	return json.NewEncoder(w).Encode(res)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func quantile(s []time.Duration, q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

type stats struct {
	Closes  map[string]int `json:"closes"`
	Dropped uint64         `json:"dropped"`
}

func mockStats(c *http.Client, addr string) (stats, error) {
	var st stats
	resp, err := c.Get("http://" + addr + "/_mock/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// tcpMem is the kernel's TCP memory in bytes: the "mem" figure, in
// pages, of the TCP line of /proc/net/sockstat; -1 when unknown.
func tcpMem() int64 {
	b, err := os.ReadFile("/proc/net/sockstat")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "TCP:" {
			continue
		}
		for i := 1; i+1 < len(f); i++ {
			if f[i] == "mem" {
				n, err := strconv.ParseInt(f[i+1], 10, 64)
				if err != nil {
					return -1
				}
				return n * int64(os.Getpagesize())
			}
		}
	}
	return -1
}

// rawConn is a websocket client connection over raw TCP that reads
// nothing after the handshake until end.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func joinRaw(addr, uri string, h http.Header, rcvbuf int) (*rawConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		if rcvbuf <= 0 {
			return nil
		}
		var serr error
		err := rc.Control(func(fd uintptr) { // before connecting, so that the window is sized by it
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
		})
		return errors.Join(err, serr)
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n", uri, addr)
	fmt.Fprintf(&req, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
	for k, vs := range h {
		fmt.Fprintf(&req, "%s: %s\r\n", k, vs[0])
	}
	req.WriteString("\r\n")
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req.Bytes()); err != nil {
		_ = c.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(c, 512)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		_ = c.Close()
		return nil, fmt.Errorf("join: %s", resp.Status)
	}
	_ = c.SetDeadline(time.Time{})
	return &rawConn{Conn: c, br: br}, nil
}

// end reads the frames until a close frame, the end of the connection
// or the deadline, and says which: the close code, "EOF", "reset" or
// "timeout".
func (c *rawConn) end(deadline time.Time) string {
	_ = c.SetReadDeadline(deadline)
	var hdr [10]byte
	for {
		if _, err := io.ReadFull(c.br, hdr[:2]); err != nil {
			return readErr(err)
		}
		n := uint64(hdr[1] & 0x7f)
		switch n {
		case 126:
			if _, err := io.ReadFull(c.br, hdr[2:4]); err != nil {
				return readErr(err)
			}
			n = uint64(binary.BigEndian.Uint16(hdr[2:4]))
		case 127:
			if _, err := io.ReadFull(c.br, hdr[2:10]); err != nil {
				return readErr(err)
			}
			n = binary.BigEndian.Uint64(hdr[2:10])
		}
		if hdr[0]&0x0f == 0x8 { // close
			body := make([]byte, n)
			if _, err := io.ReadFull(c.br, body); err != nil || n < 2 {
				return "close without a code"
			}
			return strconv.Itoa(int(binary.BigEndian.Uint16(body)))
		}
		if _, err := io.CopyN(io.Discard, c.br, int64(n)); err != nil {
			return readErr(err)
		}
	}
}

func readErr(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "EOF"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "reset"):
		return "reset"
	}
	return "error"
}
