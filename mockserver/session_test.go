package mockserver

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestTriggersMatchAndSeq sends triggers to sessions with different
// patterns: each gets exactly the matching ones, with seq from 1 and no
// gap, interleaved with pushes.
func TestTriggersMatchAndSeq(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	ibm, ibmSF := join(t, srv, `{"org":"IBM"}`)
	sales, _ := join(t, srv, `kind=sales-trigger`)
	news, _ := join(t, srv, `{"kind":"news-item","headline":[{"prefix":"IBM"}]}`)
	all, _ := join(t, srv, `{}`)
	c := httpClient(t)

	for _, tt := range []struct {
		event string
		want  int
	}{{ibmJoin, 3}, {sapLeave, 2}, {newsEvent, 2}} {
		n, err := srv.Inject(json.RawMessage(tt.event))
		require.NoError(t, err)
		assert.Equal(t, tt.want, n, tt.event)
	}
	assert.Equal(t, uint64(2), push(t, c, srv, ibmSF.Session, `{"note":"hi"}`))
	_, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)

	expect := func(conn *websocket.Conn, want ...string) {
		t.Helper()
		for i, w := range want {
			f := readFrame(t, conn)
			assert.Equal(t, uint64(i+1), f.Seq)
			if w == "push" {
				assert.Equal(t, protocol.FramePush, f.Type)
				continue
			}
			assert.Equal(t, protocol.FrameTrigger, f.Type)
			assert.JSONEq(t, w, string(f.Event))
		}
	}
	expect(ibm, ibmJoin, "push", ibmJoin)
	expect(sales, ibmJoin, sapLeave, ibmJoin)
	expect(news, newsEvent)
	expect(all, ibmJoin, sapLeave, newsEvent, ibmJoin)

	_, err = srv.Inject(json.RawMessage(`[1]`))
	assert.ErrorContains(t, err, "not a JSON object")
	_, err = srv.Inject(json.RawMessage(`{"a":`))
	assert.ErrorContains(t, err, "not JSON")
	st := srv.Stats()
	assert.Equal(t, uint64(4), st.TriggersInjected)
	assert.Equal(t, uint64(10), st.Deliveries)
	assert.Equal(t, uint64(4), st.FramesSent["session"])
	assert.Equal(t, uint64(1), st.FramesSent["push"])
	waitFor(t, "trigger frames counted", func() bool { return srv.Stats().FramesSent["trigger"] == 10 })
}

// TestPingPong: the server pings every heartbeat; a client that answers
// stays; one that does not is dropped after two intervals.
//
// Serial: the answering client must answer each ping within two 50 ms
// heartbeats, which tests burning the CPU beside it could make it miss;
// and it times the drop. Its two subtests, each one idle session on a
// server of its own, run side by side.
func TestPingPong(t *testing.T) {
	serial(t)
	const hb = 50 * time.Millisecond

	t.Run("answering client stays", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, &Options{Heartbeat: hb})
		conn, sf := join(t, srv, "{}")
		assert.Equal(t, 1, sf.Heartbeat, "a sub-second heartbeat is announced as 1")
		var pings atomic.Int32
		conn.SetPingHandler(func(data string) error {
			pings.Add(1)
			return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		done := make(chan error, 1)
		go func() {
			_, _, err := conn.ReadMessage()
			done <- err
		}()
		waitFor(t, "six pings", func() bool { return pings.Load() >= 6 })
		assert.Equal(t, 1, srv.Stats().OpenSessions, "still open after three heartbeats of pongs")
		require.NoError(t, conn.Close())
		<-done
		waitOpen(t, srv, 0)
	})
	t.Run("silent client is dropped", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, &Options{Heartbeat: hb})
		conn, _ := join(t, srv, "{}")
		var pings atomic.Int32
		conn.SetPingHandler(func(string) error { pings.Add(1); return nil })
		start := time.Now()
		code, _ := readClose(t, conn)
		assert.Equal(t, websocket.CloseAbnormalClosure, code)
		assert.GreaterOrEqual(t, time.Since(start), hb+hb/2, "not before two intervals (less slack)")
		assert.GreaterOrEqual(t, pings.Load(), int32(2))
		waitClosed(t, srv, 0, 1)
		assert.Equal(t, uint64(1), srv.Stats().Closes[websocket.CloseAbnormalClosure])
	})
}

// TestClientFrames: data frames up to 4 KiB are ignored; a larger one is
// closed with 1009.
func TestClientFrames(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	c, err := client.New(srv.URL, protocol.Credentials{AccessToken: DemoAccessToken, SecretKey: DemoSecretKey},
		&client.Options{HTTPClient: httpClient(t)})
	require.NoError(t, err)
	ctx := context.Background()
	s, err := c.Join(ctx, `{}`)
	require.NoError(t, err)
	defer s.Close()

	require.NoError(t, s.WriteMessage(ctx, websocket.TextMessage, []byte(strings.Repeat("a", protocol.MaxClientFrame))))
	require.NoError(t, s.WriteMessage(ctx, websocket.BinaryMessage, []byte{1, 2, 3}))
	seq, err := c.Push(ctx, s.ID(), "still here")
	require.NoError(t, err)
	f, err := s.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, seq, f.Seq, "ignored frames leave the session open")

	require.NoError(t, s.WriteMessage(ctx, websocket.TextMessage, []byte(strings.Repeat("b", protocol.MaxClientFrame+1))))
	_, err = s.Next(ctx)
	var ce *client.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, protocol.CloseMessageTooBig, ce.Code)
	require.NoError(t, s.Close())
	waitClosed(t, srv, 0, 1)
	assert.Equal(t, uint64(1), srv.Stats().Closes[protocol.CloseMessageTooBig])
}

// TestClientClose counts a client's close by its code.
func TestClientClose(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	conn, _ := join(t, srv, "{}")
	require.NoError(t, conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second)))
	code, _ := readClose(t, conn)
	assert.Equal(t, websocket.CloseNormalClosure, code, "the server answers the close")
	waitClosed(t, srv, 0, 1)
	assert.Equal(t, uint64(1), srv.Stats().Closes[1000])
}

// TestLogs checks that joins, closes and rejections are logged, once
// each, with no credential and no session id.
func TestLogs(t *testing.T) {
	t.Parallel()
	var buf safeBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	srv := startServer(t, &Options{Logger: logger})
	conn, sf := join(t, srv, "{}")
	c := httpClient(t)
	push(t, c, srv, sf.Session, `1`)
	resp, _ := do(t, c, upgradeRequest(t, http.MethodGet, srv.URL,
		url.Values{"pattern": {"{}"}, "accessToken": {DemoAccessToken}, "secretKey": {"wrong-secret"}}, nil))
	require.Equal(t, 401, resp.StatusCode)
	resp, _ = do(t, c, pushRequest(t, srv, sf.Session, Credential{AccessToken: DemoAccessToken, SecretKey: "wrong-secret"}, `1`))
	require.Equal(t, 401, resp.StatusCode)
	require.NoError(t, conn.Close())
	// The close is logged after the session has left the server.
	waitFor(t, "the close to be logged", func() bool { return strings.Contains(buf.String(), `"msg":"close"`) })

	out := buf.String()
	for _, secret := range []string{DemoAccessToken, DemoSecretKey, "wrong-secret", sf.Session} {
		assert.NotContains(t, out, secret)
	}
	var joins, closes, rejects int
	for line := range strings.Lines(out) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		switch rec["msg"] {
		case "join":
			joins++
			assert.Equal(t, SessionTag(sf.Session), rec["session"])
			assert.Equal(t, "demo", rec["account"])
		case "close":
			closes++
			assert.Equal(t, SessionTag(sf.Session), rec["session"])
			assert.EqualValues(t, 1006, rec["code"])
		case "join rejected", "push rejected":
			rejects++
			assert.EqualValues(t, 401, rec["status"])
			assert.Contains(t, rec["url"], protocol.Redacted)
		}
	}
	assert.Equal(t, []int{1, 1, 2}, []int{joins, closes, rejects}, out)
	assert.Len(t, SessionTag(sf.Session), 6)
}

// TestDroppedAfterCloseSent: a frame that cannot be written because a
// close frame went out first (gorilla sends one when it answers a
// client's close or refuses a frame over the read limit, before the
// reader marks the session closing) is counted as dropped.
func TestDroppedAfterCloseSent(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	conn, sf := join(t, srv, "{}")
	ss := srv.lookup(sf.Session)
	require.NotNil(t, ss)
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	require.NoError(t, ss.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(waitTimeout)))
	_, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	waitFor(t, "the writer to take the frame", func() bool {
		ss.mu.Lock()
		defer ss.mu.Unlock()
		return ss.q.len() == 0
	})
	code, frames := readClose(t, conn) // the client answers the close
	assert.Equal(t, websocket.CloseNormalClosure, code)
	assert.Empty(t, frames)
	waitOpen(t, srv, 0)
	st := srv.Stats()
	assert.Zero(t, st.FramesSent["trigger"])
	assert.Equal(t, uint64(1), st.Dropped, "never dropped silently")
}
