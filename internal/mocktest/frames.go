package mocktest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/protocol"
)

// FrameTimeout bounds ReadFrame.
const FrameTimeout = 10 * time.Second

// Header holds c as the join's and the push's credential headers.
func Header(c protocol.Credentials) http.Header {
	h := http.Header{}
	h.Set(protocol.HeaderAccessToken, c.AccessToken)
	h.Set(protocol.HeaderSecretKey, c.SecretKey)
	return h
}

// ReadFrame reads the next frame of conn, within FrameTimeout, and
// decodes it; it fails the test on an error or a frame that is not one
// of the protocol's.
func ReadFrame(t testing.TB, conn *websocket.Conn) protocol.Frame {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(FrameTimeout)); err != nil {
		t.Fatalf("mocktest: set the read deadline: %v", err)
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("mocktest: read a frame: %v", err)
	}
	f, err := protocol.DecodeFrame(data)
	if err != nil {
		t.Fatalf("mocktest: decode the frame %.200s: %v", data, err)
	}
	return f
}

// Push pushes body into session at base (the API's base URL) with c,
// through client, and returns the response's status; the body is read
// and closed.
func Push(t testing.TB, client *http.Client, base string, c protocol.Credentials, session, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		base+protocol.PushPath+"?"+url.Values{protocol.QuerySession: {session}}.Encode(), strings.NewReader(body))
	if err != nil {
		t.Fatalf("mocktest: push request: %v", err)
	}
	req.Header = Header(c)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("mocktest: push: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if err := resp.Body.Close(); err != nil {
		t.Fatalf("mocktest: push: close the body: %v", err)
	}
	return resp.StatusCode
}
