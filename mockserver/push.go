package mockserver

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// servePush handles POST /api/v1/websocket/session?session=ID, with the
// checks of PROTOCOL.md section 4 in their order: method, credentials,
// session parameter, content type, size, body, session lookup, queue.
// The frame is queued before the 202 is written.
func (s *Server) servePush(w http.ResponseWriter, r *http.Request) {
	ss, body, herr := s.checkPush(r)
	if herr != nil {
		s.reject(w, r, opPush, herr)
		return
	}
	if f := s.faults.Load(); s.rand.chance(f.RejectPushes.Share) {
		s.reject(w, r, opPush, faultError(f.RejectPushes.Status, pushFaultCodes))
		return
	}
	seq, res := ss.enqueuePush(body, s.since())
	switch res {
	case pushClosed:
		s.reject(w, r, opPush, errSessionNotFound)
		return
	case pushFull:
		s.reject(w, r, opPush, newError(http.StatusTooManyRequests, protocol.CodeSessionQueueFull, "the session's outbound queue is full"))
		return
	}
	out := make([]byte, 0, 64)
	out = append(out, `{"session":"`...)
	out = append(out, ss.id...) // URL-safe base64: nothing to escape
	out = append(out, `","seq":`...)
	out = strconv.AppendUint(out, seq, 10)
	out = append(out, '}')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(out)
	s.stats.pushes.add(Outcome{Status: http.StatusAccepted})
}

// Rejections that carry nothing of the request; write never modifies them.
var (
	errSessionNotFound = newError(http.StatusNotFound, protocol.CodeSessionNotFound, "no open session with this id for these credentials")
	errTooLarge        = newError(http.StatusRequestEntityTooLarge, protocol.CodePayloadTooLarge, "the body exceeds "+strconv.Itoa(protocol.MaxPushBody)+" bytes")
)

// checkPush runs every check before the queue and returns the session
// and the body to queue.
func (s *Server) checkPush(r *http.Request) (*session, []byte, *httpError) {
	if r.Method != http.MethodPost {
		return nil, nil, methodNotAllowed(r.Method, http.MethodPost)
	}
	creds, err := pushCredentials(r)
	if err != nil {
		return nil, nil, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "access token and secret key are required (X-API-AccessToken and X-API-SecretKey headers)")
	}
	acct := s.accts.check(creds.token, creds.secret)
	if acct == nil {
		return nil, nil, newError(http.StatusUnauthorized, protocol.CodeUnauthorized, "access token or secret key wrong")
	}
	id := queryValue(r.URL.RawQuery, protocol.QuerySession)
	if id == "" {
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeMissingSession, "the session query parameter is required")
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" && !isJSONMediaType(ct) {
		if ct == "" {
			ct = "(none)"
		}
		return nil, nil, newError(http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType,
			"content type "+strconv.Quote(ct)+" is not supported, use application/json")
	}
	if r.ContentLength > protocol.MaxPushBody {
		return nil, nil, errTooLarge
	}
	body, err := readBody(r)
	if err != nil {
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeInvalidBody, "reading the body failed")
	}
	if len(body) > protocol.MaxPushBody {
		return nil, nil, errTooLarge
	}
	body = bytes.Trim(body, " \t\r\n")
	if len(body) == 0 {
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeInvalidBody, "the body is empty; send one JSON value")
	}
	if err := protocol.CheckValue(body); err != nil {
		msg := "the body is " + err.Error()
		if errors.Is(err, protocol.ErrNotJSON) {
			msg = "the body is not one JSON value"
		}
		return nil, nil, newError(http.StatusBadRequest, protocol.CodeInvalidBody, msg)
	}
	ss := s.lookup(id)
	if ss == nil || ss.acct != acct {
		return nil, nil, errSessionNotFound
	}
	return ss, body, nil
}

// queryValue is url.ParseQuery(raw).Get(key) without building the map:
// the first value of key, unescaped. A query it cannot read gives ""
// for a key it holds, as ParseQuery's map would hold nothing for it.
func queryValue(raw, key string) string {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			continue // ParseQuery refuses it
		}
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			if uk, err := url.QueryUnescape(k); err != nil || uk != key {
				continue
			}
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		return uv
	}
	return ""
}

// readBody reads at most one byte more than protocol.MaxPushBody.
func readBody(r *http.Request) ([]byte, error) {
	limit := int64(protocol.MaxPushBody + 1)
	if r.ContentLength >= 0 {
		buf := make([]byte, r.ContentLength)
		_, err := io.ReadFull(r.Body, buf)
		return buf, err
	}
	return io.ReadAll(io.LimitReader(r.Body, limit))
}

// isJSONMediaType reports whether a Content-Type is application/json,
// with or without parameters such as charset.
func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
