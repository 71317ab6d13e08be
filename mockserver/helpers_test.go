package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// waitTimeout bounds every wait on a condition in these tests.
const waitTimeout = 15 * time.Second

var demo = Credential{AccessToken: DemoAccessToken, SecretKey: DemoSecretKey}

// serial is the first call of a test that does not call t.Parallel
// because it must not run beside other tests: it measures memory or
// looks at the goroutines of the whole process, or it needs a prompt
// scheduler. It checks, at the end of the test and after its other
// cleanups, that no goroutine started during the test (by its subtests
// too) is left.
//
// Only a serial test can have this check: goleak looks at every
// goroutine of the process, so in a test running beside others it would
// report theirs. go test runs the serial top-level tests one at a time
// before it releases the parallel ones, which wait in t.Parallel, their
// first call, having started nothing; so during a serial test the only
// other goroutines are the test binary's and the stragglers of tests
// that have ended, which IgnoreCurrent leaves out. The parallel tests
// have TestMain's goleak.VerifyTestMain, which fails the package when a
// goroutine is left at its end.
func serial(t *testing.T) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// startServer starts a mock with opts (no replay unless opts has a
// recording) and, at the end of the test, closes it and checks that it
// holds no session. Leaked goroutines are checked by serial, for a
// serial test, and by TestMain.
func startServer(t testing.TB, opts *Options) *Server {
	t.Helper()
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Recording == nil {
		o.Recording = []protocol.RecordingLine{}
	}
	srv, err := New(&o)
	require.NoError(t, err)
	t.Cleanup(func() {
		srv.Close()
		assert.Zero(t, srv.Stats().OpenSessions, "sessions left after Close")
	})
	return srv
}

// httpClient returns a client whose idle connections are closed at the
// end of the test.
func httpClient(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: waitTimeout}
}

func mustSpec(t testing.TB) *spec.Spec {
	t.Helper()
	s, err := spec.Default()
	require.NoError(t, err)
	return s
}

// validate checks a response against the OpenAPI document.
func validate(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	assert.NoError(t, mustSpec(t).ValidateResponse(context.Background(), req, resp.StatusCode, resp.Header, body))
}

// wsURL is the join URL for a pattern and extra query parameters.
func wsURL(srv *Server, q url.Values) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + protocol.JoinPath + "?" + q.Encode()
}

func credHeader(c Credential) http.Header {
	h := http.Header{}
	h.Set(protocol.HeaderAccessToken, c.AccessToken)
	h.Set(protocol.HeaderSecretKey, c.SecretKey)
	return h
}

// join opens a session with the demo credentials in headers, checks the
// 101 and the session frame, and returns the connection and the frame.
func join(t testing.TB, srv *Server, pat string) (*websocket.Conn, protocol.Frame) {
	t.Helper()
	return joinAs(t, srv, demo, pat)
}

func joinAs(t testing.TB, srv *Server, c Credential, pat string) (*websocket.Conn, protocol.Frame) {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {pat}}), credHeader(c))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	validate(t, resp.Request, resp, nil)
	f := readFrame(t, conn)
	require.Equal(t, protocol.FrameSession, f.Type)
	return conn, f
}

// readFrame reads one frame, validates it against the AsyncAPI document
// and decodes it.
func readFrame(t testing.TB, conn *websocket.Conn) protocol.Frame {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	typ, data, err := conn.ReadMessage()
	require.NoError(t, err)
	require.Equal(t, websocket.TextMessage, typ)
	require.NoError(t, mustSpec(t).ValidateFrame(data))
	f, err := protocol.DecodeFrame(data)
	require.NoError(t, err)
	return f
}

// readClose reads until the connection ends and returns the close code
// (1006 when it ended without a close frame). Data frames before it are
// returned too.
func readClose(t testing.TB, conn *websocket.Conn) (int, []protocol.Frame) {
	t.Helper()
	var frames []protocol.Frame
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, frames
			}
			var ne interface{ Timeout() bool }
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "no close within %v", waitTimeout)
			return websocket.CloseAbnormalClosure, frames
		}
		f, err := protocol.DecodeFrame(data)
		require.NoError(t, err)
		frames = append(frames, f)
	}
}

// do sends a request and returns the response with its body read, after
// validating both against the OpenAPI document.
func do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	validate(t, req, resp, body)
	return resp, body
}

// upgradeRequest is a join request with the upgrade headers, for the
// rejections, sent with net/http.
func upgradeRequest(t testing.TB, method, base string, q url.Values, h http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, base+protocol.JoinPath+"?"+q.Encode(), nil)
	require.NoError(t, err)
	req.Header = h.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	return req
}

func pushRequest(t testing.TB, srv *Server, id string, c Credential, body string) *http.Request {
	t.Helper()
	q := url.Values{}
	if id != "" {
		q.Set("session", id)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+protocol.PushPath+"?"+q.Encode(), strings.NewReader(body))
	require.NoError(t, err)
	req.Header = credHeader(c)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// push pushes body into session id and returns the seq of the 202.
func push(t testing.TB, c *http.Client, srv *Server, id, body string) uint64 {
	t.Helper()
	resp, data := do(t, c, pushRequest(t, srv, id, demo, body))
	require.Equal(t, http.StatusAccepted, resp.StatusCode, string(data))
	var pr protocol.PushResponse
	require.NoError(t, json.Unmarshal(data, &pr))
	require.Equal(t, id, pr.Session)
	return pr.Seq
}

// errorCode returns the code of an error body.
func errorCode(t testing.TB, body []byte) protocol.ErrorCode {
	t.Helper()
	eb, err := protocol.ParseErrorBody(body)
	require.NoError(t, err, "body %s", body)
	return eb.Error.Code
}

// waitFor waits until cond holds, polling, for at most waitTimeout.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitOpen waits until the server holds n sessions.
func waitOpen(t testing.TB, srv *Server, n int) {
	t.Helper()
	waitFor(t, "open sessions", func() bool { return srv.Stats().OpenSessions == n })
}

// waitClosed waits until the server holds open sessions and has counted
// the ends of closes sessions in all. A session leaves the server before
// its end is counted in Stats.Closes and logged (session.teardown), so a
// test that checks the closes waits for them, not only for the session
// to be gone: tests running side by side widen that gap.
func waitClosed(t testing.TB, srv *Server, open int, closes uint64) {
	t.Helper()
	waitFor(t, "sessions closed and counted", func() bool {
		st := srv.Stats()
		var n uint64
		for _, c := range st.Closes {
			n += c
		}
		return st.OpenSessions == open && n == closes
	})
}

// Events used in tests.
const (
	ibmJoin   = `{"kind":"sales-trigger","id":"st-1","at":1742285645000,"date":"18.03.2025","type":"job-join","typeName":"Job Join","org":"IBM","source":"press","loc":{"country":"US"}}`
	sapLeave  = `{"kind":"sales-trigger","id":"st-2","at":1742285646000,"date":"18.03.2025","type":"job-leave","typeName":"Job Leave","org":"SAP","source":"press","loc":{"country":"DE"}}`
	newsEvent = `{"kind":"news-item","uid":"ni-1","eid":"1","headline":"IBM opens a lab","url":"https://news.example.com/1","date":"18.03.2025","source":"Gazette"}`
)

// triggerN returns a sales trigger with id st-n for org.
func triggerN(n int, org string) json.RawMessage {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(map[string]any{
		"kind": "sales-trigger", "id": "st-" + strconv.Itoa(n), "at": 1742285645000 + n, "date": "18.03.2025",
		"type": "job-join", "typeName": "Job Join", "org": org, "source": "test", "loc": map[string]any{"country": "US"},
	})
	return bytes.TrimSpace(b.Bytes())
}

// safeBuffer is a bytes.Buffer for a logger written from many goroutines.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
