package mockserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// reader reads a connection in a goroutine, checking that seq grows by
// one from frame to frame, until the connection ends.
type reader struct {
	frames atomic.Int64
	gaps   atomic.Int64
	code   int
	done   chan struct{}
}

func startReader(t *testing.T, conn *websocket.Conn) *reader {
	r := &reader{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		var last uint64
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				r.code = websocket.CloseAbnormalClosure
				if ce, ok := err.(*websocket.CloseError); ok {
					r.code = ce.Code
				}
				return
			}
			f, err := protocol.DecodeFrame(data)
			if err != nil || f.Seq != last+1 {
				r.gaps.Add(1)
			}
			last = f.Seq
			r.frames.Add(1)
		}
	}()
	t.Cleanup(func() { _ = conn.Close(); <-r.done })
	return r
}

// TestSlowConsumer: a session that never reads is closed with 4008 and
// its dropped frames counted, while the others receive every frame in
// order; once it reads, it finds a gap-free prefix and then the 4008.
func TestSlowConsumer(t *testing.T) {
	t.Parallel()
	const queue = 32
	srv := startServer(t, &Options{QueueSize: queue, CloseTimeout: time.Minute})
	slow, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
	require.NoError(t, err)
	defer slow.Close()
	validate(t, resp.Request, resp, nil)

	var fast []*reader
	for range 3 {
		conn, _ := join(t, srv, "{}")
		fast = append(fast, startReader(t, conn))
	}
	pad := strings.Repeat("p", 16<<10)
	sent, after := 0, 0
	for after < 20 { // go on 20 events past the overflow
		if srv.Stats().Dropped > 0 {
			after++
		}
		require.Less(t, sent, 5000, "the slow session never overflowed")
		ev, _ := json.Marshal(map[string]any{"kind": "news-item", "uid": "n", "eid": "e", "headline": "h", "url": "u", "date": "d", "source": "s", "pad": pad})
		_, err := srv.Inject(ev)
		require.NoError(t, err)
		sent++
		// Pace the injection by the fast readers, so that only the slow
		// one can fall behind.
		waitFor(t, "fast readers", func() bool {
			for _, r := range fast {
				if r.frames.Load() < int64(sent-queue/2) {
					return false
				}
			}
			return true
		})
	}
	for _, r := range fast {
		waitFor(t, "every frame", func() bool { return r.frames.Load() == int64(sent) })
		assert.Zero(t, r.gaps.Load(), "frames in seq order without a gap")
	}
	assert.Equal(t, 4, srv.Stats().OpenSessions, "the slow session waits for its close handshake")

	got, ce := readPrefix(t, slow)
	assert.Equal(t, protocol.CloseSlowConsumer, ce.Code)
	waitClosed(t, srv, 3, 1)
	st := srv.Stats()
	assert.Equal(t, uint64(1), st.Closes[protocol.CloseSlowConsumer])
	// The queue and the trigger that overflowed it are dropped, and so
	// are the frames of the write the close cut short that had not gone
	// out whole; what the slow client got is counted as sent.
	assert.GreaterOrEqual(t, st.Dropped, uint64(queue+1), "the queue and the trigger that overflowed it")
	assert.Equal(t, uint64(len(fast)*sent)+got, st.FramesSent["trigger"], "frames counted as sent")
	for _, r := range fast {
		assert.Equal(t, int64(sent), r.frames.Load())
	}
}

// TestShutdown: every open session sees 1001, Shutdown waits for the
// close handshakes, and the server takes no more joins.
func TestShutdown(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{CloseTimeout: time.Minute})
	var readers []*reader
	for range 5 {
		conn, _ := join(t, srv, "{}")
		readers = append(readers, startReader(t, conn))
	}
	_, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx), "every client answered the close in time")
	for _, r := range readers {
		<-r.done
		assert.Equal(t, protocol.CloseGoingAway, r.code)
	}
	st := srv.Stats()
	assert.Zero(t, st.OpenSessions)
	assert.Equal(t, uint64(5), st.Closes[protocol.CloseGoingAway])
	_, _, err = websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
	assert.Error(t, err, "the listener is closed")
	require.NoError(t, srv.Shutdown(ctx), "a second Shutdown is harmless")
}

// TestShutdownGrace: a client that never answers the close holds the
// shutdown for at most the close timeout; a context that ends sooner
// drops the connection at once.
func TestShutdownGrace(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		timeout time.Duration // of the context
		wantErr bool
	}{
		{"close timeout", time.Minute, false},
		{"context ends first", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			closeTimeout := 200 * time.Millisecond
			if tt.wantErr {
				closeTimeout = time.Minute
			}
			srv := startServer(t, &Options{CloseTimeout: closeTimeout})
			conn, _ := join(t, srv, "{}") // never reads again
			ctx, cancel := context.WithTimeout(context.Background(), max(tt.timeout, 100*time.Millisecond))
			defer cancel()
			err := srv.Shutdown(ctx)
			if tt.wantErr {
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			} else {
				assert.NoError(t, err)
			}
			assert.Zero(t, srv.Stats().OpenSessions)
			code, _ := readClose(t, conn)
			assert.Equal(t, protocol.CloseGoingAway, code, "the close frame was sent before the connection was dropped")
		})
	}
}

// stallingHijacker holds a join's hijack, and so its upgrade, until
// released: the join has passed the draining check by then.
type stallingHijacker struct {
	http.ResponseWriter
	conn      net.Conn
	hijacking chan struct{}
	release   chan struct{}
}

func (h *stallingHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	close(h.hijacking)
	<-h.release
	return h.conn, bufio.NewReadWriter(bufio.NewReader(h.conn), bufio.NewWriter(h.conn)), nil
}

// TestShutdownLateJoin: a join that passed the draining check before
// Shutdown and completes its upgrade only after Shutdown's context ended
// (and the connections were dropped) is dropped at once too, so that
// Shutdown does not overrun its context by a close handshake.
func TestShutdownLateJoin(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{CloseTimeout: time.Minute})

	// A session whose client never answers the close: only the end of
	// Shutdown's context drops it, which its client sees as EOF.
	silent, err := net.Dial("tcp", srv.Addr().String())
	require.NoError(t, err)
	defer silent.Close()
	require.NoError(t, upgradeRequest(t, http.MethodGet, srv.URL, url.Values{"pattern": {"{}"}}, credHeader(demo)).Write(silent))
	waitOpen(t, srv, 1)

	// The late join, on a TCP connection of its own.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer client.Close()
	server, err := ln.Accept()
	require.NoError(t, err)
	hj := &stallingHijacker{ResponseWriter: httptest.NewRecorder(), conn: server,
		hijacking: make(chan struct{}), release: make(chan struct{})}
	req := upgradeRequest(t, http.MethodGet, srv.URL, url.Values{"pattern": {"{}"}}, credHeader(demo))
	req.Body = http.NoBody
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Handler().ServeHTTP(hj, req)
	}()
	defer func() { <-served }()
	defer func() {
		select {
		case <-hj.release:
		default:
			close(hj.release)
		}
	}()
	<-hj.hijacking

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	require.NoError(t, silent.SetReadDeadline(time.Now().Add(waitTimeout)))
	_, err = io.Copy(io.Discard, silent)
	require.NoError(t, err, "the silent session is dropped when the context ends")
	close(hj.release)
	select {
	case err := <-shut:
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(waitTimeout):
		t.Fatal("Shutdown waits for the late session's close handshake")
	}
}

// TestStuckClientGetsTheCloseFrame: a client that stops reading until
// the mock has overflowed its queue, closed its session and let go of
// the socket still finds, once it reads again, a gap-free prefix of its
// frames and then the 4008 close frame (PROTOCOL.md section 3.3), not a
// bare EOF. Frames larger than the socket takes at once leave the
// writer blocked inside one; small ones between two. The frames counted
// as sent are those the client got; the rest are counted as dropped.
func TestStuckClientGetsTheCloseFrame(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pad  int
	}{
		{"small frames", 0},
		{"frames of 40 KiB", 40 << 10},
		{"frames of 70 KiB", 70 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const queue = 16
			srv := startServer(t, &Options{QueueSize: queue, CloseTimeout: 200 * time.Millisecond})
			dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
				if tcp, ok := c.(*net.TCPConn); ok {
					_ = tcp.SetReadBuffer(8 << 10) // fill up soon
				}
				return c, err
			}}
			conn, _, err := dialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
			require.NoError(t, err)
			defer conn.Close()
			waitOpen(t, srv, 1)

			ev, err := json.Marshal(map[string]any{"kind": "news-item", "uid": "n", "eid": "e", "headline": "h", "url": "u", "date": "d", "source": "s", "pad": strings.Repeat("p", tc.pad)})
			require.NoError(t, err)
			injected := 0
			inject := func() {
				_, err := srv.Inject(ev)
				require.NoError(t, err)
				injected++
			}
			// Feed the writer a frame at a time while it keeps up, until
			// the socket takes no more and a write blocks...
			for written := true; written; {
				require.Less(t, injected, 100000, "the socket never filled up")
				inject()
				written = eventually(200*time.Millisecond, func() bool { return srv.Stats().FramesSent["trigger"] == uint64(injected) })
			}
			// ...then overflow the queue behind it.
			for srv.Stats().Dropped == 0 {
				require.Less(t, injected, 100000, "the queue never overflowed")
				inject()
			}
			waitClosed(t, srv, 0, 1)

			got, ce := readPrefix(t, conn)
			assert.Equal(t, protocol.CloseSlowConsumer, ce.Code, "after %d frames", got)
			assert.Equal(t, "slow consumer", ce.Text)
			st := srv.Stats()
			assert.Equal(t, map[int]uint64{protocol.CloseSlowConsumer: 1}, st.Closes)
			assert.Equal(t, got, st.FramesSent["trigger"], "frames counted as sent")
			assert.Equal(t, uint64(injected), st.FramesSent["trigger"]+st.Dropped, "every frame counted as sent or dropped")
		})
	}
}

// readPrefix reads frames until a close frame, checking that their seq
// runs from 1 without a gap, and returns how many came and the close.
// A connection that ends without a close frame fails the test.
func readPrefix(t *testing.T, conn *websocket.Conn) (uint64, *websocket.CloseError) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	var got uint64
	for {
		_, data, err := conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
			return got, ce
		}
		require.NoError(t, err, "after %d frames: no close frame", got)
		f, err := protocol.DecodeFrame(data)
		require.NoError(t, err)
		if f.Type != protocol.FrameSession {
			got++
			require.Equal(t, got, f.Seq, "gap-free prefix")
		}
	}
}

// eventually reports whether cond holds within d, looking every
// millisecond; for a wait whose end is an expected outcome, not a
// failure.
func eventually(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}
