package wsconn_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestConnectionsEndEveryWay: with and without Options.ShallowPark (the
// poller, on Linux), a connection ends the same way whether Close finds
// it waiting for a silent peer, the peer answers the close, the peer
// resets it, or the peer closes with a frame; and a message that came
// in the same write as the session frame is handed on at Start, after
// which the poller reads the connection (it never gives one up here).
func TestConnectionsEndEveryWay(t *testing.T) {
	t.Parallel()
	session := frameOf(websocket.TextMessage, string(sessionFrame))
	tests := []struct {
		name     string
		script   func(conn *websocket.Conn) // after the upgrade
		close    bool                       // the client closes, waiting up to 200 ms for the answer
		messages int                        // handed on after the session frame
		check    func(t *testing.T, err error)
	}{
		{
			name: "Close, the peer silent",
			script: func(conn *websocket.Conn) {
				_, _ = conn.UnderlyingConn().Write(session)
				_, _ = io.Copy(io.Discard, conn.UnderlyingConn()) // never answers the close
			},
			close: true,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, wsconn.ErrClosed)
				assert.ErrorIs(t, err, net.ErrClosed)
			},
		},
		{
			name: "Close, the peer answers",
			script: func(conn *websocket.Conn) {
				_, _ = conn.UnderlyingConn().Write(session)
				_, _, _ = conn.ReadMessage() // answers the close
			},
			close: true,
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, wsconn.ErrClosed)
				closedWith(protocol.CloseNormal)(t, err)
			},
		},
		{
			name: "the peer resets",
			script: func(conn *websocket.Conn) {
				_, _ = conn.UnderlyingConn().Write(session)
				_, _, _ = conn.ReadMessage() // until the client has started
				_ = conn.NetConn().(*net.TCPConn).SetLinger(0)
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, syscall.ECONNRESET)
				assert.NotErrorIs(t, err, wsconn.ErrClosed)
			},
		},
		{
			name: "the peer closes with a frame after a message, in one write",
			script: func(conn *websocket.Conn) {
				_, _ = conn.UnderlyingConn().Write(session)
				_, _, _ = conn.ReadMessage() // until the client has started
				_, _ = conn.UnderlyingConn().Write(append(frameOf(websocket.TextMessage, "m1"), frameOf(websocket.CloseMessage, "\x0f\xa1bye")...))
				_, _, _ = conn.ReadMessage()
			},
			messages: 1,
			check:    closedWith(4001),
		},
		{
			name: "messages in the session frame's write",
			script: func(conn *websocket.Conn) {
				// A pong, not a ping: an answer still unread when the
				// server closes would make its close a reset.
				_, _ = conn.UnderlyingConn().Write(bytes.Join([][]byte{session, frameOf(websocket.TextMessage, "m1"), frameOf(websocket.PongMessage, ""), frameOf(websocket.TextMessage, "m2")}, nil))
				_, _, _ = conn.ReadMessage() // until the client has started
			},
			messages: 2,
			check:    closedWith(wsconn.CloseAbnormal),
		},
	}
	for _, tt := range tests {
		for _, shallow := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/shallow=%v", tt.name, shallow), func(t *testing.T) {
				t.Parallel()
				fallbacks := wsconn.PollFallbacks()
				defer func() { assert.Equal(t, fallbacks, wsconn.PollFallbacks(), "connections the poller left to a reader") }()
				c := dial(t, serve(t, tt.script), &wsconn.Options{ShallowPark: shallow})
				_, _, err := c.ReadSessionFrame(testContext(t), 5*time.Second)
				require.NoError(t, err)
				var got []string
				ended := make(chan error, 1)
				c.Start(func(_ wsconn.MessageType, data []byte) error { got = append(got, string(data)); return nil }, func(err error) { ended <- err })
				if tt.close {
					closed := make(chan error, 1)
					go func() { closed <- c.Close(protocol.CloseNormal, "", 200*time.Millisecond) }()
					select {
					case err := <-closed:
						require.NoError(t, err)
					case <-testContext(t).Done():
						t.Fatal("Close did not return")
					}
				} else {
					require.NoError(t, c.WriteMessage(testContext(t), wsconn.Text, []byte("started")))
				}
				select {
				case err := <-ended:
					<-c.Done()
					assert.Equal(t, err, c.Err())
				case <-testContext(t).Done():
					t.Fatal("the connection did not end")
				}
				require.Len(t, got, tt.messages)
				for i, g := range got {
					assert.Equal(t, fmt.Sprintf("m%d", i+1), g)
				}
				tt.check(t, c.Err())
			})
		}
	}
}

// frameOf is an unmasked server frame.
func frameOf(op int, payload string) []byte {
	return append([]byte{0x80 | byte(op), byte(len(payload))}, payload...)
}

// TestCloseDuringBursts: connections closed at any point of a stream
// of bursts, pings among them, all end, once, with ErrClosed, and Close
// returns; nothing is left running (goleak, at the end of the package's
// tests).
func TestCloseDuringBursts(t *testing.T) {
	t.Parallel()
	msgs := burstMessages(8, 40)
	for _, shallow := range []bool{true, false} {
		t.Run(fmt.Sprintf("shallow=%v", shallow), func(t *testing.T) {
			t.Parallel()
			url := serve(t, func(conn *websocket.Conn) {
				go func() { // the client's close, then the end
					for {
						if _, _, err := conn.ReadMessage(); err != nil {
							return
						}
					}
				}()
				for i := 0; ; i++ {
					if i%5 == 0 {
						if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
							return
						}
					}
					if conn.WriteMessage(websocket.BinaryMessage, msgs[i%len(msgs)]) != nil {
						return
					}
				}
			})
			const conns = 24
			var wg sync.WaitGroup
			for i := range conns {
				wg.Go(func() {
					c := dial(t, url, &wsconn.Options{ShallowPark: shallow})
					ends := 0
					var mu sync.Mutex
					n := 0
					enough := make(chan struct{})
					c.Start(func(wsconn.MessageType, []byte) error {
						if n++; n == 1+i*7 {
							close(enough)
						}
						return nil
					}, func(error) { mu.Lock(); ends++; mu.Unlock() })
					select {
					case <-enough:
					case <-testContext(t).Done():
						t.Error("the messages did not come")
						return
					}
					assert.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
					<-c.Done()
					assert.ErrorIs(t, c.Err(), wsconn.ErrClosed)
					assert.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return ends == 1 }, 5*time.Second, time.Millisecond, "onEnd, once")
				})
			}
			wg.Wait()
		})
	}
}

// TestPollerEnds: the poller's goroutine runs while a connection is
// registered with it, and ends with the last one. Not parallel: it
// counts the pollers.
func TestPollerEnds(t *testing.T) {
	if !wsconn.Polls {
		t.Skip("no poller here")
	}
	require.Eventually(t, func() bool { return pollers(t) == 0 }, 10*time.Second, 5*time.Millisecond, "pollers of earlier tests")
	url := serve(t, func(conn *websocket.Conn) {
		_ = conn.WriteMessage(websocket.TextMessage, []byte("m"))
		_, _, _ = conn.ReadMessage()
	})
	for round := range 2 {
		var conns []*wsconn.Conn
		got := make(chan struct{}, 3)
		for range 3 {
			c := dial(t, url, &wsconn.Options{ShallowPark: true})
			c.Start(func(wsconn.MessageType, []byte) error { got <- struct{}{}; return nil }, nil)
			conns = append(conns, c)
		}
		for range 3 {
			select {
			case <-got:
			case <-testContext(t).Done():
				t.Fatalf("round %d: a message did not come", round)
			}
		}
		assert.Equal(t, 1, pollers(t), "round %d: one poller", round)
		for _, c := range conns {
			require.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
		}
		require.Eventually(t, func() bool { return pollers(t) == 0 }, 10*time.Second, 5*time.Millisecond, "round %d: the poller ends with the last connection", round)
	}
}

func pollers(t *testing.T) int {
	t.Helper()
	return goroutinesIn(t, "wsconn.(*epoll).loop(")
}

// goroutinesIn counts the goroutines whose stack holds fn.
func goroutinesIn(t *testing.T, fn string) int {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 2))
	return strings.Count(buf.String(), fn)
}

// TestPollerSurvivesFaults: when the system refuses the poller a
// registration (epoll_ctl ADD), a re-arm (MOD), or the epoll set itself
// fails (epoll_wait), the connections concerned are read by reader
// goroutines of their own instead, and every connection still hands on
// every message, in order, one at a time, and ends once. Not parallel:
// the fault is the package's.
func TestPollerSurvivesFaults(t *testing.T) {
	if !wsconn.Polls {
		t.Skip("no poller here")
	}
	const conns, msgs = 24, 150
	tests := []struct {
		name      string
		op        string
		every     int64 // the op fails at every this many calls (1: the first only)
		fallbacks bool  // connections are left to reader goroutines
	}{
		{name: "a registration refused", op: "add", every: 3},
		{name: "re-arms refused", op: "mod", every: 4, fallbacks: true},
		{name: "the set fails", op: "epoll_wait", every: 1, fallbacks: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			release := make(chan struct{})
			defer wsconn.SetPollFault(func(op string) error {
				if op != tt.op {
					return nil
				}
				if tt.op == "epoll_wait" {
					select {
					case <-release: // the connections have started
					default:
						return nil
					}
				}
				n := calls.Add(1)
				if tt.every == 1 && n > 1 || n%tt.every != 0 {
					return nil
				}
				return syscall.ENOMEM
			})()
			var seed atomic.Uint64
			url := serve(t, func(conn *websocket.Conn) {
				rng := rand.New(rand.NewPCG(seed.Add(1), 3))
				var stream []byte
				for i := range msgs {
					if rng.IntN(4) == 0 {
						stream = append(stream, frameOf(websocket.PingMessage, fmt.Sprint(i))...)
					}
					stream = append(stream, frameOf(websocket.TextMessage, fmt.Sprintf("m%d", i))...)
				}
				read := make(chan struct{})
				go func() { // the pongs, then the client's close
					defer close(read)
					for {
						if _, _, err := conn.ReadMessage(); err != nil {
							return
						}
					}
				}()
				for len(stream) > 0 {
					n := min(len(stream), 1+rng.IntN(60))
					if _, err := conn.UnderlyingConn().Write(stream[:n]); err != nil {
						return
					}
					stream = stream[n:]
				}
				<-release
				_ = conn.WriteMessage(websocket.TextMessage, []byte("last"))
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bye"), time.Now().Add(time.Second))
				<-read
			})
			fallbacks := wsconn.PollFallbacks()
			var wg sync.WaitGroup
			got := make([][]string, conns)
			var ready sync.WaitGroup
			ready.Add(conns)
			for i := range conns {
				wg.Go(func() {
					c := dial(t, url, &wsconn.Options{ShallowPark: true})
					var inside atomic.Int32
					first := true
					c.Start(func(_ wsconn.MessageType, data []byte) error {
						if inside.Add(1) != 1 {
							t.Error("onMessage called while it runs")
						}
						defer inside.Add(-1)
						if got[i] = append(got[i], string(data)); len(got[i]) == msgs && first {
							first = false
							ready.Done()
						}
						return nil
					}, nil)
					select {
					case <-c.Done():
					case <-testContext(t).Done():
						t.Errorf("connection %d did not end (%d messages)", i, len(got[i]))
						return
					}
					closedWith(4001)(t, c.Err())
				})
			}
			waited := make(chan struct{})
			go func() { ready.Wait(); close(waited) }()
			select {
			case <-waited:
			case <-testContext(t).Done():
				t.Error("the messages did not all come")
			}
			close(release)
			wg.Wait()
			for i, g := range got {
				want := make([]string, 0, msgs+1)
				for j := range msgs {
					want = append(want, fmt.Sprintf("m%d", j))
				}
				assert.Equal(t, append(want, "last"), g, "connection %d", i)
			}
			assert.Positive(t, calls.Load(), "the fault was met")
			if tt.fallbacks {
				assert.Greater(t, wsconn.PollFallbacks(), fallbacks, "connections left to reader goroutines")
			}
		})
	}
}

// TestPollerRescans: wake-ups lost between the epoll set and Go's
// poller (the loop woken, the set not looked at, nothing more coming)
// delay the connections they concerned by about a second, the rescan,
// not for ever. Not parallel: the fault is the package's.
func TestPollerRescans(t *testing.T) {
	if !wsconn.Polls {
		t.Skip("no poller here")
	}
	const window = 300 * time.Millisecond // every wake-up in it is lost
	var from atomic.Int64                 // when the window opens (UnixNano), 0 before
	var lost atomic.Int64
	defer wsconn.SetPollFault(func(op string) error {
		if f := from.Load(); op == "epoll_wait" && f != 0 && time.Since(time.Unix(0, f)) < window {
			lost.Add(1)
			return wsconn.ErrLostWakeUp
		}
		return nil
	})()
	send := make(chan struct{})
	url := serve(t, func(conn *websocket.Conn) {
		_ = conn.WriteMessage(websocket.TextMessage, []byte("first"))
		<-send
		_ = conn.WriteMessage(websocket.TextMessage, []byte("second"))
		_, _, _ = conn.ReadMessage() // until the client closes
	})
	c := dial(t, url, &wsconn.Options{ShallowPark: true})
	got := make(chan string, 2)
	c.Start(func(_ wsconn.MessageType, data []byte) error { got <- string(data); return nil }, nil)
	require.Equal(t, "first", <-got)
	start := time.Now()
	from.Store(start.UnixNano())
	close(send)
	select {
	case m := <-got:
		assert.Equal(t, "second", m)
	case <-testContext(t).Done():
		t.Fatal("the message after a lost wake-up never came")
	}
	assert.Positive(t, lost.Load(), "wake-ups lost")
	assert.GreaterOrEqual(t, time.Since(start), window, "the message came once the window had closed")
}
