package mockserver

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// TestPushRejections covers every row of PROTOCOL.md section 4 but 202
// and 429, and the order of the checks.
func TestPushRejections(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	_, mine := join(t, srv, "{}")
	_, theirs := joinAs(t, srv, Credential{AccessToken: OtherAccessToken, SecretKey: OtherSecretKey}, "{}")
	closedConn, closed := join(t, srv, "{}")
	require.NoError(t, closedConn.Close())
	waitOpen(t, srv, 2)
	c := httpClient(t)

	big := `"` + strings.Repeat("x", protocol.MaxPushBody-1) + `"` // one byte over
	const unknown = "AAAAAAAAAAAAAAAAAAAAAAAA"
	cases := []struct {
		name    string
		method  string
		session string
		creds   *Credential // nil: demo
		noCreds bool
		queryCr bool        // credentials in the query instead
		extra   http.Header // header values added after the credentials
		ctype   string
		body    string
		chunked bool
		status  int
		code    protocol.ErrorCode
	}{
		{name: "405 GET", method: http.MethodGet, session: mine.Session, body: "", status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "405 before credentials", method: http.MethodPut, noCreds: true, status: 405, code: protocol.CodeMethodNotAllowed},
		{name: "401 missing", session: mine.Session, noCreds: true, body: `{}`, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 query credentials", session: mine.Session, noCreds: true, queryCr: true, body: `{}`, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 wrong secret", session: mine.Session, creds: &Credential{AccessToken: DemoAccessToken, SecretKey: "x"}, body: `{}`, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 secret header repeated with different values", session: mine.Session, extra: http.Header{protocol.HeaderSecretKey: {"wrong-secret"}}, body: `{}`, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 token header repeated with different values", session: mine.Session, extra: http.Header{protocol.HeaderAccessToken: {OtherAccessToken}}, body: `{}`, status: 401, code: protocol.CodeUnauthorized},
		{name: "401 before session parameter", noCreds: true, ctype: "text/plain", status: 401, code: protocol.CodeUnauthorized},
		{name: "400 missing session", body: `{}`, status: 400, code: protocol.CodeMissingSession},
		{name: "400 missing session before content type", ctype: "text/plain", body: big, status: 400, code: protocol.CodeMissingSession},
		{name: "415 text/plain", session: mine.Session, ctype: "text/plain", body: `{}`, status: 415, code: protocol.CodeUnsupportedMediaType},
		{name: "415 no content type", session: mine.Session, ctype: "-", body: `{}`, status: 415, code: protocol.CodeUnsupportedMediaType},
		{name: "415 before size", session: unknown, ctype: "application/x-www-form-urlencoded", body: big, status: 415, code: protocol.CodeUnsupportedMediaType},
		{name: "413 over 64 KiB", session: mine.Session, body: big, status: 413, code: protocol.CodePayloadTooLarge},
		{name: "413 chunked", session: mine.Session, body: big, chunked: true, status: 413, code: protocol.CodePayloadTooLarge},
		{name: "413 before body", session: unknown, body: strings.Repeat("{", protocol.MaxPushBody+1), status: 413, code: protocol.CodePayloadTooLarge},
		{name: "400 empty body", session: mine.Session, body: "", status: 400, code: protocol.CodeInvalidBody},
		{name: "400 white space", session: mine.Session, body: " \n", status: 400, code: protocol.CodeInvalidBody},
		{name: "400 not JSON", session: mine.Session, body: `{"a":`, status: 400, code: protocol.CodeInvalidBody},
		{name: "400 two values", session: mine.Session, body: `{} {}`, status: 400, code: protocol.CodeInvalidBody},
		{name: "400 before session lookup", session: unknown, body: `nope`, status: 400, code: protocol.CodeInvalidBody},
		{name: "400 invalid UTF-8", session: mine.Session, body: "{\"a\":\"\xff\"}", status: 400, code: protocol.CodeInvalidBody},
		{name: "400 UTF-8 surrogate", session: mine.Session, body: "\"\xed\xa0\x80\"", status: 400, code: protocol.CodeInvalidBody},
		{name: "400 invalid UTF-8 before session lookup", session: unknown, body: "\"\xc0\xaf\"", status: 400, code: protocol.CodeInvalidBody},
		{name: "400 nested 129 deep", session: mine.Session, body: deep(protocol.MaxNesting + 1), status: 400, code: protocol.CodeInvalidBody},
		{name: "400 nested 10,000 deep", session: mine.Session, body: deep(10000), status: 400, code: protocol.CodeInvalidBody},
		{name: "404 unknown session", session: unknown, body: `{}`, status: 404, code: protocol.CodeSessionNotFound},
		{name: "404 another token's session", session: theirs.Session, body: `{}`, status: 404, code: protocol.CodeSessionNotFound},
		{name: "404 closed session", session: closed.Session, body: `{}`, status: 404, code: protocol.CodeSessionNotFound},
		{name: "404 forbidden account", session: mine.Session, creds: &Credential{AccessToken: ForbiddenAccessToken, SecretKey: ForbiddenSecretKey}, body: `{}`, status: 404, code: protocol.CodeSessionNotFound},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			cred := demo
			if tt.creds != nil {
				cred = *tt.creds
			}
			req := pushRequest(t, srv, tt.session, cred, tt.body)
			if tt.method != "" {
				req.Method = tt.method
			}
			if tt.noCreds {
				req.Header.Del(protocol.HeaderAccessToken)
				req.Header.Del(protocol.HeaderSecretKey)
			}
			for k, vs := range tt.extra {
				for _, v := range vs {
					req.Header.Add(k, v)
				}
			}
			if tt.queryCr {
				q := req.URL.Query()
				q.Set("accessToken", DemoAccessToken)
				q.Set("secretKey", DemoSecretKey)
				req.URL.RawQuery = q.Encode()
			}
			switch tt.ctype {
			case "":
			case "-":
				req.Header.Del("Content-Type")
			default:
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.chunked {
				req.Body = io.NopCloser(io.MultiReader(strings.NewReader(tt.body)))
				req.ContentLength = -1
			}
			resp, body := do(t, c, req)
			require.Equal(t, tt.status, resp.StatusCode, "body %s", body)
			assert.Equal(t, tt.code, errorCode(t, body))
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			if tt.status == 405 {
				assert.Equal(t, "POST", resp.Header.Get("Allow"))
			}
			for _, id := range []string{mine.Session, theirs.Session, closed.Session} {
				assert.NotContains(t, string(body), id)
			}
		})
	}
}

// TestPushAccepted pushes values of every JSON type and checks the 202
// body and the push frames: data unchanged, seq shared with triggers.
func TestPushAccepted(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	conn, sf := join(t, srv, `{"org":"IBM"}`)
	c := httpClient(t)
	values := []string{`{"ticket":"CRM-1","n":[1,2.50,{"x":null}]}`, `[1,"two"]`, `"text"`, `12.50`, `true`, `null`,
		`"` + strings.Repeat("y", protocol.MaxPushBody-2) + `"`, // exactly 64 KiB
		deep(protocol.MaxNesting)}                               // as deep as allowed
	var want []string
	for i, v := range values {
		if i == 2 {
			n, err := srv.Inject([]byte(ibmJoin))
			require.NoError(t, err)
			require.Equal(t, 1, n)
			want = append(want, "trigger")
		}
		seq := push(t, c, srv, sf.Session, v)
		assert.Equal(t, uint64(len(want)+1), seq)
		want = append(want, v)
	}
	for i, w := range want {
		f := readFrame(t, conn)
		assert.Equal(t, uint64(i+1), f.Seq, "seq")
		if w == "trigger" {
			assert.Equal(t, protocol.FrameTrigger, f.Type)
			assert.JSONEq(t, ibmJoin, string(f.Event))
			continue
		}
		assert.Equal(t, protocol.FramePush, f.Type)
		assert.Equal(t, w, string(f.Data), "data unchanged")
	}
	req := pushRequest(t, srv, sf.Session, demo, `"charset"`)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, body := do(t, c, req)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, string(body))
	assert.Equal(t, `"charset"`, string(readFrame(t, conn).Data))
	assert.Equal(t, uint64(len(values)+1), srv.Stats().Pushes[202])
}

// deep is a JSON value n arrays deep.
func deep(n int) string { return strings.Repeat("[", n) + "0" + strings.Repeat("]", n) }

// TestRejectedBodiesLeaveTheSessionUsable sends bodies the protocol
// refuses: each gets 400 invalid_body, takes no seq, and the session
// goes on taking pushes.
func TestRejectedBodiesLeaveTheSessionUsable(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{HoldReplay: true})
	conn, sf := join(t, srv, `{"org":"nobody"}`)
	c := httpClient(t)
	for _, bad := range []string{"\"\xff\"", deep(protocol.MaxNesting + 1), `{"a":`} {
		resp, body := do(t, c, pushRequest(t, srv, sf.Session, demo, bad))
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, string(body))
		assert.Equal(t, protocol.CodeInvalidBody, errorCode(t, body))
	}
	assert.Equal(t, uint64(1), push(t, c, srv, sf.Session, `{"after":"the refusals"}`), "a refused push takes no seq")
	f := readFrame(t, conn)
	assert.Equal(t, uint64(1), f.Seq)
	assert.JSONEq(t, `{"after":"the refusals"}`, string(f.Data))
}

// TestPushQueueFull fills a session's queue while its writer is stalled:
// pushes get 429 with Retry-After and are not queued; after the stall
// every accepted push arrives, in order and without a gap.
func TestPushQueueFull(t *testing.T) {
	t.Parallel()
	const size = 4
	srv := startServer(t, &Options{QueueSize: size, Faults: Faults{Stall: Stall{Duration: time.Hour}}})
	conn, sf := join(t, srv, "{}")
	c := httpClient(t)
	accepted := 0
	var resp *http.Response
	var body []byte
	for range size + 3 {
		resp, body = do(t, c, pushRequest(t, srv, sf.Session, demo, `{"n":`+strconv.Itoa(accepted+1)+`}`))
		if resp.StatusCode != http.StatusAccepted {
			break
		}
		accepted++
	}
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "body %s", body)
	assert.Equal(t, protocol.CodeSessionQueueFull, errorCode(t, body))
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	// The writer may have taken the first frame off the queue to wait
	// out the stall.
	assert.GreaterOrEqual(t, accepted, size)
	assert.LessOrEqual(t, accepted, size+1)

	require.NoError(t, srv.SetFaults(Faults{}))
	for i := 1; i <= accepted; i++ {
		f := readFrame(t, conn)
		assert.Equal(t, uint64(i), f.Seq)
		assert.JSONEq(t, `{"n":`+strconv.Itoa(i)+`}`, string(f.Data))
	}
	// The session is still open and takes pushes again.
	assert.Equal(t, uint64(accepted+1), push(t, c, srv, sf.Session, `1`))
	assert.Equal(t, uint64(accepted+1), readFrame(t, conn).Seq)
	assert.Equal(t, uint64(1), srv.Stats().Pushes[429])
	assert.Zero(t, srv.Stats().Dropped)
}

// TestStalledBody: a push or control request whose body stalls is
// answered 400 once the request timeout has passed, instead of holding
// its handler for good.
func TestStalledBody(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{requestTimeout: 200 * time.Millisecond})
	_, sf := join(t, srv, "{}")
	// The stalls wait out the request timeout side by side, in a group
	// that ends before the check of the session below.
	t.Run("stalled", func(t *testing.T) {
		for _, tt := range []struct {
			name, method, target string
			header               http.Header
		}{
			{"push", http.MethodPost, protocol.PushPath + "?session=" + sf.Session, credHeader(demo)},
			{"control triggers", http.MethodPost, ControlPrefix + "triggers", nil},
			{"control faults", http.MethodPut, ControlPrefix + "faults", nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				nc, err := net.Dial("tcp", srv.Addr().String())
				require.NoError(t, err)
				defer nc.Close()
				var req bytes.Buffer
				fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\nContent-Length: 100\r\n", tt.method, tt.target)
				require.NoError(t, tt.header.Write(&req))
				req.WriteString("\r\n" + `{"partial":`) // and nothing more
				_, err = nc.Write(req.Bytes())
				require.NoError(t, err)
				require.NoError(t, nc.SetReadDeadline(time.Now().Add(waitTimeout)))
				resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
				require.NoError(t, err, "no answer while the body stalls")
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
				assert.Equal(t, protocol.CodeInvalidBody, errorCode(t, body))
			})
		}
	})
	assert.Equal(t, 1, srv.Stats().OpenSessions, "the session is not held to the request timeout")
}

func TestQueryValue(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"session=abc", "session=a%2Bb", "x=1&session=abc&session=def", "session=", "other=1",
		"", "session", "sess%69on=abc", "session=a+b", "session=%zz&session=ok", "a;b=1&session=s",
		"session=a;b&session=ok", "%zz=1&session=s", "session=%E2%9C%93",
	} {
		q, _ := url.ParseQuery(raw) // the reference, errors and all
		assert.Equal(t, q.Get(protocol.QuerySession), queryValue(raw, protocol.QuerySession), raw)
	}
}
