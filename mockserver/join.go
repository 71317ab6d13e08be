package mockserver

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// serveJoin handles GET /api/v1/websocket: the checks of PROTOCOL.md
// section 3 in their order, then the upgrade. The handler starts the
// session's reader and writer and returns, so that net/http lets go of
// the connection's request state and buffers.
func (s *Server) serveJoin(w http.ResponseWriter, r *http.Request) {
	acct, pat, herr := s.checkJoin(r)
	if herr != nil {
		s.reject(w, r, opJoin, herr)
		return
	}
	// Limits: shutting down, the token's session limit, injected faults.
	// wg.Add happens under s.mu with the draining check, so that
	// Shutdown never waits on a count that can still grow from zero.
	s.mu.Lock()
	if s.draining {
		s.mu.Unlock()
		s.reject(w, r, opJoin, newError(http.StatusServiceUnavailable, protocol.CodeUnavailable, "the server is shutting down"))
		return
	}
	if n := acct.open.Add(1); n > int64(acct.maxSessions) {
		acct.open.Add(-1)
		s.mu.Unlock()
		s.reject(w, r, opJoin, newError(http.StatusTooManyRequests, protocol.CodeTooManyConnections,
			"the access token already holds its maximum of "+strconv.Itoa(acct.maxSessions)+" open sessions"))
		return
	}
	f := s.faults.Load()
	if s.rand.chance(f.RejectJoins.Share) {
		acct.open.Add(-1)
		s.mu.Unlock()
		s.reject(w, r, opJoin, faultError(f.RejectJoins.Status, joinFaultCodes))
		return
	}
	s.wg.Add(2) // the reader and the writer
	s.mu.Unlock()

	cw := &corkingWriter{ResponseWriter: w, sendBuf: s.opts.SendBuffer}
	conn, err := s.upgrader.Upgrade(cw, r, s.joinHeader)
	if err != nil { // gorilla has answered or dropped the connection
		acct.open.Add(-1)
		s.wg.Add(-2)
		return
	}
	ss := &session{
		srv: s, id: newSessionID(), acct: acct, pat: pat,
		conn: conn, nc: cw.conn, opened: time.Now(),
		wake: make(chan struct{}, 1), readDone: make(chan struct{}),
		running: true, // until startWriter's writer parks: a close before it only wakes it
	}
	ss.tag = SessionTag(ss.id)
	if !s.addSession(ss) {
		ss.close(closeFrame, protocol.CloseGoingAway)
	}
	s.stats.joins.Add(1)
	s.stats.joinRate.add(s.since())
	if s.log.Enabled(context.Background(), slog.LevelInfo) {
		s.log.LogAttrs(context.Background(), slog.LevelInfo, "join",
			slog.String("session", ss.tag),
			slog.String("account", acct.name),
			slog.String("pattern", logValue(pat.String())),
			slog.String("remote", r.RemoteAddr),
		)
	}
	if !s.opts.HoldReplay {
		s.replay.startOnce()
	}
	go func() { // owned by s.wg, added above
		defer s.wg.Done()
		ss.readLoop()
	}()
	ss.startWriter() // its writers are owned by s.wg, added above
}

// checkJoin runs the checks up to the limits: method, upgrade headers,
// origin, credentials, pattern.
func (s *Server) checkJoin(r *http.Request) (*account, *pattern.Pattern, *httpError) {
	if r.Method != http.MethodGet {
		return nil, nil, methodNotAllowed(r.Method, http.MethodGet)
	}
	if !isUpgrade(r) {
		return nil, nil, newError(http.StatusUpgradeRequired, protocol.CodeUpgradeRequired,
			"this endpoint requires a WebSocket upgrade (Upgrade, Connection, Sec-WebSocket-Key and Sec-WebSocket-Version: 13)")
	}
	if origin := r.Header.Get("Origin"); origin != "" && !s.originAllowed(origin) {
		return nil, nil, errForbiddenOrigin
	}
	creds, err := joinCredentials(r)
	if err != nil {
		return nil, nil, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, err.Error())
	}
	acct := s.accts.check(creds.token, creds.secret)
	if acct == nil {
		return nil, nil, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "access token or secret key wrong")
	}
	if acct.forbidden {
		return nil, nil, newError(http.StatusForbidden, protocol.CodeForbidden, "request not available for the account")
	}
	q := r.URL.Query()
	if !q.Has(protocol.QueryPattern) {
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeMissingPattern, "the pattern query parameter is required")
	}
	p, err := pattern.Parse(q.Get(protocol.QueryPattern))
	if err != nil {
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeInvalidPattern, err.Error())
	}
	return acct, p, nil
}

// isUpgrade reports whether r carries the four WebSocket upgrade headers
// that gorilla's Upgrader needs; without them the answer is 426 rather
// than gorilla's 400.
func isUpgrade(r *http.Request) bool {
	if !protocol.HeaderHasToken(r.Header, "Connection", "upgrade") ||
		!protocol.HeaderHasToken(r.Header, "Upgrade", "websocket") ||
		!protocol.HeaderHasToken(r.Header, "Sec-Websocket-Version", "13") {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-Websocket-Key"))
	return err == nil && len(key) == 16
}
