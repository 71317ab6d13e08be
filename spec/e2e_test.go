package spec

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestValidateAgainstARealServer runs a tiny server on 127.0.0.1 at a
// random port, so the documents' server URL differs from the request's,
// and validates what a real client sees: the 101 upgrade, the session
// frame, and the rejections.
func TestValidateAgainstARealServer(t *testing.T) {
	s := mustDefault(t)
	upgrader := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == protocol.JoinPath && r.Method != http.MethodGet:
			w.Header().Set("Allow", http.MethodGet)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write(protocol.NewErrorBody(protocol.CodeMethodNotAllowed, "method "+r.Method+" not allowed, use GET"))
		case r.URL.Path == protocol.JoinPath && !websocket.IsWebSocketUpgrade(r):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUpgradeRequired)
			_, _ = w.Write(protocol.NewErrorBody(protocol.CodeUpgradeRequired, "this endpoint requires a WebSocket upgrade"))
		case r.URL.Path == protocol.JoinPath:
			conn, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			frame, _ := protocol.SessionFrame(testSession, []byte(`{"org":["IBM"]}`), 30)
			_ = conn.WriteMessage(websocket.TextMessage, frame)
			_, _, _ = conn.ReadMessage() // until the client closes
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("101 and session frame", func(t *testing.T) {
		url := "ws" + strings.TrimPrefix(srv.URL, "http") + protocol.JoinPath + "?pattern=%7B%22org%22%3A%5B%22IBM%22%5D%7D&accessToken=" + testToken + "&secretKey=" + testSecret
		conn, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
		require.NoError(t, err)
		defer conn.Close()
		require.NotNil(t, resp.Request)
		assert.NoError(t, s.ValidateResponse(ctx, resp.Request, resp.StatusCode, resp.Header, nil))
		assert.NoError(t, s.ValidateRequest(ctx, resp.Request))

		_, frame, err := conn.ReadMessage()
		require.NoError(t, err)
		assert.NoError(t, s.ValidateFrame(frame))
		require.NoError(t, conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(protocol.CloseNormal, "")))
	})
	for _, c := range []struct {
		name   string
		method string
		ok     bool
	}{
		{"405 to a POST", http.MethodPost, true},
		{"426 to a plain GET", http.MethodGet, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, c.method, srv.URL+protocol.JoinPath+"?pattern=%7B%7D", nil)
			require.NoError(t, err)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.NoError(t, s.ValidateResponse(ctx, req, resp.StatusCode, resp.Header, body))
		})
	}
	t.Run("http.NotFound is not the protocol", func(t *testing.T) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+protocol.PushPath+"?session="+testSession, strings.NewReader(`{}`))
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		require.NoError(t, resp.Body.Close())
		err = s.ValidateResponse(ctx, req, resp.StatusCode, resp.Header, body)
		assert.ErrorIs(t, err, ErrContentType, "text/plain 404 body")
	})
}

// TestConcurrentUse runs the validators from many goroutines; with -race
// it shows that a Spec is safe to share.
func TestConcurrentUse(t *testing.T) {
	s := mustDefault(t)
	frame := protocol.AppendTriggerFrame(nil, 1, []byte(newsItemJSON))
	bad := []byte(`{"type":"push","seq":0,"data":1}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				assert.NoError(t, s.ValidateFrame(frame))
				assert.Error(t, s.ValidateFrame(bad))
				req := httptest.NewRequest(http.MethodPost, pushURL(), nil)
				assert.NoError(t, s.ValidateResponse(context.Background(), req, 202, jsonHeader(), []byte(`{"session":"`+testSession+`","seq":2}`)))
				_ = s.Operations()
				_ = s.ErrorCodes(opJoin, 403)
				d, err := Default()
				assert.NoError(t, err)
				assert.Same(t, s, d)
			}
		})
	}
	wg.Wait()
}
