package mockserver

import (
	"encoding/json"
	"net/url"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// dialMany opens n sessions with the given patterns (cycled), joining
// with modest concurrency, on small client buffers.
func dialMany(t testing.TB, srv *Server, n int, patterns ...string) []*websocket.Conn {
	t.Helper()
	dialer := &websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256, HandshakeTimeout: waitTimeout}
	conns := make([]*websocket.Conn, n)
	idx := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := range idx {
				u := wsURL(srv, url.Values{"pattern": {patterns[i%len(patterns)]}})
				conn, _, err := dialer.Dial(u, credHeader(demo))
				if err != nil {
					errs <- err
					continue
				}
				conns[i] = conn
			}
		})
	}
	for i := range n {
		idx <- i
	}
	close(idx)
	wg.Wait()
	close(errs)
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	})
	for err := range errs {
		require.NoError(t, err)
	}
	return conns
}

// TestManySessions holds 8,000 sessions and checks that one injected
// trigger reaches every one of them.
//
// Serial: it measures the heap and stacks of the process per session,
// and its 8,000 joins keep both cores busy.
func TestManySessions(t *testing.T) {
	serial(t)
	if testing.Short() {
		t.Skip("8,000 sessions: skipped with -short")
	}
	const n = 8000
	srv := startServer(t, &Options{CloseTimeout: 2 * time.Second})
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	conns := dialMany(t, srv, n, `{"org":"IBM"}`, `type=job-join|job-leave`, `{}`, `{"loc":{"country":["US","DE"]},"kind":[{"prefix":"sales"}]}`)
	joined := time.Since(start)
	waitOpen(t, srv, n)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d sessions joined in %v; client and server together: heap %.1f KiB, stacks %.1f KiB per session",
		n, joined.Round(time.Millisecond), float64(after.HeapInuse-before.HeapInuse)/1024/n,
		float64(after.StackInuse-before.StackInuse)/1024/n)

	delivered, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	require.Equal(t, n, delivered)
	sp := mustSpec(t)
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
		for _, want := range []string{protocol.FrameSession, protocol.FrameTrigger} {
			_, data, err := c.ReadMessage()
			require.NoError(t, err, "session %d", i)
			f, err := protocol.DecodeFrame(data)
			require.NoError(t, err)
			require.Equal(t, want, f.Type, "session %d", i)
			if want == protocol.FrameTrigger {
				require.Equal(t, uint64(1), f.Seq)
				if i%1000 == 0 {
					assert.NoError(t, sp.ValidateFrame(data))
				}
			}
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
	waitOpen(t, srv, 0)
	assert.Equal(t, uint64(n), srv.Stats().FramesSent["trigger"])
}
