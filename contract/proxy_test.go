package contract_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// This file holds the means to break the mock on purpose: a response
// rewriter, a request fixer, and a WebSocket proxy that tampers with the
// frames between the mock and the suite.

// bufferedWriter holds a handler's answer so that it can be changed
// before it is sent. A hijack (an upgrade) passes straight through.
type bufferedWriter struct {
	w        http.ResponseWriter
	header   http.Header
	status   int
	buf      bytes.Buffer
	hijacked bool
}

func newBufferedWriter(w http.ResponseWriter) *bufferedWriter {
	return &bufferedWriter{w: w, header: http.Header{}}
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}

func (b *bufferedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	b.hijacked = true
	for k, vs := range b.header {
		b.w.Header()[k] = vs
	}
	return b.w.(http.Hijacker).Hijack()
}

// flush sends the (possibly changed) answer.
func (b *bufferedWriter) flush() {
	if b.hijacked {
		return
	}
	for k, vs := range b.header {
		b.w.Header()[k] = vs
	}
	b.w.Header().Set("Content-Length", strconv.Itoa(b.buf.Len()))
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.w.WriteHeader(b.status)
	_, _ = b.w.Write(b.buf.Bytes())
}

// rewrite changes the answers of next: fix gets the request and the
// buffered answer and may change its status, headers and body.
func rewrite(next http.Handler, fix func(r *http.Request, b *bufferedWriter)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := newBufferedWriter(w)
		next.ServeHTTP(b, r)
		if !b.hijacked {
			fix(r, b)
		}
		b.flush()
	})
}

// errorCode returns the error code of a buffered answer.
func (b *bufferedWriter) errorCode() protocol.ErrorCode {
	eb, err := protocol.ParseErrorBody(b.buf.Bytes())
	if err != nil {
		return ""
	}
	return eb.Error.Code
}

// setError replaces the answer with an error body.
func (b *bufferedWriter) setError(status int, code protocol.ErrorCode, msg string) {
	b.status = status
	b.header.Set("Content-Type", "application/json")
	b.buf.Reset()
	b.buf.Write(protocol.NewErrorBody(code, msg))
}

// recode rewrites answers with the given code on path to another status
// and code.
func recode(next http.Handler, path string, from protocol.ErrorCode, status int, to protocol.ErrorCode) http.Handler {
	return rewrite(next, func(r *http.Request, b *bufferedWriter) {
		if r.URL.Path == path && b.errorCode() == from {
			b.setError(status, to, "broken on purpose")
		}
	})
}

// fixRequest changes requests before next sees them.
func fixRequest(next http.Handler, fix func(r *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		fix(r)
		next.ServeHTTP(w, r)
	})
}

// setQuery sets a query parameter of r.
func setQuery(r *http.Request, key, value string) {
	q := r.URL.Query()
	q.Set(key, value)
	r.URL.RawQuery = q.Encode()
}

// tamper says how a proxy misbehaves.
type tamper struct {
	// frame maps a frame from the mock to the frames the client gets.
	frame func(p *proxied, data []byte) [][]byte
	// noPong leaves the client's pings unanswered.
	noPong bool
	// closeCode maps the mock's close codes.
	closeCode func(int) int
}

// proxied is one session through the proxy.
type proxied struct {
	pattern string
	n       int // frames from the mock so far
	held    []byte
	mu      sync.Mutex // serialises writes to client
	client  *websocket.Conn
}

func (p *proxied) write(data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.client.WriteMessage(websocket.TextMessage, data)
}

// proxy serves the mock's push endpoint itself and relays joins to the
// mock through a tampering WebSocket proxy.
type proxy struct {
	mock *mockserver.Server
	t    tamper
	up   websocket.Upgrader
	wg   sync.WaitGroup

	mu       sync.Mutex
	sessions map[*proxied]bool
	conns    []*websocket.Conn
}

func newProxy(tb testing.TB, mock *mockserver.Server, t tamper) *proxy {
	p := &proxy{mock: mock, t: t, sessions: map[*proxied]bool{},
		up: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
	tb.Cleanup(p.close)
	return p
}

func (p *proxy) close() {
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) others(self *proxied) []*proxied {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*proxied
	for s := range p.sessions {
		if s != self {
			out = append(out, s)
		}
	}
	return out
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != protocol.JoinPath || !websocket.IsWebSocketUpgrade(r) || r.Method != http.MethodGet {
		p.mock.Handler().ServeHTTP(w, r)
		return
	}
	h := http.Header{}
	for _, k := range []string{protocol.HeaderAccessToken, protocol.HeaderSecretKey} {
		if v, ok := r.Header[http.CanonicalHeaderKey(k)]; ok {
			h[k] = v
		}
	}
	backend, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.mock.URL, "http")+r.URL.RequestURI(), h)
	if err != nil {
		if resp == nil {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
		return
	}
	client, err := p.up.Upgrade(w, r, nil)
	if err != nil {
		_ = backend.Close()
		return
	}
	s := &proxied{pattern: r.URL.Query().Get(protocol.QueryPattern), client: client}
	p.mu.Lock()
	p.sessions[s] = true
	p.conns = append(p.conns, client, backend)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.sessions, s)
		p.mu.Unlock()
	}()
	if p.t.noPong {
		client.SetPingHandler(func(string) error { return nil })
	}
	p.wg.Add(1)
	defer p.wg.Done()
	done := make(chan struct{})
	go func() { // client to mock
		defer close(done)
		for {
			typ, data, err := client.ReadMessage()
			if err != nil {
				code := websocket.CloseNormalClosure
				if ce, ok := err.(*websocket.CloseError); ok {
					code = ce.Code
				}
				_ = backend.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
				return
			}
			_ = backend.WriteMessage(typ, data)
		}
	}()
	for { // mock to client
		_, data, err := backend.ReadMessage()
		if err != nil {
			code := websocket.CloseAbnormalClosure
			if ce, ok := err.(*websocket.CloseError); ok {
				code = ce.Code
			}
			if p.t.closeCode != nil {
				code = p.t.closeCode(code)
			}
			if code != websocket.CloseAbnormalClosure {
				s.mu.Lock()
				_ = client.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
				s.mu.Unlock()
			}
			break
		}
		s.n++
		out := [][]byte{data}
		if p.t.frame != nil {
			out = p.t.frame(s, data)
		}
		for _, f := range out {
			s.write(f)
		}
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	_ = client.Close()
	_ = backend.Close()
	<-done
}
