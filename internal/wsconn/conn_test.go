package wsconn_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is a websocket peer: it sends first as its first frame, then
// hands every message it reads to got and echoes pings (gorilla's
// default). A non-zero refuse answers the handshake with that status.
type server struct {
	pong      []byte // sent as an unsolicited pong before first, if set
	first     []byte
	then      [][]byte // sent after first, if set
	refuse    int
	got       chan message
	closeWith []byte // sent after the first message read, if set
}

type message struct {
	typ  int
	data []byte
}

func start(t *testing.T, s *server) string {
	t.Helper()
	s.got = make(chan message, 16)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refuse != 0 {
			w.Header().Set("Retry-After", "3")
			http.Error(w, `{"error":{"code":"unauthorized","message":"no"}}`, s.refuse)
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		if s.pong != nil {
			_ = conn.WriteMessage(websocket.PongMessage, s.pong)
		}
		if s.first != nil {
			_ = conn.WriteMessage(websocket.TextMessage, s.first)
		}
		for _, m := range s.then {
			_ = conn.WriteMessage(websocket.TextMessage, m)
		}
		for {
			typ, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			s.got <- message{typ, data}
			if s.closeWith != nil {
				_ = conn.WriteMessage(websocket.CloseMessage, s.closeWith)
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var sessionFrame = []byte(`{"type":"session","session":"abcdefghijklmnopqrstuvwxyz","pattern":{},"heartbeat":30}`)

func dial(t *testing.T, url string, opts *wsconn.Options) *wsconn.Conn {
	t.Helper()
	c, hs, err := wsconn.Dial(testContext(t), url, nil, opts)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSwitchingProtocols, hs.Status)
	t.Cleanup(func() { _ = c.Close(protocol.CloseNormal, "", time.Second) })
	return c
}

func TestDialRefusedKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	url := start(t, &server{refuse: http.StatusUnauthorized})
	c, hs, err := wsconn.Dial(testContext(t), url, nil, nil)
	require.ErrorIs(t, err, wsconn.ErrBadHandshake)
	assert.Nil(t, c)
	require.NotNil(t, hs)
	assert.Equal(t, http.StatusUnauthorized, hs.Status)
	assert.Equal(t, "3", hs.Header.Get("Retry-After"))
	assert.Contains(t, string(hs.Body), `"unauthorized"`)
}

func TestNetDialContextHook(t *testing.T) {
	t.Parallel()
	url := start(t, &server{first: sessionFrame})
	var dials atomic.Int32
	c := dial(t, url, &wsconn.Options{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}})
	_, _, err := c.ReadSessionFrame(testContext(t), time.Second)
	require.NoError(t, err)
	assert.Equal(t, int32(1), dials.Load())
}

// TestUnsolicitedPongBeforeAnyPing: a pong that comes before the first
// Ping (when the connection has no Ping waiting, nor its map) is dropped,
// and Pings work after it.
func TestUnsolicitedPongBeforeAnyPing(t *testing.T) {
	t.Parallel()
	url := start(t, &server{pong: []byte("stray"), first: sessionFrame})
	c := dial(t, url, nil)
	_, _, err := c.ReadSessionFrame(testContext(t), time.Second)
	require.NoError(t, err)
	c.Start(func(wsconn.MessageType, []byte) error { return nil }, nil)
	_, err = c.Ping(testContext(t), "stray")
	assert.NoError(t, err)
}

// countingPool is a sync.Pool that counts the buffers it lends.
type countingPool struct {
	sync.Pool
	gets atomic.Int32
}

func (p *countingPool) Get() any { p.gets.Add(1); return p.Pool.Get() }

// TestReadBufferPool: messages of every size reach onMessage whole and
// in order, read into lent buffers when there is a pool.
func TestReadBufferPool(t *testing.T) {
	t.Parallel()
	msgs := [][]byte{[]byte("a"), bytes.Repeat([]byte("b"), 3000), bytes.Repeat([]byte("c"), 70<<10), []byte("d")}
	for _, tc := range []struct {
		name string
		pool *countingPool
	}{{"own buffers", nil}, {"lent buffers", &countingPool{}}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := &wsconn.Options{}
			if tc.pool != nil {
				o.ReadBufferPool = tc.pool
			}
			c := dial(t, start(t, &server{first: sessionFrame, then: msgs}), o)
			_, _, err := c.ReadSessionFrame(testContext(t), time.Second)
			require.NoError(t, err)
			got := make(chan []byte, len(msgs))
			c.Start(func(_ wsconn.MessageType, data []byte) error { got <- bytes.Clone(data); return nil }, nil)
			for i, want := range msgs {
				select {
				case g := <-got:
					assert.Equal(t, want, g, "message %d", i)
				case <-testContext(t).Done():
					t.Fatalf("message %d did not come", i)
				}
			}
			if tc.pool != nil {
				assert.Equal(t, int32(len(msgs)), tc.pool.gets.Load())
			}
		})
	}
}

func TestReadSessionFrame(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		first []byte
		check func(t *testing.T, f protocol.Frame, raw []byte, err error)
	}{
		{"session", sessionFrame, func(t *testing.T, f protocol.Frame, raw []byte, err error) {
			require.NoError(t, err)
			assert.Equal(t, "abcdefghijklmnopqrstuvwxyz", f.Session)
			assert.Equal(t, 30, f.Heartbeat)
			assert.Equal(t, sessionFrame, raw)
		}},
		{"not JSON", []byte(`nope`), func(t *testing.T, _ protocol.Frame, raw []byte, err error) {
			var fe *protocol.FrameError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "nope", string(raw))
		}},
		{"a push first", []byte(`{"type":"push","seq":1,"data":1}`), func(t *testing.T, f protocol.Frame, _ []byte, err error) {
			require.ErrorIs(t, err, wsconn.ErrNotSession)
			assert.Equal(t, protocol.FramePush, f.Type)
		}},
		{"none within the wait", nil, func(t *testing.T, _ protocol.Frame, _ []byte, err error) {
			var ne net.Error
			require.ErrorAs(t, err, &ne)
			assert.True(t, ne.Timeout())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dial(t, start(t, &server{first: tc.first}), nil)
			f, raw, err := c.ReadSessionFrame(context.Background(), 100*time.Millisecond)
			tc.check(t, f, raw, err)
		})
	}
}

// TestWriteAnyFrame: frames a conforming client never sends reach the
// server as written.
func TestWriteAnyFrame(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		typ  wsconn.MessageType
		data []byte
	}{
		{"binary", wsconn.Binary, []byte{0, 1, 2, 0xff}},
		{"invalid UTF-8", wsconn.Text, []byte{0xc3, 0x28, 0xff}},
		{"oversized", wsconn.Text, bytes.Repeat([]byte("x"), protocol.MaxClientFrame+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &server{first: sessionFrame}
			c := dial(t, start(t, s), nil)
			require.NoError(t, c.WriteMessage(testContext(t), tc.typ, tc.data))
			got := <-s.got
			assert.Equal(t, int(tc.typ), got.typ)
			assert.Equal(t, tc.data, got.data)
		})
	}
}

func TestServerCloseCode(t *testing.T) {
	t.Parallel()
	s := &server{first: sessionFrame, closeWith: wsconn.CloseMessage(protocol.CloseMessageTooBig, "too big")}
	c := dial(t, start(t, s), nil)
	ctx := testContext(t)
	_, _, err := c.ReadSessionFrame(ctx, time.Second)
	require.NoError(t, err)
	var ended atomic.Value
	c.Start(func(wsconn.MessageType, []byte) error { return nil }, func(err error) { ended.Store(err) })
	require.NoError(t, c.WriteMessage(ctx, wsconn.Text, []byte("x")))
	<-c.Done()
	var ce *wsconn.CloseError
	require.ErrorAs(t, c.Err(), &ce)
	assert.Equal(t, protocol.CloseMessageTooBig, ce.Code)
	assert.Equal(t, "too big", ce.Text)
	assert.True(t, ce.OnWire())
}

func TestReadLimit(t *testing.T) {
	t.Parallel()
	s := &server{first: bytes.Repeat([]byte("y"), 100)}
	c := dial(t, start(t, s), &wsconn.Options{ReadLimit: 10})
	_, _, err := c.ReadSessionFrame(testContext(t), time.Second)
	assert.ErrorIs(t, err, wsconn.ErrReadLimit)
}

// TestPing: each Ping gets its pong; two at once with one payload are
// refused. (client's TestConcurrentPings holds Ping to its concurrency
// promise: 16 goroutines × 100 pings.)
func TestPing(t *testing.T) {
	t.Parallel()
	c := dial(t, start(t, &server{first: sessionFrame}), nil)
	ctx := testContext(t)
	_, _, err := c.ReadSessionFrame(ctx, time.Second)
	require.NoError(t, err)
	c.Start(func(wsconn.MessageType, []byte) error { return nil }, nil)
	rtt, err := c.Ping(ctx, "payload-1")
	require.NoError(t, err)
	assert.Positive(t, rtt)
	_, err = c.Ping(ctx, "")
	require.NoError(t, err)
}

func TestCloseBeforeStart(t *testing.T) {
	t.Parallel()
	c := dial(t, start(t, &server{first: sessionFrame}), nil)
	require.NoError(t, c.Close(protocol.CloseNormal, "", time.Second))
	c.Start(func(wsconn.MessageType, []byte) error { return nil }, nil)
	<-c.Done()
	assert.ErrorIs(t, c.Err(), wsconn.ErrClosed)
}

// TestCloseAfterStart: Close waits for the reader, whose error says both
// that we closed and how the peer answered.
func TestCloseAfterStart(t *testing.T) {
	t.Parallel()
	c := dial(t, start(t, &server{first: sessionFrame}), nil)
	_, _, err := c.ReadSessionFrame(testContext(t), time.Second)
	require.NoError(t, err)
	c.Start(func(wsconn.MessageType, []byte) error { return nil }, nil)
	require.NoError(t, c.Close(protocol.CloseNormal, "", 5*time.Second))
	select {
	case <-c.Done():
	default:
		t.Fatal("Close returned before the reader ended")
	}
	assert.ErrorIs(t, c.Err(), wsconn.ErrClosed)
	var ce *wsconn.CloseError
	require.ErrorAs(t, c.Err(), &ce, "the peer's answer to the close")
	assert.Equal(t, protocol.CloseNormal, ce.Code)
}
