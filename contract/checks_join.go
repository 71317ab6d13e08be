package contract

import (
	"context"
	"net/http"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// quietPattern matches no event: sessions that must see only pushes use
// it.
const quietPattern = `{"contractSuiteQuiet":["never-in-an-event"]}`

func joinChecks() []checkDef {
	const ref = "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses/"
	return []checkDef{
		{Check: Check{ID: "JOIN-001", Title: "join without a pattern is 400 missing_pattern", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §3", SpecRef: ref + "400"}, run: checkMissingPattern},
		{Check: Check{ID: "JOIN-002", Title: "join with an invalid pattern is 400 invalid_pattern, for every kind of invalid pattern", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §3, §5", SpecRef: ref + "400"}, run: checkInvalidPatterns},
		{Check: Check{ID: "JOIN-003", Title: "the invalid_pattern message names the offending field", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §5"}, run: checkInvalidPatternMessages},
		{Check: Check{ID: "JOIN-004", Title: "join with any method but GET is 405 with Allow: GET", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §3", SpecRef: ref + "405"}, run: checkJoinMethods},
		{Check: Check{ID: "JOIN-005", Title: "a plain GET without upgrade headers is 426 upgrade_required", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §3", SpecRef: ref + "426"}, run: checkUpgradeRequired},
		{Check: Check{ID: "JOIN-006", Title: "join with credentials of an account without websockets is 403 forbidden", Group: "join", Level: LevelMust,
			Section: "docs/protocol.md §2, §3", SpecRef: ref + "403"}, needsForbidden: true, run: checkForbidden},
	}
}

func checkMissingPattern(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct{ step, query string }{
		{"join without a pattern parameter", ""},
		{"join with other parameters but no pattern", "foo=bar"},
	} {
		_, resp, err := c.join(ctx, joinReq{step: tc.step, header: credHeader(c.target.Credentials), rawQuery: tc.query})
		if err != nil {
			return err
		}
		c.expectError(tc.step, resp, expJoinMissingPattern)
	}
	return nil
}

// invalidPattern is one kind of invalid pattern and the field its error
// message must name ("" when the pattern has no offending field).
type invalidPattern struct {
	kind, pattern, field string
}

func invalidPatterns() []invalidPattern {
	deep := strings.Repeat(`{"deep":`, 9) + `1` + strings.Repeat(`}`, 9)
	return []invalidPattern{
		{"truncated JSON", `{"type":`, ""},
		{"neither JSON nor a rule", `this is not a pattern`, ""},
		{"a top-level array", `["job-join"]`, ""},
		{"a top-level string", `"job-join"`, ""},
		{"an unknown operator", `{"org":[{"startsWith":"IB"}]}`, "org"},
		{"an empty array", `{"typeName":[]}`, "typeName"},
		{"an operand of the wrong type", `{"at":[{"numeric":[">>",1]}]}`, "at"},
		{"nesting deeper than 8", deep, "deep"},
		{"a pattern over 4 KiB", `{"org":"` + strings.Repeat("x", 4200) + `"}`, ""},
	}
}

func checkInvalidPatterns(ctx context.Context, c *checkCtx) error {
	for _, ip := range invalidPatterns() {
		step := "join with " + ip.kind + " as pattern"
		_, resp, err := c.join(ctx, joinReq{step: step, header: credHeader(c.target.Credentials), rawQuery: joinQuery(ip.pattern)})
		if err != nil {
			return err
		}
		c.expectError(step, resp, expJoinInvalidPattern)
	}
	return nil
}

func checkInvalidPatternMessages(ctx context.Context, c *checkCtx) error {
	for _, ip := range invalidPatterns() {
		if ip.field == "" {
			continue
		}
		step := "join with " + ip.kind + " in field " + ip.field
		_, resp, err := c.join(ctx, joinReq{step: step, header: credHeader(c.target.Credentials), rawQuery: joinQuery(ip.pattern)})
		if err != nil {
			return err
		}
		if !c.expectError(step, resp, expJoinInvalidPattern) {
			continue
		}
		if !strings.Contains(resp.msg, ip.field) {
			c.failf("%s: the error message %q does not name the offending field %q", step, truncate(resp.msg, 200), ip.field)
		}
	}
	return nil
}

func checkJoinMethods(ctx context.Context, c *checkCtx) error {
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		step := m + " on the join endpoint"
		resp, err := c.do(ctx, request{step: step, method: m, path: protocol.JoinPath, rawQuery: joinQuery("{}"),
			header: credHeader(c.target.Credentials), upgrade: true})
		if err != nil {
			return err
		}
		if c.expectError(step, resp, expJoinMethod) && !protocol.HeaderHasToken(resp.header, "Allow", http.MethodGet) {
			c.failf("%s: the 405 has Allow %q, want GET", step, resp.header.Get("Allow"))
		}
	}
	return nil
}

func checkUpgradeRequired(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct {
		step string
		h    map[string]string
	}{
		{"plain GET on the join endpoint", nil},
		{"GET with Upgrade: websocket but no Connection: Upgrade", map[string]string{"Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
	} {
		h := credHeader(c.target.Credentials)
		for k, v := range tc.h {
			h.Set(k, v)
		}
		resp, err := c.do(ctx, request{step: tc.step, method: http.MethodGet, path: protocol.JoinPath, rawQuery: joinQuery("{}"), header: h})
		if err != nil {
			return err
		}
		c.expectError(tc.step, resp, expJoinUpgradeRequired)
	}
	return nil
}

func checkForbidden(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct {
		step  string
		h     http.Header
		query string
	}{
		{"join with forbidden credentials as headers", credHeader(*c.target.Forbidden), joinQuery("{}")},
		{"join with forbidden credentials as query parameters", nil,
			qry(qTok, c.target.Forbidden.AccessToken, qSec, c.target.Forbidden.SecretKey, protocol.QueryPattern, "{}").Encode()},
	} {
		_, resp, err := c.join(ctx, joinReq{step: tc.step, header: tc.h, rawQuery: tc.query})
		if err != nil {
			return err
		}
		c.expectError(tc.step, resp, expJoinForbidden)
	}
	return nil
}
