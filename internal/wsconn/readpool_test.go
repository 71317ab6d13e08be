package wsconn_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

// serve starts a websocket server that runs script on each connection
// (its writes go out in frames of at most 1 KiB: larger messages are
// fragmented) and closes the connection when script returns; it returns
// the ws:// URL.
func serve(t *testing.T, script func(conn *websocket.Conn)) string {
	t.Helper()
	up := websocket.Upgrader{WriteBufferSize: 1024}
	var handlers sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		handlers.Add(1)
		defer handlers.Done()
		defer conn.Close()
		script(conn)
	}))
	t.Cleanup(func() { srv.Close(); handlers.Wait() })
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// burstMessages are n messages of every size around gorilla's and the
// frame header's limits, each starting with its index.
func burstMessages(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 9))
	msgs := make([][]byte, n)
	for i := range msgs {
		size := []int{0, 1, 125, 126, 1023, 1025, 5000, 70000}[rng.IntN(8)]
		msgs[i] = append(fmt.Appendf(nil, "%d:", i), bytes.Repeat([]byte{byte('a' + i%26)}, size)...)
	}
	return msgs
}

var errStop = errors.New("onMessage stops here")

// TestReadWorkersChangeNothing: with Options.ShallowPark (the read
// workers) and without it, a connection hands on the same messages in
// the same order, one at a time, and ends with the same error, for a
// burst sent at once with pings among the messages, one broken by a
// close frame, one whose onMessage fails in the middle, and one whose
// server drops in the middle of a frame.
func TestReadWorkersChangeNothing(t *testing.T) {
	t.Parallel()
	msgs := burstMessages(3, 300)
	tests := []struct {
		name    string
		script  func(conn *websocket.Conn)
		stopAt  int // onMessage returns errStop at this message (-1: never)
		want    int // messages handed on
		wantErr func(t *testing.T, err error)
	}{
		{
			name: "a burst with pings",
			script: func(conn *websocket.Conn) {
				for i, m := range msgs {
					if i%7 == 0 {
						_ = conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
					}
					_ = conn.WriteMessage(websocket.BinaryMessage, m)
				}
				_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "done"))
				_, _, _ = conn.ReadMessage() // until the client's answer
			},
			stopAt: -1, want: len(msgs), wantErr: closedWith(4001),
		},
		{
			name: "a close frame mid-burst",
			script: func(conn *websocket.Conn) {
				for i, m := range msgs[:60] {
					if i == 40 {
						_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "mid-burst"))
					}
					_ = conn.WriteMessage(websocket.BinaryMessage, m)
				}
				_, _, _ = conn.ReadMessage()
			},
			stopAt: -1, want: 40, wantErr: closedWith(4002),
		},
		{
			name: "onMessage fails mid-burst",
			script: func(conn *websocket.Conn) {
				for _, m := range msgs[:100] {
					_ = conn.WriteMessage(websocket.BinaryMessage, m)
				}
				_, _, _ = conn.ReadMessage() // until the client drops
			},
			stopAt: 30, want: 31, wantErr: func(t *testing.T, err error) { assert.ErrorIs(t, err, errStop) },
		},
		{
			name: "the server drops mid-frame",
			script: func(conn *websocket.Conn) {
				for _, m := range msgs[:20] {
					_ = conn.WriteMessage(websocket.BinaryMessage, m)
				}
				_, _ = conn.UnderlyingConn().Write([]byte{0x82, 100, 'x', 'y'}) // 2 of 100 bytes
			},
			stopAt: -1, want: 20, wantErr: closedWith(wsconn.CloseAbnormal),
		},
	}
	for _, tt := range tests {
		for _, shallow := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/shallow=%v", tt.name, shallow), func(t *testing.T) {
				t.Parallel()
				c := dial(t, serve(t, tt.script), &wsconn.Options{ShallowPark: shallow, ReadBufferPool: &sync.Pool{}})
				var got [][]byte
				var inside sync.Mutex // held while onMessage runs: TryLock fails if two run at once
				c.Start(func(_ wsconn.MessageType, data []byte) error {
					if !inside.TryLock() {
						t.Error("onMessage called while it runs")
						return nil
					}
					defer inside.Unlock()
					got = append(got, bytes.Clone(data))
					if len(got)-1 == tt.stopAt {
						return errStop
					}
					return nil
				}, nil)
				select {
				case <-c.Done():
				case <-testContext(t).Done():
					t.Fatal("the connection did not end")
				}
				require.Len(t, got, tt.want)
				for i, g := range got {
					require.Equal(t, msgs[i], g, "message %d", i)
				}
				tt.wantErr(t, c.Err())
				assert.NotErrorIs(t, c.Err(), wsconn.ErrClosed)
			})
		}
	}
}

func closedWith(code int) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		var ce *wsconn.CloseError
		if assert.ErrorAs(t, err, &ce) {
			assert.Equal(t, code, ce.Code)
		}
	}
}

// TestStalledFrameStallsNoOther: connections whose server sent a frame
// only in part, each holding a read (a worker, with ShallowPark) blocked
// inside gorilla's read, more of them than there are processors, do not
// delay another connection's messages; Close ends them.
func TestStalledFrameStallsNoOther(t *testing.T) {
	stalled := 2*runtime.GOMAXPROCS(0) + 2
	msgs := burstMessages(4, 200)
	for _, shallow := range []bool{true, false} {
		t.Run(fmt.Sprintf("shallow=%v", shallow), func(t *testing.T) {
			opts := &wsconn.Options{ShallowPark: shallow}
			stall := serve(t, func(conn *websocket.Conn) {
				_ = conn.WriteMessage(websocket.TextMessage, []byte("whole"))
				_, _ = conn.UnderlyingConn().Write([]byte{0x81, 50, 'p', 'a', 'r', 't'}) // 4 of 50 bytes
				_, _, _ = conn.ReadMessage()                                             // until the client closes
			})
			first := make(chan struct{}, stalled)
			for range stalled {
				c := dial(t, stall, opts)
				c.Start(func(wsconn.MessageType, []byte) error { first <- struct{}{}; return nil }, nil)
			}
			for range stalled {
				select {
				case <-first:
				case <-testContext(t).Done():
					t.Fatal("a stalled connection's first message did not come")
				}
			}
			require.Eventually(t, func() bool { return readsInGorilla(t) >= stalled }, 10*time.Second, 5*time.Millisecond,
				"every stalled connection's read blocks in gorilla's read")

			next := make(chan struct{})
			c := dial(t, serve(t, func(conn *websocket.Conn) {
				for b := 0; b < len(msgs); b += 20 {
					if _, ok := <-next; !ok {
						return
					}
					for _, m := range msgs[b : b+20] {
						_ = conn.WriteMessage(websocket.BinaryMessage, m)
					}
				}
				_, _, _ = conn.ReadMessage()
			}), opts)
			defer close(next) // before the servers close: the script waits on it
			got := make(chan []byte, len(msgs))
			c.Start(func(_ wsconn.MessageType, data []byte) error { got <- bytes.Clone(data); return nil }, nil)
			for i, want := range msgs {
				if i%20 == 0 {
					next <- struct{}{}
				}
				select {
				case g := <-got:
					require.Equal(t, want, g, "message %d", i)
				case <-testContext(t).Done():
					t.Fatalf("message %d did not come while %d connections stall", i, stalled)
				}
			}
			require.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
		})
	}
}

// readsInGorilla counts this package's reads blocked in gorilla's read
// of a socket: a reader's, or a read worker's.
func readsInGorilla(t *testing.T) int {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 2))
	n := 0
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if strings.Contains(g, "[IO wait") && strings.Contains(g, "gorilla/websocket.") && strings.Contains(g, "wstrigger/internal/wsconn.(*Conn).read") {
			n++
		}
	}
	return n
}

// TestReadWorkersEnd: the read workers end when they have stayed idle
// a while although connections remain open, and, however long they
// may stay idle, when the last connection ends. Not parallel: it counts
// every worker.
func TestReadWorkersEnd(t *testing.T) {
	require.Eventually(t, func() bool { return readWorkers(t) == 0 }, 10*time.Second, 10*time.Millisecond, "workers of earlier tests")
	msgs := burstMessages(5, 50)
	url := serve(t, func(conn *websocket.Conn) {
		for _, m := range msgs {
			_ = conn.WriteMessage(websocket.BinaryMessage, m)
		}
		_, _, _ = conn.ReadMessage()
	})
	defer wsconn.SetWorkerIdle(50 * time.Millisecond)()
	var conns []*wsconn.Conn
	got := make(chan struct{}, 10*len(msgs))
	for range 10 {
		c := dial(t, url, &wsconn.Options{ShallowPark: true})
		c.Start(func(wsconn.MessageType, []byte) error { got <- struct{}{}; return nil }, nil)
		conns = append(conns, c)
	}
	for range 10 * len(msgs) {
		select {
		case <-got:
		case <-testContext(t).Done():
			t.Fatal("the messages did not come")
		}
	}
	require.Eventually(t, func() bool { return readWorkers(t) == 0 }, 10*time.Second, 5*time.Millisecond,
		"idle workers end while the connections stay open")

	wsconn.SetWorkerIdle(time.Hour)
	for _, c := range conns { // the pongs go through workers, which stay idle
		_, err := c.Ping(testContext(t), "")
		require.NoError(t, err)
	}
	require.Positive(t, readWorkers(t), "idle workers")
	for _, c := range conns {
		require.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
	}
	require.Eventually(t, func() bool { return readWorkers(t) == 0 }, 10*time.Second, 5*time.Millisecond,
		"the workers end with the last connection")
}

// readWorkers counts the read workers.
func readWorkers(t *testing.T) int {
	t.Helper()
	return goroutinesIn(t, "wsconn.(*readPool).work(")
}

// TestIdleWorkersAreBounded: when more connections than MaxIdleWorkers
// have been read at once, the workers beyond the bound end as they
// finish, however long the others may stay idle. Not parallel: it
// counts every worker.
func TestIdleWorkersAreBounded(t *testing.T) {
	require.Eventually(t, func() bool { return readWorkers(t) == 0 }, 10*time.Second, 10*time.Millisecond, "workers of earlier tests")
	defer wsconn.SetWorkerIdle(time.Hour)()
	n := wsconn.MaxIdleWorkers + 6
	release := make(chan struct{})
	url := serve(t, func(conn *websocket.Conn) {
		_, _ = conn.UnderlyingConn().Write([]byte{0x81, 5, 'h', 'e'}) // 2 of 5 bytes
		<-release
		_, _ = conn.UnderlyingConn().Write([]byte("llo"))
		_, _, _ = conn.ReadMessage() // until the client closes
	})
	got := make(chan struct{}, n)
	var conns []*wsconn.Conn
	for range n {
		c := dial(t, url, &wsconn.Options{ShallowPark: true})
		c.Start(func(wsconn.MessageType, []byte) error { got <- struct{}{}; return nil }, nil)
		conns = append(conns, c)
	}
	require.Eventually(t, func() bool { return readWorkers(t) == n }, 10*time.Second, 5*time.Millisecond,
		"a worker for each connection, held by its half frame")
	close(release)
	for range n {
		select {
		case <-got:
		case <-testContext(t).Done():
			t.Fatal("a message did not come")
		}
	}
	require.Eventually(t, func() bool { return readWorkers(t) == wsconn.MaxIdleWorkers }, 10*time.Second, 5*time.Millisecond,
		"the workers beyond the bound end")
	for _, c := range conns {
		require.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
	}
	require.Eventually(t, func() bool { return readWorkers(t) == 0 }, 10*time.Second, 5*time.Millisecond,
		"the workers end with the last connection")
}

// TestPingHoldsNoRead: a ping or pong that ends what a server sent (a
// heartbeat to an idle subscription) is answered, or handed to Ping,
// without a read staying blocked in gorilla's read for the message that
// would follow: gorilla's read returns only with a data message, and a
// read worker held there until the next message is a deep stack per
// idle connection (TestTakeControl takes control frames that come
// apart). Not parallel: it counts every blocked read.
func TestPingHoldsNoRead(t *testing.T) {
	const conns = 8
	tests := []struct {
		name  string
		first bool // the control frames come before any message
		ctrl  [][]byte
	}{
		{name: "a ping after a message", ctrl: [][]byte{{0x89, 1, 'p'}}},
		{name: "a ping alone", first: true, ctrl: [][]byte{{0x89, 0}}},
		{name: "pings and a pong in one write", ctrl: [][]byte{{0x89, 1, 'a', 0x8a, 0, 0x89, 2, 'b', 'c'}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Eventually(t, func() bool { return readsInGorilla(t) == 0 }, 10*time.Second, 10*time.Millisecond, "reads of earlier tests")
			pongs := make(chan string, 8*conns)
			url := serve(t, func(conn *websocket.Conn) {
				conn.SetPongHandler(func(p string) error { pongs <- p; return nil })
				if !tt.first {
					_ = conn.WriteMessage(websocket.TextMessage, []byte("hello"))
				}
				for _, b := range tt.ctrl {
					_, _ = conn.UnderlyingConn().Write(b)
				}
				_, _, _ = conn.ReadMessage() // the pongs, until the client closes
			})
			got := make(chan struct{}, conns)
			for range conns {
				c := dial(t, url, &wsconn.Options{ShallowPark: true})
				c.Start(func(wsconn.MessageType, []byte) error { got <- struct{}{}; return nil }, nil)
			}
			wantPongs := 0
			for _, b := range tt.ctrl {
				wantPongs += bytes.Count(b, []byte{0x89}) // no payload here holds that byte
			}
			for i := range conns * wantPongs {
				select {
				case <-pongs:
				case <-testContext(t).Done():
					t.Fatalf("pong %d did not come", i)
				}
			}
			if !tt.first {
				for range conns {
					<-got
				}
			}
			require.Eventually(t, func() bool { return readsInGorilla(t) == 0 }, 5*time.Second, 5*time.Millisecond,
				"reads blocked in gorilla's read after the control frames")
		})
	}
}
