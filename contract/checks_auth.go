package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/wstrigger/wstrigger/protocol"
)

// authAttempt is one request of the auth matrix: credentials as headers
// and query parameters.
type authAttempt struct {
	step   string
	header http.Header
	query  url.Values
}

// authCase is one check of the auth matrix: attempts that must all be
// answered with want, or succeed when want is nil.
type authCase struct {
	id, title string
	ep        endpoint
	attempts  func(c *checkCtx) []authAttempt
	want      *expectation // nil: every attempt must succeed
}

// creds builds credential headers from two values; an empty name leaves
// the header out, a name with an empty value sends it empty.
func hdr(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h[http.CanonicalHeaderKey(pairs[i])] = []string{pairs[i+1]}
	}
	return h
}

func qry(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return q
}

const (
	hTok = protocol.HeaderAccessToken
	hSec = protocol.HeaderSecretKey
	qTok = protocol.QueryAccessToken
	qSec = protocol.QuerySecretKey
)

func authCases() []authCase {
	main := func(c *checkCtx) protocol.Credentials { return c.target.Credentials }
	var cases []authCase
	for _, ep := range []endpoint{joinEP, pushEP} {
		unauthorized := &expJoinUnauthorized
		first := 1
		if ep == pushEP {
			unauthorized, first = &expPushUnauthorized, 10
		}
		id := func(n int) string { return fmt.Sprintf("AUTH-%03d", first+n) }
		cases = append(cases,
			authCase{id(0), ep.name + " without credentials is 401", ep, func(c *checkCtx) []authAttempt {
				return []authAttempt{{step: ep.name + " without credentials"}}
			}, unauthorized},
			authCase{id(1), ep.name + " without the access token is 401", ep, func(c *checkCtx) []authAttempt {
				return []authAttempt{{step: ep.name + " with the secret key only", header: hdr(hSec, main(c).SecretKey)}}
			}, unauthorized},
			authCase{id(2), ep.name + " without the secret key is 401", ep, func(c *checkCtx) []authAttempt {
				return []authAttempt{{step: ep.name + " with the access token only", header: hdr(hTok, main(c).AccessToken)}}
			}, unauthorized},
			authCase{id(3), ep.name + " with a wrong secret key is 401", ep, func(c *checkCtx) []authAttempt {
				return []authAttempt{{step: ep.name + " with a wrong secret key", header: hdr(hTok, main(c).AccessToken, hSec, c.wrong.SecretKey)}}
			}, unauthorized},
			authCase{id(4), ep.name + " with a wrong access token is 401", ep, func(c *checkCtx) []authAttempt {
				return []authAttempt{{step: ep.name + " with a wrong access token", header: hdr(hTok, c.wrong.AccessToken, hSec, main(c).SecretKey)}}
			}, unauthorized},
			authCase{id(5), ep.name + " with empty credential values is 401", ep, func(c *checkCtx) []authAttempt {
				at := []authAttempt{
					{step: ep.name + " with empty credential headers", header: hdr(hTok, "", hSec, "")},
					{step: ep.name + " with an empty secret key header", header: hdr(hTok, main(c).AccessToken, hSec, "")},
				}
				if ep == joinEP {
					at = append(at, authAttempt{step: "join with empty credential query parameters", query: qry(qTok, "", qSec, "")})
				}
				return at
			}, unauthorized},
		)
	}
	cases = append(cases,
		authCase{"AUTH-007", "join accepts credentials as headers and as query parameters", joinEP, func(c *checkCtx) []authAttempt {
			return []authAttempt{
				{step: "join with header credentials", header: hdr(hTok, main(c).AccessToken, hSec, main(c).SecretKey)},
				{step: "join with query credentials", query: qry(qTok, main(c).AccessToken, qSec, main(c).SecretKey)},
				{step: "join with the same credentials as headers and query parameters",
					header: hdr(hTok, main(c).AccessToken, hSec, main(c).SecretKey), query: qry(qTok, main(c).AccessToken, qSec, main(c).SecretKey)},
			}
		}, nil},
		authCase{"AUTH-008", "join with wrong query credentials is 401", joinEP, func(c *checkCtx) []authAttempt {
			return []authAttempt{
				{step: "join with a wrong secret key as a query parameter", query: qry(qTok, main(c).AccessToken, qSec, c.wrong.SecretKey)},
				{step: "join with a wrong access token as a query parameter", query: qry(qTok, c.wrong.AccessToken, qSec, main(c).SecretKey)},
				{step: "join with the secret key as a query parameter only", query: qry(qSec, main(c).SecretKey)},
			}
		}, &expJoinUnauthorized},
		authCase{"AUTH-009", "join with conflicting header and query credentials is 401", joinEP, func(c *checkCtx) []authAttempt {
			return []authAttempt{
				{step: "join with valid header credentials and a different secret key in the query",
					header: hdr(hTok, main(c).AccessToken, hSec, main(c).SecretKey), query: qry(qSec, c.wrong.SecretKey)},
				{step: "join with valid query credentials and a different access token header",
					header: hdr(hTok, c.wrong.AccessToken), query: qry(qTok, main(c).AccessToken, qSec, main(c).SecretKey)},
			}
		}, &expJoinUnauthorized},
		authCase{"AUTH-016", "push refuses credentials given as query parameters with 401", pushEP, func(c *checkCtx) []authAttempt {
			return []authAttempt{{step: "push with query credentials", query: qry(qTok, main(c).AccessToken, qSec, main(c).SecretKey)}}
		}, &expPushUnauthorized},
	)
	return cases
}

func authChecks() []checkDef {
	var out []checkDef
	for _, ac := range authCases() {
		specRef := "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses/401"
		if ac.ep == pushEP {
			specRef = "openapi.yaml#/paths/~1api~1v1~1websocket~1session/post/responses/401"
		}
		if ac.want == nil {
			specRef = "openapi.yaml#/paths/~1api~1v1~1websocket/get/security"
		}
		out = append(out, checkDef{
			Check: Check{ID: ac.id, Title: ac.title, Group: "auth", Level: LevelMust, Section: "docs/protocol.md §2", SpecRef: specRef},
			run:   func(ctx context.Context, c *checkCtx) error { return runAuthCase(ctx, c, ac) },
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	out = append(out, checkDef{
		Check: Check{ID: "AUTH-017", Title: "no response echoes a credential", Group: "auth", Level: LevelMust, Section: "docs/protocol.md §2"},
		run:   checkNoEcho,
	})
	return append(out, nearMissChecks()...)
}

func runAuthCase(ctx context.Context, c *checkCtx, ac authCase) error {
	var sid string
	if ac.ep == pushEP {
		// A real session, so that a push wrongly accepted is delivered.
		s, err := c.joinMain(ctx, "join a session to push to", quietPattern)
		if err != nil {
			return err
		}
		sid = s.id
	}
	for _, at := range ac.attempts(c) {
		resp, err := c.authAttempt(ctx, ac.ep, at, sid)
		if err != nil {
			return err
		}
		if ac.want != nil {
			c.expectError(at.step, resp, *ac.want)
			continue
		}
		if want, err := c.success(ac.ep); err != nil {
			return err
		} else if resp.status != want {
			c.failf("%s: got %s, want %d", at.step, describe(resp), want)
		}
	}
	return nil
}

// authAttempt sends one attempt: a join with pattern {} or a push of a
// small object into sid.
func (c *checkCtx) authAttempt(ctx context.Context, ep endpoint, at authAttempt, sid string) (*response, error) {
	q := url.Values{}
	for k, v := range at.query {
		q[k] = v
	}
	header := at.header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if ep == joinEP {
		q.Set(protocol.QueryPattern, quietPattern)
		_, resp, err := c.join(ctx, joinReq{step: at.step, header: header, rawQuery: q.Encode()})
		return resp, err
	}
	q.Set(protocol.QuerySession, sid)
	header.Set("Content-Type", "application/json")
	return c.do(ctx, request{step: at.step, method: http.MethodPost, path: protocol.PushPath,
		rawQuery: q.Encode(), header: header, body: []byte(`{"contract":"auth"}`)})
}

// checkNoEcho sends the requests most likely to echo a credential; every
// answer of the run is searched for credentials (see checkEcho), this
// check makes sure such answers exist.
func checkNoEcho(ctx context.Context, c *checkCtx) error {
	m := c.target.Credentials
	s, err := c.joinMain(ctx, "join a session to push to", quietPattern)
	if err != nil {
		return err
	}
	attempts := []struct {
		ep endpoint
		at authAttempt
	}{
		{joinEP, authAttempt{step: "join with a wrong secret key header", header: hdr(hTok, m.AccessToken, hSec, c.wrong.SecretKey)}},
		{joinEP, authAttempt{step: "join with a wrong access token as a query parameter", query: qry(qTok, c.wrong.AccessToken, qSec, m.SecretKey)}},
		{joinEP, authAttempt{step: "join with conflicting credentials", header: hdr(hTok, m.AccessToken, hSec, m.SecretKey), query: qry(qTok, c.wrong.AccessToken, qSec, c.wrong.SecretKey)}},
		{joinEP, authAttempt{step: "join with valid credentials as query parameters", query: qry(qTok, m.AccessToken, qSec, m.SecretKey)}},
		{pushEP, authAttempt{step: "push with a wrong secret key", header: hdr(hTok, m.AccessToken, hSec, c.wrong.SecretKey)}},
		{pushEP, authAttempt{step: "push with query credentials", query: qry(qTok, m.AccessToken, qSec, m.SecretKey)}},
		{pushEP, authAttempt{step: "push with valid credentials", header: hdr(hTok, m.AccessToken, hSec, m.SecretKey)}},
	}
	for _, a := range attempts {
		if _, err := c.authAttempt(ctx, a.ep, a.at, s.id); err != nil {
			return err
		}
	}
	return nil
}
