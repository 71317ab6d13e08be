package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// request is one plain HTTP request a check sends.
type request struct {
	step     string // what it does, for evidence and messages
	method   string
	path     string
	rawQuery string
	header   http.Header
	body     []byte
	// upgrade adds the WebSocket upgrade headers.
	upgrade bool
	// noOrigin sends no Origin header, even with Options.Origin set.
	noOrigin bool
}

// response is what came back.
type response struct {
	status int
	header http.Header
	body   []byte
	code   protocol.ErrorCode // error.code of an error body
	msg    string             // error.message of an error body
}

// maxResponseBody bounds what a check reads of a response.
const maxResponseBody = 1 << 20

// credHeader returns the credential headers of creds.
func credHeader(creds protocol.Credentials) http.Header {
	h := http.Header{}
	h.Set(protocol.HeaderAccessToken, creds.AccessToken)
	h.Set(protocol.HeaderSecretKey, creds.SecretKey)
	return h
}

// withOrigin returns h with Options.Origin as its Origin header, as a
// browser page of that origin would send it; h itself when it has an
// Origin already or no origin is configured.
func (c *checkCtx) withOrigin(h http.Header) http.Header {
	if c.opts.Origin == "" || h.Get(protocol.HeaderOrigin) != "" {
		return h
	}
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(protocol.HeaderOrigin, c.opts.Origin)
	return h
}

// setUpgradeHeader adds the headers of a WebSocket upgrade request.
func setUpgradeHeader(h http.Header) {
	h.Set("Connection", "Upgrade")
	h.Set("Upgrade", "websocket")
	h.Set("Sec-WebSocket-Version", "13")
	h.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
}

// do sends a plain HTTP request and passes the answer through observe.
func (c *checkCtx) do(ctx context.Context, rq request) (*response, error) {
	u := c.url(rq.path, rq.rawQuery, false)
	req, err := http.NewRequestWithContext(ctx, rq.method, u.String(), bytes.NewReader(rq.body))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", rq.step, protocol.RedactError(err))
	}
	if rq.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	header := rq.header
	if !rq.noOrigin {
		header = c.withOrigin(header)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if rq.upgrade {
		setUpgradeHeader(req.Header)
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", rq.step, protocol.RedactError(err))
	}
	defer resp.Body.Close()
	var body []byte
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		if err != nil {
			return nil, fmt.Errorf("%s: reading the answer: %s", rq.step, protocol.RedactError(err))
		}
	}
	return c.observe(ctx, rq.step, req, rq.body, resp.StatusCode, resp.Header, body), nil
}

// observe is what happens to every HTTP answer of the run: it is
// validated against the spec (an issue fails the check and names it),
// counted for coverage, searched for echoed credentials and recorded as
// evidence; a 500 fails the check, whatever its request was.
func (c *checkCtx) observe(ctx context.Context, step string, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) *response {
	c.cov.status(req.Method, stripBase(c.base, req.URL.Path), status)
	vreq := req.Clone(ctx)
	vreq.URL = &url.URL{Path: stripBase(c.base, req.URL.Path), RawQuery: req.URL.RawQuery}
	c.schema.record(endpointKey(vreq.URL.Path), c.id, step, c.spec.ValidateResponse(ctx, vreq, status, header, body))
	c.checkEcho(step, header, body)
	resp := &response{status: status, header: header, body: body}
	if status >= 300 {
		if eb, err := protocol.ParseErrorBody(body); err == nil {
			resp.code, resp.msg = eb.Error.Code, eb.Error.Message
		} else {
			// The code alone, when another member is malformed: the
			// schema is judged by SCHEMA-001 and SCHEMA-002.
			var probe struct {
				Error struct {
					Code protocol.ErrorCode `json:"code"`
				} `json:"error"`
			}
			if json.Unmarshal(body, &probe) == nil {
				resp.code = probe.Error.Code
			}
		}
	}
	if status == http.StatusInternalServerError {
		// Declared by the spec for its body's shape, never a right
		// answer (docs/protocol.md §6).
		c.failf("%s: %s: a server error; any 500 fails the check whose request caused it", step, describe(resp))
	}
	repro := c.reproduceHTTP(req.Method, req.URL, req.Header, reqBody)
	if status == http.StatusSwitchingProtocols {
		repro = c.reproduceJoin(req.URL, req.Header)
	}
	c.addEvidence(Evidence{
		Step:      step,
		Request:   c.formatRequest(req.Method, req.URL, req.Header, reqBody),
		Status:    status,
		Response:  c.formatResponse(header, body),
		Reproduce: repro,
	})
	return resp
}

// stripBase removes the target's path prefix, so that the spec's paths
// match.
func stripBase(base *url.URL, p string) string {
	if base.Path != "" && strings.HasPrefix(p, base.Path) {
		return strings.TrimPrefix(p, base.Path)
	}
	return p
}

// checkEcho fails the check when an answer contains a credential the run
// knows, in its headers or its body (docs/protocol.md §2).
func (c *checkCtx) checkEcho(step string, header http.Header, body []byte) {
	var hb strings.Builder
	for k, vs := range header {
		hb.WriteString(k + ": " + strings.Join(vs, ", ") + "\n")
	}
	text := hb.String() + string(body)
	unescaped := text
	if u, err := url.QueryUnescape(text); err == nil {
		unescaped = u
	}
	type named struct{ value, name string }
	var names []named
	add := func(cr protocol.Credentials, tenant string) {
		names = append(names, named{cr.AccessToken, "the " + tenant + " access token"}, named{cr.SecretKey, "the " + tenant + " secret key"})
	}
	add(c.target.Credentials, "main")
	if c.target.Other != nil {
		add(*c.target.Other, "other tenant's")
	}
	if c.target.Forbidden != nil {
		add(*c.target.Forbidden, "forbidden account's")
	}
	add(c.wrong, "wrong")
	for _, n := range names {
		if len(n.value) >= 4 && (strings.Contains(text, n.value) || strings.Contains(unescaped, n.value) || jsonContains(body, n.value)) {
			c.failf("%s: the answer echoes %s (a credential must never appear in a response)", step, n.name)
		}
	}
}

// jsonContains reports whether a JSON body holds s in a string once
// decoded (escapes such as \u0041 hide it from a plain search).
func jsonContains(body []byte, s string) bool {
	if !bytes.Contains(body, []byte(`\u`)) {
		return false
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.Contains(x, s)
		case map[string]any:
			for k, e := range x {
				if strings.Contains(k, s) || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// expectError checks that resp is the error answer e: the status under
// which the spec declares e's code, and that code. It returns false and
// records the problem otherwise.
func (c *checkCtx) expectError(step string, resp *response, e expectation) bool {
	want, err := c.status(e)
	if err != nil {
		c.failf("%s: %v", step, err)
		return false
	}
	switch {
	case resp.status != want:
		c.failf("%s: got %s, want %d %s", step, describe(resp), want, e.code)
		return false
	case resp.code != e.code:
		c.failf("%s: got %d with error code %q, want %d %s", step, resp.status, resp.code, want, e.code)
		return false
	}
	return true
}

// describe names an answer in a message: its status and error code.
func describe(resp *response) string {
	if resp.code != "" {
		return fmt.Sprintf("%d %s", resp.status, resp.code)
	}
	return fmt.Sprintf("%d", resp.status)
}

// endpointKey is the schema log's key of an answer to path.
func endpointKey(path string) string {
	switch path {
	case protocol.JoinPath:
		return "join"
	case protocol.PushPath:
		return "push"
	}
	return "other"
}
