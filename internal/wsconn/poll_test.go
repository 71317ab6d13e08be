package wsconn_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime/pprof"
	"strings"
	"sync"
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
				_, _ = conn.UnderlyingConn().Write(bytes.Join([][]byte{session, frameOf(websocket.TextMessage, "m1"), frameOf(websocket.PingMessage, ""), frameOf(websocket.TextMessage, "m2")}, nil))
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
