package mocktest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitTimeout = 10 * time.Second

// TestJoinAndPush joins the mock and pushes into the session, over the
// loopback socket and over the pipe, and reads the pushed value back.
func TestJoinAndPush(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		dialer func(m *mocktest.Mock) *websocket.Dialer
		client func(m *mocktest.Mock) *http.Client
	}{
		{"socket", func(*mocktest.Mock) *websocket.Dialer { return websocket.DefaultDialer },
			func(*mocktest.Mock) *http.Client { return http.DefaultClient }},
		{"pipe", func(m *mocktest.Mock) *websocket.Dialer { return m.Pipe.Dialer() },
			func(m *mocktest.Mock) *http.Client { return m.Pipe.Client() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
			ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
			defer cancel()
			join := "ws" + strings.TrimPrefix(m.URL, "http") + protocol.JoinPath + "?" + url.Values{"pattern": {"{}"}}.Encode()
			conn, resp, err := tc.dialer(m).DialContext(ctx, join, mocktest.Header(mocktest.Demo))
			require.NoError(t, err)
			defer conn.Close()
			assert.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
			sf := mocktest.ReadFrame(t, conn)
			require.Equal(t, protocol.FrameSession, sf.Type)

			assert.Equal(t, http.StatusAccepted, mocktest.Push(t, tc.client(m), m.URL, mocktest.Demo, sf.Session, `{"n":1}`))

			f := mocktest.ReadFrame(t, conn)
			assert.Equal(t, protocol.FramePush, f.Type)
			assert.JSONEq(t, `{"n":1}`, string(f.Data))
			assert.Equal(t, 1, m.Stats().OpenSessions)
		})
	}
}

// TestCredentials: the kit's pairs are the mock's default accounts.
func TestCredentials(t *testing.T) {
	t.Parallel()
	var want []protocol.Credentials
	for _, c := range mockserver.DefaultCredentials() {
		want = append(want, protocol.Credentials{AccessToken: c.AccessToken, SecretKey: c.SecretKey})
	}
	assert.Equal(t, want, []protocol.Credentials{mocktest.Demo, mocktest.Other, mocktest.Forbidden})
}

// TestPipeServe: any URL reaches the served handler, and a dial after
// Close fails with net.ErrClosed.
func TestPipeServe(t *testing.T) {
	t.Parallel()
	p := mocktest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Host+r.URL.Path)
	}))
	for _, u := range []string{"http://example.com/a", "http://127.0.0.1:1/b"} {
		resp, err := p.Client().Get(u)
		require.NoError(t, err, u)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, strings.TrimPrefix(u, "http://"), string(body))
	}
	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "Close twice")
	_, err := p.DialContext(t.Context(), "tcp", "x:1")
	assert.ErrorIs(t, err, net.ErrClosed)
}

// TestPipeDialWaitsForAccept: with nothing accepting, a dial ends with
// its context; a listener accepting gets the other end.
func TestPipeDialWaitsForAccept(t *testing.T) {
	t.Parallel()
	p := mocktest.NewPipe()
	defer p.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := p.DialContext(ctx, "tcp", "x:1")
	assert.ErrorIs(t, err, context.Canceled)

	accepted := make(chan net.Conn, 1)
	go func() { // ends with the Accept, below
		c, err := p.Listener().Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	c, err := p.DialContext(t.Context(), "tcp", "x:1")
	require.NoError(t, err)
	defer c.Close()
	s, ok := <-accepted
	require.True(t, ok)
	defer s.Close()
	go func() { _, _ = c.Write([]byte("hi")) }() // a pipe write waits for the read below
	buf := make([]byte, 2)
	_, err = io.ReadFull(s, buf)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(buf))

	require.NoError(t, p.Listener().Close())
	_, err = p.Listener().Accept()
	assert.True(t, errors.Is(err, net.ErrClosed))
}

// TestPipeConcurrentDials: many goroutines send requests and join
// through one pipe at once.
func TestPipeConcurrentDials(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	join := "ws://pipe" + protocol.JoinPath + "?" + url.Values{"pattern": {"{}"}}.Encode()
	const goroutines = 16
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Go(func() {
			conn, _, err := m.Pipe.Dialer().DialContext(t.Context(), join, mocktest.Header(mocktest.Demo))
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			resp, err := m.Pipe.Client().Get("http://pipe" + mockserver.ControlPrefix + "stats")
			if err != nil {
				errs <- err
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			errs <- resp.Body.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

// TestBufferConcurrentUse holds Buffer to its promise: writes from one
// goroutine while another reads.
func TestBufferConcurrentUse(t *testing.T) {
	t.Parallel()
	var b mocktest.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			_, _ = b.Write([]byte("x"))
		}
	}()
	for range 200 {
		_ = b.String()
	}
	<-done
	assert.Equal(t, 200, len(b.String()))
}
