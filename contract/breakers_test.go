package contract_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// wrap builds a breakage from a handler middleware.
func wrap(mw func(next http.Handler) http.Handler) func(*testing.T, *mockserver.Server) http.Handler {
	return func(_ *testing.T, m *mockserver.Server) http.Handler { return mw(m.Handler()) }
}

// tampering builds a breakage from a frame-tampering proxy.
func tampering(tp tamper) func(*testing.T, *mockserver.Server) http.Handler {
	return func(t *testing.T, m *mockserver.Server) http.Handler { return newProxy(t, m, tp) }
}

// onFrames tampers with decoded frames: fn returns the frames to send.
func onFrames(fn func(p *proxied, f map[string]any) []map[string]any) tamper {
	return tamper{frame: func(p *proxied, data []byte) [][]byte {
		var f map[string]any
		d := json.NewDecoder(strings.NewReader(string(data)))
		d.UseNumber()
		if d.Decode(&f) != nil {
			return [][]byte{data}
		}
		var out [][]byte
		for _, g := range fn(p, f) {
			b, _ := json.Marshal(g)
			out = append(out, b)
		}
		return out
	}}
}

func isJoin(r *http.Request) bool { return r.URL.Path == protocol.JoinPath }
func isPush(r *http.Request) bool { return r.URL.Path == protocol.PushPath }

// credential returns a request's credential from the header or the query.
func credential(r *http.Request, header, query string) string {
	if v := r.Header.Get(header); v != "" {
		return v
	}
	return r.URL.Query().Get(query)
}

// lenient accepts what it should not: fix rewrites a request's
// credentials before the mock sees them.
func lenient(fix func(r *http.Request)) func(*testing.T, *mockserver.Server) http.Handler {
	return wrap(func(next http.Handler) http.Handler { return fixRequest(next, fix) })
}

// fillMissing supplies the demo credentials where a request lacks them.
func fillMissing(r *http.Request) {
	if credential(r, protocol.HeaderAccessToken, protocol.QueryAccessToken) == "" {
		r.Header.Set(protocol.HeaderAccessToken, mockserver.DemoAccessToken)
	}
	if credential(r, protocol.HeaderSecretKey, protocol.QuerySecretKey) == "" {
		r.Header.Set(protocol.HeaderSecretKey, mockserver.DemoSecretKey)
	}
}

// acceptAnySecret lets the demo token in with any secret key.
func acceptAnySecret(r *http.Request) {
	if credential(r, protocol.HeaderAccessToken, protocol.QueryAccessToken) != mockserver.DemoAccessToken {
		return
	}
	if r.Header.Get(protocol.HeaderSecretKey) != "" {
		r.Header.Set(protocol.HeaderSecretKey, mockserver.DemoSecretKey)
	}
	if r.URL.Query().Has(protocol.QuerySecretKey) {
		setQuery(r, protocol.QuerySecretKey, mockserver.DemoSecretKey)
	}
}

// acceptAnyToken lets the demo secret in with any access token.
func acceptAnyToken(r *http.Request) {
	if credential(r, protocol.HeaderSecretKey, protocol.QuerySecretKey) != mockserver.DemoSecretKey {
		return
	}
	if r.Header.Get(protocol.HeaderAccessToken) != "" {
		r.Header.Set(protocol.HeaderAccessToken, mockserver.DemoAccessToken)
	}
	if r.URL.Query().Has(protocol.QueryAccessToken) {
		setQuery(r, protocol.QueryAccessToken, mockserver.DemoAccessToken)
	}
}

// badAccept answers valid joins with a 101 whose Sec-WebSocket-Accept is
// wrong.
func badAccept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isJoin(r) || r.Header.Get(protocol.HeaderAccessToken) != mockserver.DemoAccessToken || r.Header.Get("Upgrade") == "" {
			next.ServeHTTP(w, r)
			return
		}
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")
		_ = brw.Flush()
	})
}

// upgradeThenClose upgrades every join the mock rejects, then closes it
// with 1008.
func upgradeThenClose(next http.Handler) http.Handler {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := newBufferedWriter(w)
		next.ServeHTTP(b, r)
		if b.hijacked || !isJoin(r) || b.status < 400 || r.Header.Get("Upgrade") == "" {
			b.flush()
			return
		}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "unauthorized"), time.Now().Add(time.Second))
		_ = conn.Close()
	})
}

// mapStrings returns v with fn applied to every string in it.
func mapStrings(v any, fn func(string) string) any {
	return mapLeaves(v, func(leaf any) any {
		if s, ok := leaf.(string); ok {
			return fn(s)
		}
		return leaf
	})
}

// mapNumbers returns v with fn applied to every number in it.
func mapNumbers(v any, fn func(json.Number) any) any {
	return mapLeaves(v, func(leaf any) any {
		if n, ok := leaf.(json.Number); ok {
			return fn(n)
		}
		return leaf
	})
}

func mapLeaves(v any, fn func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = mapLeaves(e, fn)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = mapLeaves(e, fn)
		}
		return x
	}
	return fn(v)
}

// onPushBody changes the body of every push before the mock reads it:
// fix returns the body the mock gets.
func onPushBody(fix func(body []byte) []byte) func(*testing.T, *mockserver.Server) http.Handler {
	return lenient(func(r *http.Request) {
		if !isPush(r) || r.Body == nil {
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		body = fix(body)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	})
}
