package wsconn_test

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/wsconn"
)

// TestShallowPark: with Options.ShallowPark, a connection that has
// taken every message waits with no goroutine of its own where the
// poller reads it (Linux), or with its reader parked in the socket wait
// (framedConn.wait) elsewhere, not in gorilla's read, and still takes
// every message of bursts of every size, fragmented ones and pings among
// them, in order; without the option its reader parks in gorilla's
// read. The server sends each burst after the client has taken the
// previous one, so that the connection waits between bursts. While a
// message is being handed on, onMessage runs on a read worker (gorilla's
// read and onMessage never run on a reader, so that its stack stays
// small), with no reader at all where the poller reads; without the
// option, the reader runs onMessage itself.
func TestShallowPark(t *testing.T) {
	for _, tc := range []struct {
		name    string
		shallow bool
		busy    string // where the reader is while onMessage runs
		parked  string // where the connection waits between bursts
	}{
		{"shallow", true, map[bool]string{true: "on a read worker, no reader", false: "with a read worker"}[wsconn.Polls],
			map[bool]string{true: "in the poller", false: "in the socket wait"}[wsconn.Polls]},
		{"deep", false, "running onMessage", "in gorilla's read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			var bursts [][][]byte
			for b := range 12 {
				var burst [][]byte
				for i := range 1 + b%4 {
					n := []int{0, 10, 125, 126, 700, 5000, 70000}[rng.IntN(7)]
					burst = append(burst, bytes.Repeat([]byte{byte('a' + (b+i)%26)}, n))
				}
				bursts = append(bursts, burst)
			}
			next := make(chan struct{})
			pongs := make(chan struct{}, len(bursts))
			up := websocket.Upgrader{WriteBufferSize: 1024} // larger messages go out in fragments
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, err := up.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				conn.SetPongHandler(func(string) error { pongs <- struct{}{}; return nil })
				go func() { // read, for the pongs
					for {
						if _, _, err := conn.ReadMessage(); err != nil {
							return
						}
					}
				}()
				for _, burst := range bursts {
					if _, ok := <-next; !ok {
						return
					}
					_ = conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second))
					for _, m := range burst {
						_ = conn.WriteMessage(websocket.BinaryMessage, m)
					}
				}
				<-next // the last pong read, the test closes next
			}))
			defer srv.Close()
			defer close(next) // before srv.Close: the handler waits on it
			c := dial(t, "ws"+strings.TrimPrefix(srv.URL, "http"), &wsconn.Options{ShallowPark: tc.shallow, ReadBufferSize: 256})
			got := make(chan []byte, 64)
			busy := map[string]int{}
			c.Start(func(_ wsconn.MessageType, data []byte) error {
				busy[readerBusy(t)]++
				got <- bytes.Clone(data)
				return nil
			}, nil)
			for b, burst := range bursts {
				next <- struct{}{}
				for i, want := range burst {
					select {
					case g := <-got:
						require.Equal(t, want, g, "burst %d, message %d", b, i)
					case <-testContext(t).Done():
						t.Fatalf("burst %d, message %d did not come", b, i)
					}
				}
				select {
				case <-pongs:
				case <-testContext(t).Done():
					t.Fatalf("burst %d: the ping was not answered", b)
				}
				assert.Equal(t, tc.parked, parked(t), "burst %d: where the connection waits", b)
			}
			assert.Equal(t, []string{tc.busy}, slices.Collect(maps.Keys(busy)), "where the reader is while onMessage runs")
		})
	}
}

// parked waits for the connection to wait for its socket, and says
// where: its reader parked in framedConn's wait or in gorilla's read, or,
// with no reader and no worker reading, in the poller.
func parked(t *testing.T) string {
	t.Helper()
	ctx := testContext(t)
	for {
		var buf bytes.Buffer
		require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 2))
		stacks := strings.Split(buf.String(), "\n\n")
		reader, reading, poller := false, false, false
		for _, g := range stacks {
			switch {
			case strings.Contains(g, "wsconn.(*Conn).readLoop"):
				reader = true
				if !strings.Contains(g, "[IO wait") {
					continue
				}
				if strings.Contains(g, "(*framedConn).wait") {
					return "in the socket wait"
				}
				return "in gorilla's read"
			case strings.Contains(g, "wsconn.(*Conn).serve"):
				reading = true
			case strings.Contains(g, "wsconn.(*epoll).loop") && strings.Contains(g, "[IO wait"):
				poller = true
			}
		}
		if !reader && !reading && poller {
			return "in the poller"
		}
		select {
		case <-ctx.Done():
			return "not parked"
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// readerBusy, called from onMessage, says where the reader goroutine is
// meanwhile: running onMessage itself, handing off to or waiting for
// the read worker that runs it, absent (a worker the poller handed the
// connection to runs onMessage), or elsewhere.
func readerBusy(t *testing.T) string {
	t.Helper()
	self := make([]byte, 64<<10)
	self = self[:runtime.Stack(self, false)]
	if bytes.Contains(self, []byte("wsconn.(*Conn).readLoop")) {
		return "running onMessage"
	}
	var buf bytes.Buffer
	require.NoError(t, pprof.Lookup("goroutine").WriteTo(&buf, 2))
	for _, g := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(g, "wsconn.(*Conn).readLoop") {
			continue
		}
		if strings.Contains(g, "wsconn.(*Conn).readPooled") && !strings.Contains(g, "gorilla/websocket") && !strings.Contains(g, "wsconn.(*Conn).readOne") {
			return "with a read worker"
		}
		return "elsewhere: " + g
	}
	if bytes.Contains(self, []byte("wsconn.(*Conn).serve")) && bytes.Contains(self, []byte("wsconn.(*readPool).work")) {
		return "on a read worker, no reader"
	}
	return "no reader, nor a worker: " + string(self)
}
