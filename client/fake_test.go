package client_test

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/protocol"
)

// fakeServer is a small, deliberately partial implementation of the
// protocol, enough to exercise the client: it is not the mock server.
type fakeServer struct {
	t        *testing.T
	srv      *httptest.Server
	token    string
	secret   string
	upgrader websocket.Upgrader

	mu       sync.Mutex
	sessions map[string]*fakeSession
	// misbehave, when set, replaces the normal join handling.
	misbehave func(w http.ResponseWriter, r *http.Request)
}

type fakeSession struct {
	conn   *websocket.Conn
	seq    uint64
	mu     sync.Mutex
	closed bool
}

const fakeSessionID = "c2Vzc2lvbi1pZC1mb3ItdGVzdHM"

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{t: t, token: "tok-abcdef", secret: "sec-ghijkl", sessions: map[string]*fakeSession{}}
	mux := http.NewServeMux()
	mux.HandleFunc(protocol.JoinPath, f.join)
	mux.HandleFunc(protocol.PushPath, f.push)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

func (f *fakeServer) close() {
	f.mu.Lock()
	for _, s := range f.sessions {
		_ = s.conn.Close()
	}
	f.mu.Unlock()
	f.srv.Close()
}

func fail(w http.ResponseWriter, status int, code protocol.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(protocol.NewErrorBody(code, msg))
}

func (f *fakeServer) authorized(token, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(token), []byte(f.token)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(f.secret)) == 1
}

func (f *fakeServer) join(w http.ResponseWriter, r *http.Request) {
	if f.misbehave != nil {
		f.misbehave(w, r)
		return
	}
	q := r.URL.Query()
	token, secret := r.Header.Get(protocol.HeaderAccessToken), r.Header.Get(protocol.HeaderSecretKey)
	if token == "" {
		token, secret = q.Get(protocol.QueryAccessToken), q.Get(protocol.QuerySecretKey)
	}
	if !f.authorized(token, secret) {
		fail(w, http.StatusUnauthorized, protocol.CodeUnauthorized, "Access Token or Security Key wrong")
		return
	}
	if !q.Has(protocol.QueryPattern) {
		fail(w, http.StatusBadRequest, protocol.CodeMissingPattern, "no pattern")
		return
	}
	conn, err := f.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s := &fakeSession{conn: conn}
	s.mu.Lock() // registered before the client can learn the id
	f.mu.Lock()
	f.sessions[fakeSessionID] = s
	f.mu.Unlock()
	frame, _ := protocol.SessionFrame(fakeSessionID, json.RawMessage(`{}`), 30)
	_ = conn.WriteMessage(websocket.TextMessage, frame)
	s.mu.Unlock()
	go func() { // read until the client goes, answering pings and closes
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				s.mu.Lock()
				s.closed = true
				s.mu.Unlock()
				return
			}
		}
	}()
}

func (f *fakeServer) push(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(r.Header.Get(protocol.HeaderAccessToken), r.Header.Get(protocol.HeaderSecretKey)) {
		fail(w, http.StatusUnauthorized, protocol.CodeUnauthorized, "Access Token or Security Key wrong")
		return
	}
	id := r.URL.Query().Get(protocol.QuerySession)
	f.mu.Lock()
	s := f.sessions[id]
	f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if s == nil {
		// A misbehaving server that echoes the session id and token.
		fail(w, http.StatusNotFound, protocol.CodeSessionNotFound, "no session "+id+" for "+r.Header.Get(protocol.HeaderAccessToken))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	_ = s.conn.WriteMessage(websocket.TextMessage, protocol.AppendPushFrame(nil, s.seq, body))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(protocol.PushResponse{Session: id, Seq: s.seq})
}

// sendRaw writes a raw frame to the open session.
func (f *fakeServer) sendRaw(messageType int, data []byte) {
	f.mu.Lock()
	s := f.sessions[fakeSessionID]
	f.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.conn.WriteMessage(messageType, data)
}

// closeSession sends a close frame with the given code.
func (f *fakeServer) closeSession(code int, text string) {
	f.sendRaw(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
}

func containsAny(s string, needles ...string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}
