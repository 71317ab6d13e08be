package contract

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

func checkPushMissingSession(ctx context.Context, c *checkCtx) error {
	for _, q := range []string{"", "session=", "foo=bar"} {
		step := "push with query " + fmt.Sprintf("%q", q)
		h := credHeader(c.target.Credentials)
		h.Set("Content-Type", "application/json")
		resp, err := c.do(ctx, request{step: step, method: http.MethodPost, path: protocol.PushPath, rawQuery: q, header: h, body: []byte(`{"a":1}`)})
		if err != nil {
			return err
		}
		c.expectError(step, resp, expPushMissingSession)
	}
	return nil
}

func checkPushInvalidBody(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for _, tc := range []struct{ kind, body string }{
		{"an empty body", ""},
		{"truncated JSON", `{"a":`},
		{"two JSON values", `1 2`},
		{"plain text", `hello`},
	} {
		step := "push with " + tc.kind
		resp, err := c.pushReq(ctx, step, c.target.Credentials, s.id, []byte(tc.body))
		if err != nil {
			return err
		}
		c.expectError(step, resp, expPushInvalidBody)
	}
	return nil
}

// checkPushInvalidUTF8 pushes bodies that are JSON but for bytes that
// are not UTF-8. A server that took one would send it on in a text
// frame, which RFC 6455 forbids and standard clients close the session
// over. Then a valid push must be the session's seq 1: a refused push
// queues no frame, so it takes no seq.
func checkPushInvalidUTF8(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	accepted := false
	for _, tc := range []struct{ kind, body string }{
		{"a byte 0xFF in a string", "{\"note\":\"caf\xff\"}"},
		{"an overlong encoding of '/'", "{\"path\":\"a\xc0\xafb\"}"},
		{"a UTF-16 surrogate encoded as UTF-8", "\"\xed\xa0\x80\""},
		{"a sequence cut short", "[\"\xe2\x82\"]"},
	} {
		step := "push " + tc.kind
		resp, err := c.pushReq(ctx, step, c.target.Credentials, s.id, []byte(tc.body))
		if err != nil {
			return err
		}
		if resp.status == http.StatusAccepted {
			accepted = true
			c.failf("%s: accepted with 202; the value would go out in a text frame, which must be UTF-8 (RFC 6455), and standard clients end the session over it", step)
			continue
		}
		c.expectError(step, resp, expPushInvalidBody)
	}
	if accepted {
		return nil // the session holds frames no client should read
	}
	body := []byte(`{"after":"the refused pushes"}`)
	seq, err := c.push(ctx, "push a valid value after the refused ones", s, body)
	if err != nil {
		return err
	}
	if seq != 1 {
		c.failf("the first push accepted has seq %d, want 1: refused pushes queue no frame, so they take no seq (the client would see a gap)", seq)
	}
	f, err := s.nextPush(ctx)
	if err != nil {
		return err
	}
	if f.Seq != seq {
		c.failf("the push frame has seq %d, but the 202 said seq %d", f.Seq, seq)
	}
	s.frameEvidence("")
	return nil
}

// checkPushNesting pushes a value as deep as allowed, which must arrive
// unchanged, then values one level deeper and far deeper, which must be
// refused: a frame deeper than a client's decoder allows ends the
// session at the client.
func checkPushNesting(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	deepest := nestedValue(protocol.MaxNesting)
	step := fmt.Sprintf("push a value nested %d deep", protocol.MaxNesting)
	resp, err := c.pushReq(ctx, step, c.target.Credentials, s.id, deepest)
	if err != nil {
		return err
	}
	if resp.status != http.StatusAccepted {
		c.failf("%s: got %s, want 202: %d levels are allowed", step, describe(resp), protocol.MaxNesting)
	} else {
		f, err := s.nextPush(ctx)
		if err != nil {
			return err
		}
		if d := compareValues(deepest, f.Data); d != nil && d.must {
			c.failf("%s: the push frame carries another value: %s", step, d.what)
		}
	}
	for _, depth := range []int{protocol.MaxNesting + 1, 10_000} {
		step := fmt.Sprintf("push a value nested %d deep", depth)
		resp, err := c.pushReq(ctx, step, c.target.Credentials, s.id, nestedValue(depth))
		if err != nil {
			return err
		}
		if resp.status == http.StatusAccepted {
			c.failf("%s: accepted with 202, but at most %d levels are allowed", step, protocol.MaxNesting)
			continue
		}
		c.expectError(step, resp, expPushInvalidBody)
	}
	return nil
}

// nestedValue is a JSON value depth levels deep, objects and arrays in
// turn, with a number at the bottom.
func nestedValue(depth int) []byte {
	var b strings.Builder
	for i := range depth {
		if i%2 == 0 {
			b.WriteString(`{"a":`)
		} else {
			b.WriteString(`[`)
		}
	}
	b.WriteString("1")
	for i := depth - 1; i >= 0; i-- {
		if i%2 == 0 {
			b.WriteString(`}`)
		} else {
			b.WriteString(`]`)
		}
	}
	return []byte(b.String())
}

// randomSessionID returns a well-formed id no server has issued.
func randomSessionID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func checkPushUnknown(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct{ kind, id string }{
		{"a well-formed unknown session id", randomSessionID()},
		{"a malformed session id", "not-a-session"},
	} {
		c.red.AddSession(tc.id)
		step := "push to " + tc.kind
		resp, err := c.pushReq(ctx, step, c.target.Credentials, tc.id, []byte(`{"a":1}`))
		if err != nil {
			return err
		}
		c.expectError(step, resp, expPushNotFound)
	}
	return nil
}

func checkPushMethods(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		step := m + " on the push endpoint"
		h := credHeader(c.target.Credentials)
		h.Set("Content-Type", "application/json")
		resp, err := c.do(ctx, request{step: step, method: m, path: protocol.PushPath,
			rawQuery: "session=" + s.id, header: h, body: []byte(`{"a":1}`)})
		if err != nil {
			return err
		}
		if c.expectError(step, resp, expPushMethod) && !protocol.HeaderHasToken(resp.header, "Allow", http.MethodPost) {
			c.failf("%s: the 405 has Allow %q, want POST", step, resp.header.Get("Allow"))
		}
	}
	return nil
}

func checkPushTooLarge(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	body := `{"pad":"` + strings.Repeat("x", protocol.MaxPushBody+1-len(`{"pad":""}`)) + `"}`
	resp, err := c.pushReq(ctx, "push a JSON body of 64 KiB + 1 byte", c.target.Credentials, s.id, []byte(body))
	if err != nil {
		return err
	}
	c.expectError("push a JSON body of 64 KiB + 1 byte", resp, expPushTooLarge)
	return nil
}

func checkPushMediaType(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		step := fmt.Sprintf("push with Content-Type %q", ct)
		h := credHeader(c.target.Credentials)
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		resp, err := c.do(ctx, request{step: step, method: http.MethodPost, path: protocol.PushPath,
			rawQuery: "session=" + s.id, header: h, body: []byte(`{"a":1}`)})
		if err != nil {
			return err
		}
		c.expectError(step, resp, expPushUnsupportedMedia)
	}
	return nil
}

func checkPushAfterClose(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	if _, err := c.push(ctx, "push while the session is open", s, []byte(`{"open":true}`)); err != nil {
		return err
	}
	s.close()
	// The server may take a moment to forget the session: retry while it
	// still accepts, within a bound.
	want, err := c.status(expPushNotFound)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Second)
	for attempt := 1; ; attempt++ {
		resp, err := c.pushReq(ctx, fmt.Sprintf("push after the session was closed (attempt %d)", attempt), c.target.Credentials, s.id, []byte(`{"closed":true}`))
		if err != nil {
			return err
		}
		if resp.status == want || time.Now().After(deadline) {
			c.expectError("push after the session was closed", resp, expPushNotFound)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func checkPushOtherTenant(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join as the main tenant with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	resp, err := c.pushReq(ctx, "push into it with the other tenant's credentials", *c.target.Other, s.id, []byte(`{"intruder":true}`))
	if err != nil {
		return err
	}
	c.expectError("push into another tenant's session", resp, expPushNotFound)
	// A push of the owner after it: the first push frame must be the
	// owner's, or the intruder's push was delivered.
	if _, err := c.push(ctx, "push into it as its owner", s, []byte(`{"owner":true}`)); err != nil {
		return err
	}
	f, err := s.nextPush(ctx)
	if err != nil {
		return err
	}
	if !sameValue(f.Data, []byte(`{"owner":true}`)) {
		c.failf("the other tenant's push was delivered into the session: %s", c.showFrame(f.Data))
	}
	return nil
}
