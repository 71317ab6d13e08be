package contract

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// The CORS checks (docs/protocol.md §4.1): a browser page on another origin
// pushes with the X-API-* headers, so its browser sends a preflight first,
// and hides from the page every answer that lacks
// Access-Control-Allow-Origin.

const preflightRef = "openapi.yaml#/paths/~1api~1v1~1websocket~1session/options/responses/"

// arbitraryOrigin is the page origin of the CORS checks when
// Options.Origin is not set: any origin must be able to push to a target
// without an allow-list. anotherOrigin is a second one, so that a target
// that always names the same origin is caught.
const (
	arbitraryOrigin = "https://page.wstrigger-contract.example"
	anotherOrigin   = "http://127.0.0.1:5173"
)

// preflightRequestHeaders is the Access-Control-Request-Headers a
// browser sends before a push: the non-safelisted headers, in lower case
// and sorted.
const preflightRequestHeaders = "content-type,x-api-accesstoken,x-api-secretkey"

func corsChecks() []checkDef {
	d := func(id, title, ref string, run func(context.Context, *checkCtx) error) checkDef {
		return checkDef{Check: Check{ID: id, Title: title, Group: "cors", Level: LevelMust, Section: "docs/protocol.md §4.1", SpecRef: ref}, run: run}
	}
	refused := d("CORS-005", "with an origin allow-list, a join and a push preflight from a refused origin are 403 forbidden_origin, without Access-Control-Allow-* headers", preflightRef+"403", checkRefusedOrigin)
	refused.Section = "docs/protocol.md §3, §4.1"
	refused.needsForbiddenOrigin = true
	return []checkDef{
		d("CORS-001", "a push preflight from another origin, without credentials, is 204 with Access-Control-Allow-Origin, -Methods, -Headers, -Max-Age and Vary: Origin", preflightRef+"204", checkPreflight),
		d("CORS-002", "a push from a page is 202 with Access-Control-Allow-Origin, so that the page can read its seq", pushRef+"202", checkCORSAccepted),
		d("CORS-003", "push errors carry Access-Control-Allow-Origin too, so that a page can read their code", pushRef+"401", checkCORSErrors),
		d("CORS-004", "an OPTIONS request that is not a preflight is 405 with Allow: POST", preflightRef+"405", checkOptionsNotPreflight),
		refused,
	}
}

// pageOrigins are the origins the CORS checks push from: Options.Origin
// alone when it is set (the target may restrict origins), else two
// arbitrary ones.
func (c *checkCtx) pageOrigins() []string {
	if c.opts.Origin != "" {
		return []string{c.opts.Origin}
	}
	return []string{arbitraryOrigin, anotherOrigin}
}

// preflight sends a CORS preflight of a push from origin, as a browser
// does: no credentials, no body.
func (c *checkCtx) preflight(ctx context.Context, step, origin string) (*response, error) {
	h := http.Header{}
	h.Set(protocol.HeaderOrigin, origin)
	h.Set("Access-Control-Request-Method", http.MethodPost)
	h.Set("Access-Control-Request-Headers", preflightRequestHeaders)
	return c.do(ctx, request{step: step, method: http.MethodOptions, path: protocol.PushPath, header: h})
}

// originRefused returns the skip of a check when resp is the 403
// forbidden_origin of a target that restricts origins, to an origin the
// run chose itself (to a preflight, or to a push, which a target that
// restricts origins may refuse too): docs/protocol.md §3 lets a target
// restrict origins. With Options.Origin the origin is the user's, so a
// refusal is judged.
func (c *checkCtx) originRefused(resp *response) error {
	if c.opts.Origin != "" || resp.status != http.StatusForbidden || resp.code != protocol.CodeForbiddenOrigin {
		return nil
	}
	return skipBecause(causeOriginRefused, "the target restricts origins and refuses %s (403 forbidden_origin), which docs/protocol.md §3 allows; give --origin with an origin it allows (Options.Origin)", arbitraryOrigin)
}

// allowsOrigin checks that an answer to a request from origin lets a page
// of that origin read it: Access-Control-Allow-Origin is that origin or
// "*", once.
func (c *checkCtx) allowsOrigin(step string, resp *response, origin string) bool {
	got := resp.header.Values("Access-Control-Allow-Origin")
	switch {
	case len(got) == 0:
		c.failf("%s: the %d has no Access-Control-Allow-Origin, so a browser hides it from the page of origin %s", step, resp.status, origin)
	case len(got) > 1:
		c.failf("%s: the %d has %d Access-Control-Allow-Origin headers (%q); browsers refuse more than one", step, resp.status, len(got), got)
	case got[0] != origin && got[0] != "*":
		c.failf("%s: the %d has Access-Control-Allow-Origin %q, want the request's origin %s or *", step, resp.status, got[0], origin)
	default:
		return true
	}
	return false
}

func checkPreflight(ctx context.Context, c *checkCtx) error {
	want, err := c.success(preflightEP)
	if err != nil {
		return err
	}
	for _, origin := range c.pageOrigins() {
		step := "preflight of a push from " + origin
		resp, err := c.preflight(ctx, step, origin)
		if err != nil {
			return err
		}
		if err := c.originRefused(resp); err != nil {
			return err
		}
		if resp.status != want {
			c.failf("%s: got %s, want %d: a browser page on another origin cannot push", step, describe(resp), want)
			continue
		}
		c.allowsOrigin(step, resp, origin)
		h := resp.header
		if !protocol.HeaderHasToken(h, "Access-Control-Allow-Methods", http.MethodPost) && !protocol.HeaderHasToken(h, "Access-Control-Allow-Methods", "*") {
			c.failf("%s: Access-Control-Allow-Methods is %q, want POST", step, h.Get("Access-Control-Allow-Methods"))
		}
		if !protocol.HeaderHasToken(h, "Access-Control-Allow-Headers", "*") {
			for _, name := range strings.Split(preflightRequestHeaders, ",") {
				if !protocol.HeaderHasToken(h, "Access-Control-Allow-Headers", name) {
					c.failf("%s: Access-Control-Allow-Headers %q lacks %s, so a browser refuses a push that sends it", step, h.Get("Access-Control-Allow-Headers"), name)
				}
			}
		}
		if age := h.Get("Access-Control-Max-Age"); age == "" {
			c.failf("%s: no Access-Control-Max-Age", step)
		} else if n, err := strconv.Atoi(age); err != nil || n < 0 {
			c.failf("%s: Access-Control-Max-Age %q is not a number of seconds", step, age)
		}
		if !protocol.HeaderHasToken(h, "Vary", protocol.HeaderOrigin) && !protocol.HeaderHasToken(h, "Vary", "*") {
			c.failf("%s: Vary is %q, want Origin: the answer depends on the origin, and a cache must not give it to another", step, h.Get("Vary"))
		}
	}
	return nil
}

// pushFrom sends a push of body to sid with creds, from a page of origin.
func (c *checkCtx) pushFrom(ctx context.Context, step, origin string, creds protocol.Credentials, rawQuery string) (*response, error) {
	h := credHeader(creds)
	h.Set("Content-Type", "application/json")
	h.Set(protocol.HeaderOrigin, origin)
	return c.do(ctx, request{step: step, method: http.MethodPost, path: protocol.PushPath, rawQuery: rawQuery, header: h, body: []byte(`{"from":"a browser page"}`)})
}

// judgeCORS checks that resp, to a push from origin, lets the page read
// it. When it does not, and the origin is the run's own choice, a
// preflight tells whether the target restricts origins: the check is
// then skipped.
func (c *checkCtx) judgeCORS(ctx context.Context, step, origin string, resp *response) error {
	if len(resp.header.Values("Access-Control-Allow-Origin")) == 0 && c.opts.Origin == "" {
		pre, err := c.preflight(ctx, "preflight from "+origin+", to learn whether the target restricts origins", origin)
		if err != nil {
			return err
		}
		if err := c.originRefused(pre); err != nil {
			return err
		}
	}
	c.allowsOrigin(step, resp, origin)
	return nil
}

func checkCORSAccepted(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	want, err := c.success(pushEP)
	if err != nil {
		return err
	}
	for _, origin := range c.pageOrigins() {
		step := "push from a page of " + origin
		resp, err := c.pushFrom(ctx, step, origin, c.target.Credentials, "session="+s.id)
		if err != nil {
			return err
		}
		if err := c.originRefused(resp); err != nil {
			return err
		}
		if resp.status != want {
			return fmt.Errorf("%s: got %s, want %d", step, describe(resp), want)
		}
		if err := c.judgeCORS(ctx, step, origin, resp); err != nil {
			return err
		}
	}
	return nil
}

func checkCORSErrors(ctx context.Context, c *checkCtx) error {
	origin := c.pageOrigins()[0]
	unknown := randomSessionID()
	c.red.AddSession(unknown)
	for _, tc := range []struct {
		what     string
		creds    protocol.Credentials
		rawQuery string
		exp      expectation
	}{
		{"with a wrong secret key", protocol.Credentials{AccessToken: c.target.Credentials.AccessToken, SecretKey: c.wrong.SecretKey}, "session=" + unknown, expPushUnauthorized},
		{"without a session parameter", c.target.Credentials, "", expPushMissingSession},
		{"to an unknown session", c.target.Credentials, "session=" + unknown, expPushNotFound},
	} {
		step := "push from a page of " + origin + " " + tc.what
		resp, err := c.pushFrom(ctx, step, origin, tc.creds, tc.rawQuery)
		if err != nil {
			return err
		}
		if err := c.originRefused(resp); err != nil {
			return err
		}
		if !c.expectError(step, resp, tc.exp) {
			continue
		}
		if err := c.judgeCORS(ctx, step, origin, resp); err != nil {
			return err
		}
	}
	return nil
}

func checkOptionsNotPreflight(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct {
		what   string
		header http.Header
	}{
		{"without Origin or Access-Control-Request-Method", http.Header{}},
		{"with an Origin but no Access-Control-Request-Method", http.Header{protocol.HeaderOrigin: {c.pageOrigins()[0]}}},
		{"with Access-Control-Request-Method but no Origin", http.Header{"Access-Control-Request-Method": {http.MethodPost}}},
	} {
		step := "OPTIONS on the push endpoint " + tc.what
		_, hasOrigin := tc.header[protocol.HeaderOrigin]
		resp, err := c.do(ctx, request{step: step, method: http.MethodOptions, path: protocol.PushPath, header: tc.header, noOrigin: !hasOrigin})
		if err != nil {
			return err
		}
		if c.expectError(step, resp, expPreflightMethod) && !protocol.HeaderHasToken(resp.header, "Allow", http.MethodPost) {
			c.failf("%s: the 405 has Allow %q, want POST", step, resp.header.Get("Allow"))
		}
	}
	return nil
}

func checkRefusedOrigin(ctx context.Context, c *checkCtx) error {
	origin := c.opts.ForbiddenOrigin
	h := credHeader(c.target.Credentials)
	h.Set(protocol.HeaderOrigin, origin)
	step := "join from a page of the refused origin " + origin
	s, resp, err := c.join(ctx, joinReq{step: step, header: h, rawQuery: joinQuery(quietPattern)})
	if err != nil {
		return err
	}
	if s != nil {
		c.failf("%s: the join was accepted, want 403 forbidden_origin", step)
	} else {
		c.expectError(step, resp, expJoinForbiddenOrigin)
	}
	step = "preflight of a push from the refused origin " + origin
	resp, err = c.preflight(ctx, step, origin)
	if err != nil {
		return err
	}
	if c.expectError(step, resp, expPreflightOrigin) {
		var allow []string
		for k := range resp.header {
			if strings.HasPrefix(k, "Access-Control-Allow-") {
				allow = append(allow, k)
			}
		}
		if len(allow) > 0 {
			c.failf("%s: the 403 carries %s; a refusal must carry no Access-Control-Allow-* header", step, strings.Join(allow, ", "))
		}
	}
	return nil
}
