package mockserver

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// longestPattern is a pattern of about pattern.MaxSize bytes whose every
// value byte is percent-encoded in a URL: the longest join query.
func longestPattern(t *testing.T) string {
	t.Helper()
	head, tail := `{"org":["`, `"]}`
	p := head + strings.Repeat("é", (pattern.MaxSize-len(head)-len(tail))/2) + tail
	_, err := pattern.Parse(p)
	require.NoError(t, err)
	return p
}

// TestRequestHeaderLimit: the longest join the protocol allows is
// served, with its credentials in the query and a browser's headers; a
// request whose headers run over MaxHeaderBytes gets 431.
func TestRequestHeaderLimit(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	q := url.Values{protocol.QueryPattern: {longestPattern(t)},
		protocol.QueryAccessToken: {DemoAccessToken}, protocol.QuerySecretKey: {DemoSecretKey}}
	browser := http.Header{
		"User-Agent":      {strings.Repeat("Mozilla/5.0 (X11; Linux x86_64) ", 8)},
		"Accept-Language": {"de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"},
		"Cookie":          {strings.Repeat("c", 2048)},
		"Origin":          {"http://127.0.0.1:5173"},
	}
	require.Greater(t, len(q.Encode()), 3*(pattern.MaxSize-16), "every pattern byte is encoded")
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, q), browser)
	require.NoError(t, err, "the longest join")
	assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	_ = conn.Close()

	for _, tc := range []struct {
		name   string
		header int
		want   int
	}{
		{"headers just under the limit", MaxHeaderBytes - 1024, http.StatusUpgradeRequired}, // read, and answered: not an upgrade
		{"headers twice the limit", 2 * MaxHeaderBytes, http.StatusRequestHeaderFieldsTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", srv.Addr().String())
			require.NoError(t, err)
			defer c.Close()
			go func() {
				_, _ = c.Write([]byte("GET " + protocol.JoinPath + " HTTP/1.1\r\nHost: x\r\nX-Fill: " + strings.Repeat("a", tc.header) + "\r\n\r\n"))
			}()
			_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.want, resp.StatusCode)
		})
	}
}

// TestEndlessHeadersAreBounded opens 300 connections that each send a
// header of a megabyte and never end it: the mock reads at most
// MaxHeaderBytes of each before it answers 431, so its heap grows by a
// few megabytes, not by 300 (net/http's default limit is 1 MiB).
func TestEndlessHeadersAreBounded(t *testing.T) {
	serial(t) // measures this process's heap
	srv := startServer(t, nil)
	const conns, header = 300, 1 << 20
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	chunk := []byte(strings.Repeat("a", 64<<10))
	var g sync.WaitGroup
	var answered atomic.Int64
	for range conns {
		g.Go(func() {
			c, err := net.Dial("tcp", srv.Addr().String())
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * waitTimeout))
			if _, err := c.Write([]byte("GET " + protocol.JoinPath + " HTTP/1.1\r\nHost: x\r\nX-Fill: ")); err != nil {
				return
			}
			for sent := 0; sent < header; sent += len(chunk) {
				if _, err := c.Write(chunk); err != nil {
					break // the mock answered and closed
				}
			}
			if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge {
					answered.Add(1)
				}
			}
		})
	}
	g.Wait()
	close(stop)
	sampler.Wait()
	grew := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("%d connections sent endless headers; %d read a 431; the heap grew by %.1f MB at most", conns, answered.Load(), float64(grew)/(1<<20))
	assert.Positive(t, answered.Load(), "the mock answers 431")
	assert.Less(t, grew, int64(64<<20), "the mock held at most MaxHeaderBytes of each")
}
