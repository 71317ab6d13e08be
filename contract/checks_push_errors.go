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
