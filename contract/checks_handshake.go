package contract

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// firstFrameWait bounds how long HS-001 waits for a frame after the 101.
const firstFrameWait = 2 * time.Second

func handshakeChecks() []checkDef {
	return []checkDef{
		{Check: Check{ID: "HS-001", Title: "a join upgrades with 101 and the right Upgrade, Connection and Sec-WebSocket-Accept",
			Group: "handshake", Level: LevelMust, Section: "docs/protocol.md §3",
			SpecRef: "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses/101"}, run: checkUpgrade},
		{Check: Check{ID: "HS-002", Title: "rejections are plain HTTP before any upgrade, never a 101 followed by a close",
			Group: "handshake", Level: LevelMust, Section: "docs/protocol.md §3",
			SpecRef: "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses"}, run: checkRejectBeforeUpgrade},
	}
}

// rawExchange is a handshake written and read by hand on a TCP
// connection, so that a 101's headers and what follows it can be seen.
type rawExchange struct {
	conn net.Conn
	br   *bufio.Reader
	resp *http.Response
	body []byte
	key  string
}

// rawJoin sends a hand-written join request and reads the answer.
func (c *checkCtx) rawJoin(ctx context.Context, step, rawQuery string, header http.Header) (*rawExchange, *response, error) {
	u := c.url(protocol.JoinPath, rawQuery, false)
	if c.proxied {
		return nil, nil, skipf(skipProxied)
	}
	conn, err := c.netDial(ctx, hostPort(u.Host, u.Scheme))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", step, err)
	}
	if u.Scheme == "https" {
		_ = conn.Close()
		return nil, nil, skipf("raw handshakes need plain HTTP; the target uses https")
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	key := base64.StdEncoding.EncodeToString([]byte(rand.Text()[:16]))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	for k, vs := range c.withHeader(c.withOrigin(header)) {
		req.Header[k] = vs
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", key)
	if err := req.Write(conn); err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("%s: writing the request: %v", step, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("%s: reading the answer: %v", step, err)
	}
	x := &rawExchange{conn: conn, br: br, resp: resp, key: key}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		x.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	}
	r := c.observe(ctx, step, req, nil, resp.StatusCode, resp.Header, x.body)
	return x, r, nil
}

func hostPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if scheme == "https" {
		return host + ":443"
	}
	return host + ":80"
}

// readFrame reads one server frame off a raw connection: its opcode and
// payload (at most 1 MiB).
func (x *rawExchange) readFrame() (opcode byte, payload []byte, err error) {
	var hdr [2]byte
	if _, err := io.ReadFull(x.br, hdr[:]); err != nil {
		return 0, nil, err
	}
	if hdr[1]&0x80 != 0 {
		return 0, nil, fmt.Errorf("the server masked its frame (RFC 6455 §5.1 forbids it)")
	}
	n := uint64(hdr[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		if _, err := io.ReadFull(x.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		if _, err := io.ReadFull(x.br, ext[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(ext[:])
	}
	if n > 1<<20 {
		return 0, nil, fmt.Errorf("a frame of %d bytes", n)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(x.br, payload); err != nil {
		return 0, nil, err
	}
	return hdr[0] & 0x0f, payload, nil
}

// skipProxied is the reason a check that writes its own requests is
// skipped on a target reached through a proxy.
const skipProxied = "hand-written requests go straight to the target, which is reached through a proxy ($HTTPS_PROXY or $HTTP_PROXY)"

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

func checkUpgrade(ctx context.Context, c *checkCtx) error {
	step := "hand-written join with valid header credentials and pattern {}"
	x, resp, err := c.rawJoin(ctx, step, joinQuery("{}"), credHeader(c.target.Credentials))
	if err != nil {
		return err
	}
	defer x.conn.Close()
	want, err := c.success(joinEP)
	if err != nil {
		return err
	}
	if resp.status != want {
		return fmt.Errorf("%s: got %s, want %d", step, describe(resp), want)
	}
	h := x.resp.Header
	if !protocol.HeaderHasToken(h, "Upgrade", "websocket") {
		c.failf("%s: the 101 has Upgrade %q, want websocket", step, h.Get("Upgrade"))
	}
	if !protocol.HeaderHasToken(h, "Connection", "upgrade") {
		c.failf("%s: the 101 has Connection %q, want Upgrade", step, h.Get("Connection"))
	}
	if got, want := h.Get("Sec-WebSocket-Accept"), acceptKey(x.key); got != want {
		c.failf("%s: the 101 has Sec-WebSocket-Accept %q, want %q (RFC 6455 §4.2.2)", step, got, want)
	}
	// The first frame must be a well-formed, unmasked text frame. Whether
	// it comes at all is SESS-001's rule, so a short wait is enough here.
	_ = x.conn.SetReadDeadline(time.Now().Add(firstFrameWait))
	op, payload, err := x.readFrame()
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		c.note("first frame after the 101", fmt.Sprintf("none within %v; SESS-001 judges the session frame", firstFrameWait))
		return nil
	case err != nil:
		c.failf("%s: reading the first frame after the 101: %v", step, err)
		return nil
	}
	var probe struct {
		Session string `json:"session"`
	}
	if json.Unmarshal(payload, &probe) == nil {
		c.red.AddSession(probe.Session)
	}
	c.addEvidence(Evidence{Step: "first frame after the 101", Frames: []string{c.showFrame(payload)}})
	if op != 1 {
		c.failf("%s: the first frame after the 101 has opcode %d, want a text frame (1)", step, op)
	}
	return nil
}

func checkRejectBeforeUpgrade(ctx context.Context, c *checkCtx) error {
	cases := []struct {
		step   string
		query  string
		header http.Header
	}{
		{"hand-written join with a wrong secret key", joinQuery("{}"),
			credHeader(protocol.Credentials{AccessToken: c.target.Credentials.AccessToken, SecretKey: c.wrong.SecretKey})},
		{"hand-written join without credentials", joinQuery("{}"), nil},
		{"hand-written join without a pattern", "", credHeader(c.target.Credentials)},
		{"hand-written join with an invalid pattern", joinQuery(`{"type":`), credHeader(c.target.Credentials)},
	}
	for _, tc := range cases {
		x, resp, err := c.rawJoin(ctx, tc.step, tc.query, tc.header)
		if err != nil {
			return err
		}
		if resp.status == http.StatusSwitchingProtocols {
			note := "kept the connection open"
			_ = x.conn.SetReadDeadline(time.Now().Add(time.Second))
			if op, payload, err := x.readFrame(); err == nil && op == 8 && len(payload) >= 2 {
				note = fmt.Sprintf("then closed with code %d", binary.BigEndian.Uint16(payload))
			} else if err == nil {
				note = "then sent a frame"
			}
			c.failf("%s: answered 101 Switching Protocols and %s, instead of a plain HTTP error before the upgrade", tc.step, note)
		} else if resp.status < 400 || resp.code == "" {
			c.failf("%s: got %s, want a 4xx error with an error body", tc.step, describe(resp))
		}
		_ = x.conn.Close()
	}
	return nil
}
