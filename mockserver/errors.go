package mockserver

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/wstrigger/wstrigger/protocol"
)

// httpError is a rejection: a status, an error code and a message, plus
// the headers the status requires.
type httpError struct {
	status  int
	code    protocol.ErrorCode
	message string
	allow   string // Allow header of a 405
}

func (e *httpError) Error() string { return string(e.code) + ": " + e.message }

func newError(status int, code protocol.ErrorCode, message string) *httpError {
	return &httpError{status: status, code: code, message: message}
}

// write sends the error with the headers its status needs: Allow on 405,
// Retry-After on 429, Upgrade and Sec-WebSocket-Version on 426.
func (e *httpError) write(w http.ResponseWriter, retryAfter int) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	switch e.status {
	case http.StatusMethodNotAllowed:
		h.Set("Allow", e.allow)
	case http.StatusTooManyRequests:
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	case http.StatusUpgradeRequired:
		h.Set("Upgrade", "websocket")
		h.Set("Sec-WebSocket-Version", "13")
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(protocol.NewErrorBody(e.code, e.message))
}

func methodNotAllowed(method, allow string) *httpError {
	e := newError(http.StatusMethodNotAllowed, protocol.CodeMethodNotAllowed, "method "+method+" not allowed, use "+allow)
	e.allow = allow
	return e
}

// joinFaultCodes and pushFaultCodes are the statuses a rejection fault may
// answer joins and pushes with, and the code each carries. The statuses
// that depend on the request's shape (400, 405, 413, 415, 426) are left
// out: a fault rejects well-formed requests.
var (
	joinFaultCodes = map[int]protocol.ErrorCode{
		http.StatusUnauthorized:       protocol.CodeUnauthorized,
		http.StatusForbidden:          protocol.CodeForbidden,
		http.StatusTooManyRequests:    protocol.CodeTooManyConnections,
		http.StatusServiceUnavailable: protocol.CodeUnavailable,
	}
	pushFaultCodes = map[int]protocol.ErrorCode{
		http.StatusUnauthorized:    protocol.CodeUnauthorized,
		http.StatusNotFound:        protocol.CodeSessionNotFound,
		http.StatusTooManyRequests: protocol.CodeSessionQueueFull,
	}
)

// Default statuses of the rejection faults.
const (
	DefaultJoinRejectStatus = http.StatusServiceUnavailable
	DefaultPushRejectStatus = http.StatusTooManyRequests
)

func faultError(status int, codes map[int]protocol.ErrorCode) *httpError {
	return newError(status, codes[status], "rejected by an injected fault")
}

// reject writes e, counts it and logs it.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, op string, e *httpError) {
	e.write(w, s.retryAfter)
	switch op {
	case opJoin:
		s.stats.rejectedJoins.add(Outcome{e.status, e.code})
	case opPush:
		s.stats.pushes.add(Outcome{e.status, e.code})
	}
	if s.log.Enabled(context.Background(), slog.LevelInfo) {
		s.log.LogAttrs(context.Background(), slog.LevelInfo, op+" rejected",
			slog.Int("status", e.status),
			slog.String("code", string(e.code)),
			slog.String("method", logValue(r.Method)),
			slog.String("url", logValue(protocol.RedactURL(r.URL))),
			slog.String("remote", r.RemoteAddr),
		)
	}
}

// Operation names in logs and statistics.
const (
	opJoin      = "join"
	opPush      = "push"
	opPreflight = "preflight" // of a push; counted nowhere
)
