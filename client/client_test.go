package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (f *fakeServer) client(t *testing.T, creds protocol.Credentials, opts *client.Options) *client.Client {
	t.Helper()
	c, err := client.New(f.srv.URL, creds, opts)
	require.NoError(t, err)
	return c
}

func (f *fakeServer) creds() protocol.Credentials {
	return protocol.Credentials{AccessToken: f.token, SecretKey: f.secret}
}

func TestJoinPushNext(t *testing.T) {
	values := []struct {
		name  string
		value any
		want  string
	}{
		{"object", map[string]any{"a": 1}, `{"a":1}`},
		{"array", []any{1, "two", nil}, `[1,"two",null]`},
		{"string", "héllo ✓", `"héllo ✓"`},
		{"number", 3.5, `3.5`},
		{"bool", true, `true`},
		{"null", nil, `null`},
		{"raw", json.RawMessage(`{"kept":  "as sent"}`), `{"kept":  "as sent"}`},
	}
	for _, form := range []struct {
		name  string
		query bool
	}{{"header credentials", false}, {"query credentials", true}} {
		t.Run(form.name, func(t *testing.T) {
			f := newFakeServer(t)
			c := f.client(t, f.creds(), &client.Options{QueryCredentials: form.query})
			ctx := testContext(t)
			s, err := c.Join(ctx, "type=job-join")
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, fakeSessionID, s.ID())
			assert.Equal(t, 30*time.Second, s.Heartbeat())
			assert.JSONEq(t, `{}`, string(s.Pattern()))
			// a copy, not a slice of the session frame's buffer (at least
			// 512 bytes), which the session would otherwise keep alive
			assert.LessOrEqual(t, cap(s.Pattern()), 16)
			for i, v := range values {
				seq, err := c.Push(ctx, s.ID(), v.value)
				require.NoError(t, err, v.name)
				assert.Equal(t, uint64(i+1), seq, v.name)
				fr, err := s.Next(ctx)
				require.NoError(t, err, v.name)
				assert.Equal(t, protocol.FramePush, fr.Type, v.name)
				assert.Equal(t, seq, fr.Seq, v.name)
				assert.Equal(t, v.want, string(fr.Data), v.name)
				assert.False(t, fr.Received.IsZero(), v.name)
			}
		})
	}
}

func TestJoinErrors(t *testing.T) {
	cases := []struct {
		name      string
		creds     func(f *fakeServer) protocol.Credentials
		misbehave func(w http.ResponseWriter, r *http.Request)
		check     func(t *testing.T, err error)
	}{
		{
			name: "wrong secret",
			creds: func(f *fakeServer) protocol.Credentials {
				return protocol.Credentials{AccessToken: f.token, SecretKey: "wrong-secret"}
			},
			check: func(t *testing.T, err error) {
				var he *client.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, http.StatusUnauthorized, he.Status)
				assert.Equal(t, protocol.CodeUnauthorized, he.Code)
			},
		},
		{
			name: "error body that is not JSON",
			misbehave: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("<html>down</html>"))
			},
			check: func(t *testing.T, err error) {
				var he *client.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, http.StatusServiceUnavailable, he.Status)
				assert.Empty(t, he.Code)
				assert.NotEmpty(t, he.BodyError)
			},
		},
		{
			name: "429 with Retry-After, echoing credentials",
			misbehave: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "7")
				fail(w, http.StatusTooManyRequests, protocol.CodeTooManyConnections,
					"token "+r.Header.Get(protocol.HeaderAccessToken)+" secret "+r.Header.Get(protocol.HeaderSecretKey))
			},
			check: func(t *testing.T, err error) {
				var he *client.HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 7*time.Second, he.RetryAfter)
				assert.Contains(t, he.Message, protocol.Redacted)
			},
		},
		{
			name: "first frame is not a session frame",
			misbehave: func(w http.ResponseWriter, r *http.Request) {
				conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				_ = conn.WriteMessage(websocket.TextMessage, protocol.AppendPushFrame(nil, 1, json.RawMessage(`1`)))
				_, _, _ = conn.ReadMessage()
			},
			check: func(t *testing.T, err error) {
				var pe *client.ProtocolError
				require.ErrorAs(t, err, &pe)
				assert.Contains(t, pe.Reason, "first frame")
			},
		},
		{
			name: "close instead of a session frame",
			misbehave: func(w http.ResponseWriter, r *http.Request) {
				conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1008, "revoked"))
			},
			check: func(t *testing.T, err error) {
				var ce *client.CloseError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, 1008, ce.Code)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.misbehave = tc.misbehave
			creds := f.creds()
			if tc.creds != nil {
				creds = tc.creds(f)
			}
			_, err := f.client(t, creds, nil).Join(testContext(t), "{}")
			require.Error(t, err)
			assert.False(t, containsAny(err.Error(), f.token, f.secret, "wrong-secret", fakeSessionID), "error leaks a secret: %v", err)
			tc.check(t, err)
		})
	}
}

func TestJoinUnreachableRedacted(t *testing.T) {
	f := newFakeServer(t)
	url := f.srv.URL
	f.srv.Close()
	c, err := client.New(url, f.creds(), &client.Options{QueryCredentials: true})
	require.NoError(t, err)
	_, err = c.Join(testContext(t), "{}")
	require.Error(t, err)
	assert.False(t, containsAny(err.Error(), f.token, f.secret), "error leaks a credential: %v", err)
	assert.Contains(t, err.Error(), "accessToken=***")
}

func TestPushErrorsRedacted(t *testing.T) {
	f := newFakeServer(t)
	c := f.client(t, f.creds(), nil)
	const unknown = "dW5rbm93bi1zZXNzaW9uLWlkLTEyMzQ"
	_, err := c.Push(testContext(t), unknown, 1)
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusNotFound, he.Status)
	assert.Equal(t, protocol.CodeSessionNotFound, he.Code)
	assert.False(t, containsAny(err.Error(), f.token, unknown), "error leaks a secret: %v", err)

	_, err = c.Push(testContext(t), unknown, json.RawMessage(`{not json`))
	assert.ErrorContains(t, err, "not valid JSON")

	f.srv.Close()
	_, err = c.Push(testContext(t), unknown, 1)
	require.Error(t, err)
	assert.False(t, containsAny(err.Error(), f.token, unknown), "error leaks a secret: %v", err)
}

func TestServerCloseAndProtocolErrors(t *testing.T) {
	cases := []struct {
		name  string
		send  func(f *fakeServer)
		check func(t *testing.T, err error)
	}{
		{"slow consumer close", func(f *fakeServer) { f.closeSession(protocol.CloseSlowConsumer, "slow consumer") }, func(t *testing.T, err error) {
			var ce *client.CloseError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, protocol.CloseSlowConsumer, ce.Code)
			assert.Equal(t, "slow consumer", ce.Text)
		}},
		{"close reason echoing the session id", func(f *fakeServer) { f.closeSession(protocol.ClosePolicy, "revoked "+fakeSessionID) }, func(t *testing.T, err error) {
			var ce *client.CloseError
			require.ErrorAs(t, err, &ce)
			assert.NotContains(t, err.Error(), fakeSessionID)
		}},
		{"frame that is not JSON", func(f *fakeServer) { f.sendRaw(websocket.TextMessage, []byte("hello")) }, func(t *testing.T, err error) {
			var pe *client.ProtocolError
			require.ErrorAs(t, err, &pe)
		}},
		{"frame of unknown type", func(f *fakeServer) { f.sendRaw(websocket.TextMessage, []byte(`{"type":"bogus"}`)) }, func(t *testing.T, err error) {
			var pe *client.ProtocolError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, pe.Reason, "bogus")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeServer(t)
			ctx := testContext(t)
			s, err := f.client(t, f.creds(), nil).Join(ctx, "{}")
			require.NoError(t, err)
			defer s.Close()
			tc.send(f)
			_, err = s.Next(ctx)
			require.Error(t, err)
			tc.check(t, err)
			<-s.Done()
			assert.Equal(t, err, s.Err())
		})
	}
}

func TestPingCloseAndCancel(t *testing.T) {
	f := newFakeServer(t)
	ctx := testContext(t)
	s, err := f.client(t, f.creds(), nil).Join(ctx, "{}")
	require.NoError(t, err)

	rtt, err := s.Ping(ctx)
	require.NoError(t, err)
	assert.Positive(t, rtt)

	short, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Next(short)
	require.ErrorIs(t, err, context.Canceled)
	assert.NoError(t, s.Err(), "a cancelled Next must leave the session open")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice")
	_, err = s.Next(ctx)
	assert.ErrorIs(t, err, client.ErrClosed)
}

// TestConcurrentPings holds the client to its promise that Ping may be
// called from several goroutines: each Ping gets its own pong.
func TestConcurrentPings(t *testing.T) {
	srv := mocktest.Start(t, nil)
	ctx := testContext(t)
	c, err := client.New(srv.URL, mocktest.Demo, nil)
	require.NoError(t, err)
	// A pattern no event matches: no trigger waits unread in the
	// session's buffer while the pings run.
	s, err := c.Join(ctx, `{"contractSuiteQuiet":["never-in-an-event"]}`)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	const goroutines, each = 16, 100
	var failed, inFlight, most atomic.Int64
	var wg sync.WaitGroup
	gate := make(chan struct{}) // every goroutine pings from the same moment on
	for range goroutines {
		wg.Go(func() {
			<-gate
			for range each {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if _, err := s.Ping(pctx); err != nil {
					failed.Add(1)
				}
				cancel()
				inFlight.Add(-1)
			}
		})
	}
	close(gate)
	wg.Wait()
	assert.Zero(t, failed.Load(), "pings of %d lost their pong", goroutines*each)
	assert.Greater(t, most.Load(), int64(1), "the pings never overlapped: the test did not exercise concurrency")
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		{in: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080"},
		{in: "ws://127.0.0.1:8080/", want: "http://127.0.0.1:8080"},
		{in: "wss://api.example.com/prefix/", want: "https://api.example.com/prefix"},
		{in: "https://u:pw@api.example.com?accessToken=abc", want: "https://api.example.com"},
		{in: "ftp://example.com", err: "scheme"},
		{in: "127.0.0.1:8080", err: "scheme"},
		{in: "http://", err: "no host"},
		{in: "http://%zz?secretKey=abc", err: "not a URL"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			u, err := client.ParseTarget(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				assert.NotContains(t, err.Error(), "abc")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.String())
		})
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	creds := protocol.Credentials{AccessToken: "tok-visible?", SecretKey: "sec-visible?"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, creds)
		assert.False(t, strings.Contains(out, "visible"), "%s printed %q", verb, out)
		out = fmt.Sprintf(verb, struct{ C protocol.Credentials }{creds})
		assert.False(t, strings.Contains(out, "visible"), "%s in a struct printed %q", verb, out)
	}
	assert.True(t, errors.Is(fmt.Errorf("x: %w", client.ErrClosed), client.ErrClosed))
}

// recorder is a client.Handler that keeps what it is given.
type recorder struct {
	t       *testing.T
	opened  *client.Session
	frames  []client.Frame // read after ended is closed
	ended   chan error
	closeIt bool // call Close from End
}

func newRecorder(t *testing.T) *recorder { return &recorder{t: t, ended: make(chan error, 2)} }

func (r *recorder) Open(s *client.Session) { r.opened = s }

// Frame keeps a copy of f: with Options.ReuseFrames its bytes are the
// client's again once Frame returns.
func (r *recorder) Frame(f client.Frame) {
	if r.opened == nil {
		r.t.Error("Frame before Open")
	}
	f.Raw, f.Event, f.Data = bytes.Clone(f.Raw), bytes.Clone(f.Event), bytes.Clone(f.Data)
	r.frames = append(r.frames, f)
}

func (r *recorder) End(err error) {
	if r.closeIt {
		assert.NoError(r.t, r.opened.Close(), "Close from End")
	}
	r.ended <- err
}

func TestJoinWithHandler(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *client.Options
	}{
		{"own buffers", nil},
		{"reused buffers", &client.Options{ReuseFrames: true}},
	} {
		t.Run(tc.name, func(t *testing.T) { testJoinWithHandler(t, tc.opts) })
	}
}

func testJoinWithHandler(t *testing.T, opts *client.Options) {
	f := newFakeServer(t)
	c := f.client(t, f.creds(), opts)
	ctx := testContext(t)
	r := newRecorder(t)
	s, err := c.JoinWith(ctx, "{}", r)
	require.NoError(t, err)
	assert.Same(t, s, r.opened, "Open gets the session, before JoinWith returns")
	for i := range 3 {
		seq, err := c.Push(ctx, s.ID(), i)
		require.NoError(t, err)
		assert.Equal(t, uint64(i+1), seq)
	}
	rtt, err := s.Ping(ctx)
	require.NoError(t, err, "the reader answers pongs with a handler too")
	assert.Positive(t, rtt)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = s.Next(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "Next returns no frame on a handled session")

	require.NoError(t, s.Close())
	select {
	case err := <-r.ended:
		require.ErrorIs(t, err, client.ErrClosed)
	case <-ctx.Done():
		t.Fatal("End was not called after Close")
	}
	require.Len(t, r.frames, 3, "the pushes reached Frame, in order, before End")
	for i, fr := range r.frames {
		assert.Equal(t, protocol.FramePush, fr.Type)
		assert.Equal(t, uint64(i+1), fr.Seq)
		assert.Equal(t, fmt.Sprint(i), string(fr.Data))
		assert.Equal(t, fmt.Sprintf(`{"type":"push","seq":%d,"data":%d}`, i+1, i), string(fr.Raw))
	}
	_, err = s.Next(ctx)
	assert.ErrorIs(t, err, client.ErrClosed)
	assert.Empty(t, r.ended, "End is called once")
}

func TestJoinWithHandlerServerClose(t *testing.T) {
	f := newFakeServer(t)
	ctx := testContext(t)
	r := newRecorder(t)
	r.closeIt = true
	s, err := f.client(t, f.creds(), nil).JoinWith(ctx, "{}", r)
	require.NoError(t, err)
	f.closeSession(protocol.CloseSlowConsumer, "slow consumer")
	var ce *client.CloseError
	select {
	case err := <-r.ended:
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, protocol.CloseSlowConsumer, ce.Code)
	case <-ctx.Done():
		t.Fatal("End was not called when the server closed")
	}
	<-s.Done()
	require.ErrorAs(t, s.Err(), &ce)
	_, err = s.Next(ctx)
	require.ErrorAs(t, err, &ce)
}

func TestJoinWithErrors(t *testing.T) {
	f := newFakeServer(t)
	ctx := testContext(t)
	_, err := f.client(t, f.creds(), nil).JoinWith(ctx, "{}", nil)
	require.ErrorContains(t, err, "nil Handler")

	r := newRecorder(t)
	_, err = f.client(t, protocol.Credentials{AccessToken: "wrong-token", SecretKey: "wrong-secret"}, nil).JoinWith(ctx, "{}", r)
	var he *client.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Nil(t, r.opened, "no Open when the join fails")
	assert.Empty(t, r.ended, "no End when the join fails")
}

// TestJoinHonoursCancel: a join to a server that accepts and
// never answers ends as soon as its context is cancelled, not at the
// handshake timeout.
func TestJoinHonoursCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted := make(chan net.Conn, 1)
	go func() {
		defer close(accepted)
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		for c := range accepted {
			_ = c.Close()
		}
	})
	c, err := client.New("http://"+ln.Addr().String(), protocol.Credentials{AccessToken: "token-1", SecretKey: "secret-1"}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.Join(ctx, "{}")
		done <- err
	}()
	srvConn, ok := <-accepted
	require.True(t, ok)
	t.Cleanup(func() { _ = srvConn.Close() })
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(client.DefaultHandshakeTimeout / 2):
		t.Fatal("the join did not end when its context was cancelled")
	}
}

// TestSessionHeader: the 101 answer's headers reach the caller, so that a
// wstrigger mock that names itself there is recognised, unless the
// caller asked for them to be discarded.
func TestSessionHeader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    mockserver.Options
		discard bool
		invite  bool
	}{
		{"a mock with its control API", mockserver.Options{}, false, true},
		{"a mock without it", mockserver.Options{NoControl: true}, false, false},
		{"discarded", mockserver.Options{}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mocktest.Start(t, &tc.opts)
			c, err := client.New(srv.URL, mocktest.Demo, &client.Options{DiscardHeader: tc.discard})
			require.NoError(t, err)
			s, err := c.Join(testContext(t), `{"contractSuiteQuiet":["never-in-an-event"]}`)
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			assert.Equal(t, tc.invite, mockapi.Identifies(s.Header()))
			if tc.discard {
				assert.Nil(t, s.Header())
				return
			}
			assert.Equal(t, "websocket", strings.ToLower(s.Header().Get("Upgrade")))
		})
	}
}

// TestCloseWithinAFrozenServer: a server that never reads holds Close
// for the whole CloseTimeout; CloseWithin waits no longer than asked,
// and with 0 drops the connection at once.
func TestCloseWithinAFrozenServer(t *testing.T) {
	t.Parallel()
	const closeTimeout = 5 * time.Second
	cases := []struct {
		name string
		wait time.Duration
	}{
		{name: "at once", wait: 0},
		{name: "a short wait", wait: 200 * time.Millisecond},
		{name: "a negative wait", wait: -time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			release := make(chan struct{})
			defer close(release)
			f.misbehave = func(w http.ResponseWriter, r *http.Request) {
				conn, err := f.upgrader.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
				frame, _ := protocol.SessionFrame(fakeSessionID, json.RawMessage(`{}`), 30)
				_ = conn.WriteMessage(websocket.TextMessage, frame)
				<-release // frozen: never reads, never answers the close
			}
			s, err := f.client(t, f.creds(), &client.Options{CloseTimeout: closeTimeout}).Join(testContext(t), "{}")
			require.NoError(t, err)
			at := time.Now()
			_ = s.CloseWithin(tc.wait)
			took := time.Since(at)
			assert.GreaterOrEqual(t, took, max(tc.wait, 0))
			assert.Less(t, took, max(tc.wait, 0)+closeTimeout/2, "not the CloseTimeout")
			_, err = s.Next(testContext(t))
			assert.ErrorIs(t, err, client.ErrClosed)
		})
	}
}
