package mockserver

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/spec"
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
			f, err := spec.DecodeFrame(data)
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

	_ = slow.SetReadDeadline(time.Now().Add(waitTimeout))
	var got uint64
	code := 0
	for code == 0 {
		_, data, err := slow.ReadMessage()
		if err != nil {
			ce, ok := err.(*websocket.CloseError)
			require.True(t, ok, "read: %v after %d frames, stats %+v", err, got, srv.Stats())
			code = ce.Code
			break
		}
		f, err := spec.DecodeFrame(data)
		require.NoError(t, err)
		if f.Type != spec.FrameSession {
			got++
			require.Equal(t, got, f.Seq, "gap-free prefix")
		}
	}
	assert.Equal(t, spec.CloseSlowConsumer, code)
	waitOpen(t, srv, 3)
	st := srv.Stats()
	assert.Equal(t, uint64(1), st.Closes[spec.CloseSlowConsumer])
	assert.Equal(t, uint64(queue+1), st.Dropped, "the queue and the trigger that overflowed it")
	for _, r := range fast {
		assert.Equal(t, int64(sent), r.frames.Load())
	}
}

// TestShutdown: every open session sees 1001, Shutdown waits for the
// close handshakes, and the server takes no more joins.
func TestShutdown(t *testing.T) {
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
		assert.Equal(t, spec.CloseGoingAway, r.code)
	}
	st := srv.Stats()
	assert.Zero(t, st.OpenSessions)
	assert.Equal(t, uint64(5), st.Closes[spec.CloseGoingAway])
	_, _, err = websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
	assert.Error(t, err, "the listener is closed")
	require.NoError(t, srv.Shutdown(ctx), "a second Shutdown is harmless")
}

// TestShutdownGrace: a client that never answers the close holds the
// shutdown for at most the close timeout; a context that ends sooner
// drops the connection at once.
func TestShutdownGrace(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration // of the context
		wantErr bool
	}{
		{"close timeout", time.Minute, false},
		{"context ends first", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
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
			assert.Equal(t, spec.CloseGoingAway, code, "the close frame was sent before the connection was dropped")
		})
	}
}
