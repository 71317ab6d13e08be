package spec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

func joinURL(query string) string {
	return "http://127.0.0.1:40123" + protocol.JoinPath + "?" + query
}

func pushURL() string {
	return "http://127.0.0.1:40123" + protocol.PushPath + "?session=" + testSession
}

func jsonHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// extraHeaders returns the headers docs/protocol.md requires with a status.
func extraHeaders(method string, status int) []string {
	switch status {
	case http.StatusMethodNotAllowed:
		return []string{"Allow", method}
	case http.StatusTooManyRequests:
		return []string{"Retry-After", "5"}
	}
	return nil
}

func TestValidateResponseAcceptsEveryProtocolRow(t *testing.T) {
	s := mustDefault(t)
	type tc struct {
		name   string
		method string
		url    string
		status int
		header http.Header
		body   string
	}
	var cases []tc
	for _, r := range joinRows {
		c := tc{name: fmt.Sprintf("join %d %s", r.status, r.code), method: http.MethodGet,
			url: joinURL("pattern=%7B%7D"), status: r.status}
		switch {
		case r.status == http.StatusSwitchingProtocols:
			c.header = http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Accept": {testAccept}}
		default:
			c.header = jsonHeader(extraHeaders(http.MethodGet, r.status)...)
			c.body = string(protocol.NewErrorBody(r.code, "see docs/protocol.md"))
		}
		if r.status == http.StatusMethodNotAllowed {
			c.method = http.MethodPost // any method but GET
		}
		cases = append(cases, c)
	}
	for _, r := range pushRows {
		c := tc{name: fmt.Sprintf("push %d %s", r.status, r.code), method: http.MethodPost,
			url: pushURL(), status: r.status}
		switch {
		case r.status == http.StatusAccepted:
			c.header = jsonHeader()
			c.body = `{"session":"` + testSession + `","seq":7}`
		default:
			c.header = jsonHeader(extraHeaders(http.MethodPost, r.status)...)
			c.body = string(protocol.NewErrorBody(r.code, "see docs/protocol.md"))
		}
		if r.status == http.StatusMethodNotAllowed {
			c.method = http.MethodGet
		}
		cases = append(cases, c)
	}
	cases = append(cases,
		tc{name: "charset parameter", method: http.MethodPost, url: pushURL(), status: http.StatusNotFound,
			header: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
			body:   string(protocol.NewErrorBody(protocol.CodeSessionNotFound, "no open session"))},
		tc{name: "retry-after as date", method: http.MethodPost, url: pushURL(), status: http.StatusTooManyRequests,
			header: jsonHeader("Retry-After", "Wed, 19 Mar 2025 08:00:00 GMT"),
			body:   string(protocol.NewErrorBody(protocol.CodeSessionQueueFull, "queue full"))},
		tc{name: "header keys in lower case", method: http.MethodPost, url: pushURL(), status: http.StatusTooManyRequests,
			header: http.Header{"content-type": {"application/json"}, "retry-after": {"2"}},
			body:   string(protocol.NewErrorBody(protocol.CodeSessionQueueFull, "queue full"))},
		tc{name: "extra field in error body", method: http.MethodPost, url: pushURL(), status: http.StatusUnauthorized,
			header: jsonHeader(), body: `{"error":{"code":"unauthorized","message":"wrong","traceId":"4bf92f35"}}`},
		tc{name: "HEAD answered 405", method: http.MethodHead, url: joinURL(""), status: http.StatusMethodNotAllowed,
			header: jsonHeader("Allow", "GET")},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.url, nil)
			assert.NoError(t, s.ValidateResponse(context.Background(), req, c.status, c.header, []byte(c.body)))
		})
	}
}

func TestValidateResponseRejects(t *testing.T) {
	s := mustDefault(t)
	errBody := func(code protocol.ErrorCode) string { return string(protocol.NewErrorBody(code, "message")) }
	cases := []struct {
		name   string
		method string
		url    string
		status int
		header http.Header
		body   string
		want   error
		where  string
	}{
		{"undeclared status on join", http.MethodGet, joinURL("pattern=%7B%7D"), 502, jsonHeader(), `{"error":{"code":"unavailable","message":"x"}}`, ErrUndeclared, "status"},
		{"500 with another code than internal_error", http.MethodPost, pushURL(), 500, jsonHeader(), errBody(protocol.CodeUnavailable), ErrSchema, "body/error/code"},
		{"200 instead of 202", http.MethodPost, pushURL(), 200, jsonHeader(), `{"session":"` + testSession + `","seq":1}`, ErrUndeclared, "status"},
		{"404 on join", http.MethodGet, joinURL("pattern=%7B%7D"), 404, jsonHeader(), errBody(protocol.CodeSessionNotFound), ErrUndeclared, "status"},
		{"wrong code for 400 on join", http.MethodGet, joinURL(""), 400, jsonHeader(), errBody(protocol.CodeMissingSession), ErrSchema, "body/error/code"},
		{"wrong code for 403", http.MethodGet, joinURL("pattern=%7B%7D"), 403, jsonHeader(), errBody(protocol.CodeUnauthorized), ErrSchema, "body/error/code"},
		{"code unknown to the protocol", http.MethodPost, pushURL(), 404, jsonHeader(), errBody("teapot"), ErrSchema, "body/error/code"},
		{"missing message", http.MethodPost, pushURL(), 404, jsonHeader(), `{"error":{"code":"session_not_found"}}`, ErrSchema, "body/error/message"},
		{"missing Allow on 405", http.MethodPut, joinURL(""), 405, jsonHeader(), errBody(protocol.CodeMethodNotAllowed), ErrHeader, "header Allow"},
		{"wrong Allow on push 405", http.MethodGet, pushURL(), 405, jsonHeader("Allow", "GET"), errBody(protocol.CodeMethodNotAllowed), ErrHeader, "header Allow"},
		{"missing Retry-After on join 429", http.MethodGet, joinURL("pattern=%7B%7D"), 429, jsonHeader(), errBody(protocol.CodeTooManyConnections), ErrHeader, "header Retry-After"},
		{"missing Retry-After on push 429", http.MethodPost, pushURL(), 429, jsonHeader(), errBody(protocol.CodeSessionQueueFull), ErrHeader, "header Retry-After"},
		{"malformed Retry-After", http.MethodPost, pushURL(), 429, jsonHeader("Retry-After", "soon"), errBody(protocol.CodeSessionQueueFull), ErrHeader, "header Retry-After"},
		{"101 without Sec-WebSocket-Accept", http.MethodGet, joinURL("pattern=%7B%7D"), 101, http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}, "", ErrHeader, "header Sec-WebSocket-Accept"},
		{"text/plain error", http.MethodPost, pushURL(), 415, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "unsupported media type\n", ErrContentType, "content type"},
		{"no content type", http.MethodPost, pushURL(), 401, http.Header{}, errBody(protocol.CodeUnauthorized), ErrContentType, "content type"},
		{"malformed body", http.MethodPost, pushURL(), 400, jsonHeader(), `{"error":{"code":"invalid_body"`, ErrMalformed, "body"},
		{"empty error body", http.MethodGet, joinURL("pattern=%7B%7D"), 503, jsonHeader(), ``, ErrMalformed, "body"},
		{"202 with seq 0", http.MethodPost, pushURL(), 202, jsonHeader(), `{"session":"` + testSession + `","seq":0}`, ErrSchema, "body/seq"},
		{"202 with short session", http.MethodPost, pushURL(), 202, jsonHeader(), `{"session":"abc123","seq":3}`, ErrSchema, "body/session"},
		{"202 as a string", http.MethodPost, pushURL(), 202, jsonHeader(), `"queued"`, ErrSchema, "body"},
		{"undeclared method answered 200", http.MethodDelete, pushURL(), 200, jsonHeader(), `{}`, ErrUndeclared, "method"},
		{"undeclared path", http.MethodGet, "http://127.0.0.1:40123/api/v2/websocket", 404, jsonHeader(), errBody(protocol.CodeSessionNotFound), ErrUndeclared, "path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.url, nil)
			err := s.ValidateResponse(context.Background(), req, c.status, c.header, []byte(c.body))
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var wheres []string
			for _, is := range verr.Issues {
				wheres = append(wheres, is.Where)
			}
			assert.Contains(t, wheres, c.where, "issues: %v", verr.Issues)
			assert.NotContains(t, err.Error(), testSession)
		})
	}
}

// TestValidationErrorsHideSecrets checks that no credential or session id
// reaches an error text, even where a value would otherwise be quoted.
func TestValidationErrorsHideSecrets(t *testing.T) {
	s := mustDefault(t)
	secrets := []string{testToken, testSecret, testSession}
	check := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		for _, secret := range secrets {
			assert.NotContains(t, err.Error(), secret)
		}
	}
	t.Run("response to a request with query credentials", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/v1/"+testToken+"?accessToken="+testToken+"&secretKey="+testSecret+"&session="+testSession, nil)
		check(t, s.ValidateResponse(context.Background(), req, 404, jsonHeader(), nil))
	})
	t.Run("push response echoing the session", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, pushURL(), nil)
		req.Header.Set(protocol.HeaderAccessToken, testToken)
		req.Header.Set(protocol.HeaderSecretKey, testSecret)
		check(t, s.ValidateResponse(context.Background(), req, 202, jsonHeader(), []byte(`{"session":"`+testSession+`","seq":"x"}`)))
	})
	t.Run("request with a bad session parameter", func(t *testing.T) {
		bad := testSession + "!!"
		secrets = append(secrets, bad)
		req := httptest.NewRequest(http.MethodPost, protocol.PushPath+"?session="+bad, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set(protocol.HeaderAccessToken, testToken)
		check(t, s.ValidateRequest(context.Background(), req))
	})
	t.Run("frame with a bad session id", func(t *testing.T) {
		check(t, s.ValidateFrame([]byte(`{"type":"session","session":"`+testSession+`!","pattern":[],"heartbeat":30}`)))
	})
}

func upgradeRequest(target string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", testKey)
	req.Header.Set("Sec-WebSocket-Version", "13")
	return req
}

func TestValidateRequest(t *testing.T) {
	s := mustDefault(t)
	withCreds := func(r *http.Request) *http.Request {
		r.Header.Set(protocol.HeaderAccessToken, testToken)
		r.Header.Set(protocol.HeaderSecretKey, testSecret)
		return r
	}
	push := func(contentType, body string) *http.Request {
		r := withCreds(httptest.NewRequest(http.MethodPost, pushURL(), strings.NewReader(body)))
		r.Header.Set("Content-Type", contentType)
		return r
	}
	pattern := "pattern=type%3Djob-join%7Cjob-leave%3Borg%3DIBM"
	cases := []struct {
		name  string
		req   *http.Request
		want  error // nil: valid
		where string
	}{
		{"join with header credentials", withCreds(upgradeRequest(joinURL(pattern))), nil, ""},
		{"join with query credentials", upgradeRequest(joinURL(pattern + "&accessToken=" + testToken + "&secretKey=" + testSecret)), nil, ""},
		{"join without credentials", upgradeRequest(joinURL(pattern)), ErrSecurity, "security"},
		{"join with half the query credentials", upgradeRequest(joinURL(pattern + "&accessToken=" + testToken)), ErrSecurity, "security"},
		{"join without pattern", withCreds(upgradeRequest(joinURL(""))), ErrParameter, "query pattern"},
		{"plain GET", withCreds(httptest.NewRequest(http.MethodGet, joinURL(pattern), nil)), ErrHeader, "header Upgrade"},
		{"push", push("application/json", `{"ticket":"CRM-48213"}`), nil, ""},
		{"push of null", push("application/json", `null`), nil, ""},
		{"push with charset", push("application/json; charset=utf-8", `"moved to Thursday"`), nil, ""},
		{"push without session", withCreds(jsonRequest(http.MethodPost, protocol.PushPath, `{}`)), ErrParameter, "query session"},
		{"push as text", push("text/plain", `{}`), ErrContentType, "content type"},
		{"push of broken JSON", push("application/json", `{"ticket":`), ErrMalformed, "body"},
		{"push of nothing", push("application/json", ``), ErrMalformed, "body"},
		{"push with query credentials", jsonRequest(http.MethodPost, pushURL()+"&accessToken="+testToken+"&secretKey="+testSecret, `{}`), ErrSecurity, "security"},
		{"PUT to push", withCreds(httptest.NewRequest(http.MethodPut, pushURL(), nil)), ErrUndeclared, "method"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.ValidateRequest(context.Background(), c.req)
			if c.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var wheres []string
			for _, is := range verr.Issues {
				wheres = append(wheres, is.Where)
			}
			assert.Contains(t, wheres, c.where, "issues: %v", verr.Issues)
			assert.NotContains(t, err.Error(), testToken)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

func TestValidateRequestKeepsTheBody(t *testing.T) {
	s := mustDefault(t)
	body := `{"ticket":"CRM-48213","owner":"Jonas Weber"}`
	req := httptest.NewRequest(http.MethodPost, pushURL(), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(protocol.HeaderAccessToken, testToken)
	req.Header.Set(protocol.HeaderSecretKey, testSecret)
	require.NoError(t, s.ValidateRequest(context.Background(), req))
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.Equal(t, body, string(got))
}

func jsonRequest(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestValidationErrorUnwrap(t *testing.T) {
	err := error(&ValidationError{Subject: "push frame", Issues: []Issue{
		{Where: "frame/seq", Reason: "number must be at least 1", Err: ErrSchema},
		{Where: "frame/data", Reason: "property \"data\" is missing", Err: ErrSchema},
		{Where: "header Allow", Reason: "required but missing", Err: ErrHeader},
	}})
	assert.ErrorIs(t, err, ErrSchema)
	assert.ErrorIs(t, err, ErrHeader)
	assert.False(t, errors.Is(err, ErrUndeclared))
	assert.Equal(t, `spec: push frame: frame/seq: number must be at least 1; frame/data: property "data" is missing; header Allow: required but missing`, err.Error())
}
