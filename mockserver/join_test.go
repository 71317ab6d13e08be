package mockserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestJoinRejections covers every rejection row of PROTOCOL.md sections 2
// and 3, and the order of the checks, against the running mock.
func TestJoinRejections(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{
		AllowedOrigins: []string{"https://crm.example.com"},
		Credentials: append(DefaultCredentials(),
			Credential{AccessToken: "limited-token", SecretKey: "limited-secret", MaxSessions: 1}),
	})
	limited := Credential{AccessToken: "limited-token", SecretKey: "limited-secret"}
	joinAs(t, srv, limited, "{}") // holds the limited token's one session
	c := httpClient(t)
	q := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	wrong := Credential{AccessToken: DemoAccessToken, SecretKey: "wrong-secret"}
	forbidden := Credential{AccessToken: ForbiddenAccessToken, SecretKey: ForbiddenSecretKey}
	cases := []struct {
		name    string
		method  string
		plain   bool // no upgrade headers
		query   url.Values
		header  http.Header
		origin  string
		status  int
		code    protocol.ErrorCode
		message string // a part of the message
	}{
		{name: "405 POST", method: http.MethodPost, query: q("pattern", "{}"), header: credHeader(demo), status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "405 before everything", method: http.MethodDelete, plain: true, origin: "https://evil.example", status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "426 plain GET", plain: true, query: q("pattern", "{}"), header: credHeader(demo), status: 426, code: protocol.CodeUpgradeRequired},
		{name: "426 before origin and credentials", plain: true, origin: "https://evil.example", status: 426, code: protocol.CodeUpgradeRequired},
		{name: "403 origin", query: q("pattern", "{}"), header: credHeader(demo), origin: "https://evil.example", status: 403, code: protocol.CodeForbiddenOrigin},
		{name: "403 origin before credentials", origin: "https://evil.example", status: 403, code: protocol.CodeForbiddenOrigin},
		{name: "401 missing", query: q("pattern", "{}"), status: 401, code: protocol.CodeUnauthorized, message: "required"},
		{name: "401 secret only", query: q("pattern", "{}", "secretKey", DemoSecretKey), status: 401, code: protocol.CodeUnauthorized},
		{name: "401 wrong secret", query: q("pattern", "{}"), header: credHeader(wrong), status: 401, code: protocol.CodeUnauthorized, message: "wrong"},
		{name: "401 unknown token", query: q("pattern", "{}"), header: credHeader(Credential{AccessToken: "nobody", SecretKey: "x"}), status: 401, code: protocol.CodeUnauthorized},
		{name: "401 wrong query secret", query: q("pattern", "{}", "accessToken", DemoAccessToken, "secretKey", "nope"), status: 401, code: protocol.CodeUnauthorized},
		{name: "401 header and query differ", query: q("pattern", "{}", "accessToken", OtherAccessToken, "secretKey", OtherSecretKey), header: credHeader(demo), status: 401, code: protocol.CodeUnauthorized, message: "differ"},
		{name: "401 query token repeated with different values", query: url.Values{"pattern": {"{}"}, "accessToken": {DemoAccessToken, OtherAccessToken}, "secretKey": {DemoSecretKey}}, status: 401, code: protocol.CodeUnauthorized, message: "more than once"},
		{name: "401 secret header repeated with different values", query: q("pattern", "{}"), header: http.Header{protocol.HeaderAccessToken: {DemoAccessToken}, protocol.HeaderSecretKey: {DemoSecretKey, "wrong-secret"}}, status: 401, code: protocol.CodeUnauthorized, message: "more than once"},
		{name: "401 repeated, the first value wrong", query: url.Values{"pattern": {"{}"}, "accessToken": {DemoAccessToken}, "secretKey": {"wrong-secret", DemoSecretKey}}, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 before pattern", status: 401, code: protocol.CodeUnauthorized},
		{name: "403 forbidden account", query: q("pattern", "{}"), header: credHeader(forbidden), status: 403, code: protocol.CodeForbidden},
		{name: "403 before pattern", header: credHeader(forbidden), status: 403, code: protocol.CodeForbidden},
		{name: "400 missing pattern", header: credHeader(demo), status: 400, code: protocol.CodeMissingPattern},
		{name: "400 missing pattern before limits", header: credHeader(limited), status: 400, code: protocol.CodeMissingPattern},
		{name: "400 invalid pattern names the field", query: q("pattern", `{"type":[{"regex":"job-.*"}]}`), header: credHeader(demo), status: 400, code: protocol.CodeInvalidPattern, message: `field "type"`},
		{name: "400 empty pattern", query: q("pattern", ""), header: credHeader(demo), status: 400, code: protocol.CodeInvalidPattern},
		{name: "400 invalid rule", query: q("pattern", "type"), header: credHeader(demo), status: 400, code: protocol.CodeInvalidPattern},
		{name: "429 session limit", query: q("pattern", "{}"), header: credHeader(limited), status: 429, code: protocol.CodeTooManyConnections},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := upgradeRequest(t, method, srv.URL, tt.query, tt.header)
			if tt.plain {
				for _, h := range []string{"Connection", "Upgrade", "Sec-WebSocket-Version", "Sec-WebSocket-Key"} {
					req.Header.Del(h)
				}
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			resp, body := do(t, c, req)
			require.Equal(t, tt.status, resp.StatusCode, "body %s", body)
			assert.Equal(t, tt.code, errorCode(t, body))
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			eb, err := protocol.ParseErrorBody(body)
			require.NoError(t, err)
			assert.Contains(t, eb.Error.Message, tt.message)
			switch tt.status {
			case 405:
				assert.Equal(t, "GET", resp.Header.Get("Allow"))
			case 429:
				ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
				require.NoError(t, err)
				assert.Positive(t, ra)
			}
			for _, secret := range []string{DemoSecretKey, OtherSecretKey, ForbiddenSecretKey, "wrong-secret", "limited-secret"} {
				assert.NotContains(t, string(body), secret)
			}
		})
	}
	st := srv.Stats()
	assert.Equal(t, uint64(1), st.Joins)
	assert.Equal(t, uint64(10), st.RejectedJoins[401])
	assert.Equal(t, uint64(1), st.RejectedJoins[429])
}

// TestJoinAccepted covers the successful joins: header and query
// credentials, both forms agreeing, allowed origins, the session frame.
func TestJoinAccepted(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{AllowedOrigins: []string{"https://CRM.example.com"}, Heartbeat: 1500 * time.Millisecond})
	cases := []struct {
		name    string
		query   url.Values
		header  http.Header
		pattern string
		canon   string
	}{
		{"headers, JSON form", nil, credHeader(demo), `{"type":["job-join","job-leave"],"org":["IBM"]}`, `{"org":"IBM","type":["job-join","job-leave"]}`},
		{"query credentials, rule form", url.Values{"accessToken": {DemoAccessToken}, "secretKey": {DemoSecretKey}}, nil, "type=job-join|job-leave;org=IBM", `{"org":"IBM","type":["job-join","job-leave"]}`},
		{"both forms agree", url.Values{"accessToken": {DemoAccessToken}, "secretKey": {DemoSecretKey}}, credHeader(demo), "{}", "{}"},
		{"a query credential repeated with the same value", url.Values{"accessToken": {DemoAccessToken, DemoAccessToken}, "secretKey": {DemoSecretKey}}, nil, "{}", "{}"},
		{"mixed forms", url.Values{"secretKey": {DemoSecretKey}}, http.Header{protocol.HeaderAccessToken: {DemoAccessToken}}, "{}", "{}"},
		{"allowed origin", nil, http.Header{protocol.HeaderAccessToken: {DemoAccessToken}, protocol.HeaderSecretKey: {DemoSecretKey}, "Origin": {"https://crm.example.com"}}, "{}", "{}"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"pattern": {tt.pattern}}
			for k, v := range tt.query {
				q[k] = v
			}
			conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, q), tt.header)
			require.NoError(t, err)
			defer conn.Close()
			require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
			validate(t, resp.Request, resp, nil)
			f := readFrame(t, conn)
			assert.Equal(t, protocol.FrameSession, f.Type)
			assert.Regexp(t, protocol.SessionIDPattern, f.Session)
			assert.GreaterOrEqual(t, len(f.Session), 22)
			assert.JSONEq(t, tt.canon, string(f.Pattern))
			assert.Equal(t, 2, f.Heartbeat, "1.5s is announced rounded up")
		})
	}
}

// TestJoinUnavailable sees 503 once the server is shutting down, through
// the handler mounted in another server (the mock's own listener is
// closed by then).
func TestJoinUnavailable(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	front := httptest.NewServer(srv.Handler())
	defer front.Close()
	require.NoError(t, srv.Shutdown(context.Background()))
	c := httpClient(t)
	resp, body := do(t, c, upgradeRequest(t, http.MethodGet, front.URL, url.Values{"pattern": {"{}"}}, credHeader(demo)))
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, protocol.CodeUnavailable, errorCode(t, body))
	assert.Equal(t, uint64(1), srv.Stats().RejectedJoins[503])
}

// TestJoinHandlerReturns: the join handler returns once the session
// runs, so that net/http lets go of the connection's buffers; the
// session goes on in goroutines of its own.
func TestJoinHandlerReturns(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	returned := make(chan struct{}, 1)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.Handler().ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	t.Cleanup(front.Close)
	u := "ws" + strings.TrimPrefix(front.URL, "http") + protocol.JoinPath + "?" + url.Values{"pattern": {"{}"}}.Encode()
	conn, _, err := websocket.DefaultDialer.Dial(u, credHeader(demo))
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, protocol.FrameSession, readFrame(t, conn).Type)
	select {
	case <-returned:
	case <-time.After(waitTimeout):
		t.Fatal("the join handler has not returned")
	}
	assert.Equal(t, 1, srv.Stats().OpenSessions)
	_, err = srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), readFrame(t, conn).Seq)
	require.NoError(t, conn.Close())
	waitOpen(t, srv, 0)
}

func TestHeartbeatSeconds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   float64 // seconds
		want int
	}{{0.001, 1}, {0.1, 1}, {1, 1}, {1.001, 2}, {30, 30}} {
		assert.Equal(t, tt.want, heartbeatSeconds(time.Duration(tt.in*float64(time.Second))), "%vs", tt.in)
	}
}
