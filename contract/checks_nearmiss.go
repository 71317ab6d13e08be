package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wstrigger/wstrigger/protocol"
)

// A server that compares credentials loosely (ignoring case, trimming,
// comparing a prefix, normalising Unicode, decoding escapes) accepts
// values an attacker can guess from a valid one. The near-miss checks
// send each credential altered in one such way and expect 401 for every
// attempt, on both endpoints; nothing may answer 5xx.

func nearMissChecks() []checkDef {
	return []checkDef{
		{Check: Check{ID: "AUTH-018", Title: "join with a near-miss credential (case, one character, truncated, white space, escapes, look-alikes, repeated) is 401",
			Group: "auth", Level: LevelMust, Section: "docs/protocol.md §2", SpecRef: "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses/401"},
			run: func(ctx context.Context, c *checkCtx) error { return checkNearMiss(ctx, c, joinEP) }},
		{Check: Check{ID: "AUTH-019", Title: "push with a near-miss credential (case, one character, truncated, escapes, look-alikes, repeated) is 401",
			Group: "auth", Level: LevelMust, Section: "docs/protocol.md §2", SpecRef: "openapi.yaml#/paths/~1api~1v1~1websocket~1session/post/responses/401"},
			run: func(ctx context.Context, c *checkCtx) error { return checkNearMiss(ctx, c, pushEP) }},
	}
}

// nearMiss is a credential altered in one way. Values that HTTP itself
// may change on the way are sent only where they arrive unchanged:
// header values lose surrounding spaces and tabs (they are not part of a
// field value), and a query value is percent-decoded once.
type nearMiss struct {
	how    string
	value  string
	header bool // may be sent as a header
	query  bool // may be sent as a query parameter
}

// nearMisses returns the near misses of a credential value, leaving out
// those equal to it.
func nearMisses(v string) []nearMiss {
	var out []nearMiss
	add := func(how, value string, header, query bool) {
		if value != v && value != "" && !slices.ContainsFunc(out, func(m nearMiss) bool { return m.value == value }) {
			out = append(out, nearMiss{how, value, header, query})
		}
	}
	add("in upper case", strings.ToUpper(v), true, true)
	add("in lower case", strings.ToLower(v), true, true)
	add("with letter case swapped", swapCase(v), true, true)
	n := utf8.RuneCountInString(v)
	for _, pos := range []struct {
		name string
		i    int
	}{{"first", 0}, {"middle", n / 2}, {"last", n - 1}} {
		add("with its "+pos.name+" character changed", changeRune(v, pos.i), true, true)
	}
	if n > 1 {
		_, size := utf8.DecodeLastRuneInString(v)
		add("truncated by one character", v[:len(v)-size], true, true)
	}
	add("with a character appended", v+"x", true, true)
	add("with characters appended after a space", v+" x", true, true)
	add("surrounded by spaces", " "+v+" ", false, true)
	add("surrounded by a tab and a newline", "\t"+v+"\n", false, true)
	add("surrounded by no-break spaces", "\u00a0"+v+"\u00a0", true, true)
	if n > 0 {
		r, size := utf8.DecodeRuneInString(v)
		if r < utf8.RuneSelf {
			add("with its first character percent-encoded", fmt.Sprintf("%%%02X", r)+v[size:], true, true)
		}
	}
	add("percent-encoded whole", percentAll(v), true, true)
	add("in full-width look-alike characters", fullWidth(v, -1), true, true)
	add("with one full-width look-alike character", fullWidth(v, n/2), true, true)
	return out
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

// changeRune replaces the i-th character by another of its kind.
func changeRune(s string, i int) string {
	rs := []rune(s)
	if i < 0 || i >= len(rs) {
		return s
	}
	switch r := rs[i]; {
	case r >= '0' && r <= '9':
		rs[i] = '0' + (r-'0'+1)%10
	case r >= 'a' && r <= 'z':
		rs[i] = 'a' + (r-'a'+1)%26
	case r >= 'A' && r <= 'Z':
		rs[i] = 'A' + (r-'A'+1)%26
	case r == '-':
		rs[i] = '_'
	default:
		rs[i] = 'x'
	}
	return string(rs)
}

func percentAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// fullWidth maps printable ASCII to its full-width form (U+FF01–FF5E):
// every character when at is negative, else the at-th only.
func fullWidth(s string, at int) string {
	rs := []rune(s)
	for i, r := range rs {
		if (at < 0 || i == at) && r > ' ' && r < 0x7f {
			rs[i] = r - 0x21 + 0xff01
		}
	}
	return string(rs)
}

// nearMissAttempts returns the attempts of the near-miss checks on ep.
func (c *checkCtx) nearMissAttempts(ep endpoint) []authAttempt {
	m := c.target.Credentials
	var out []authAttempt
	for _, cred := range []struct {
		name, value string
		set         func(cr protocol.Credentials, v string) protocol.Credentials
	}{
		{"access token", m.AccessToken, func(cr protocol.Credentials, v string) protocol.Credentials { cr.AccessToken = v; return cr }},
		{"secret key", m.SecretKey, func(cr protocol.Credentials, v string) protocol.Credentials { cr.SecretKey = v; return cr }},
	} {
		for _, nm := range nearMisses(cred.value) {
			if c.isValidCredential(nm.value) {
				continue
			}
			cr := cred.set(m, nm.value)
			if nm.header {
				out = append(out, authAttempt{step: fmt.Sprintf("%s with the %s %s, as headers", ep.name, cred.name, nm.how),
					header: hdr(hTok, cr.AccessToken, hSec, cr.SecretKey)})
			}
			if nm.query && ep == joinEP {
				out = append(out, authAttempt{step: fmt.Sprintf("%s with the %s %s, as query parameters", ep.name, cred.name, nm.how),
					query: qry(qTok, cr.AccessToken, qSec, cr.SecretKey)})
			}
		}
	}
	if o := c.target.Other; o != nil {
		out = append(out, authAttempt{step: ep.name + " with the other tenant's access token and this tenant's secret key",
			header: hdr(hTok, o.AccessToken, hSec, m.SecretKey)})
		out = append(out, authAttempt{step: ep.name + " with this tenant's access token and the other tenant's secret key",
			header: hdr(hTok, m.AccessToken, hSec, o.SecretKey)})
	}
	return append(out, c.repeatedAttempts(ep)...)
}

// repeatedAttempts repeat a credential with a valid and a wrong value,
// in both orders, so that neither "first wins" nor "last wins" passes
// (docs/protocol.md §2).
func (c *checkCtx) repeatedAttempts(ep endpoint) []authAttempt {
	m := c.target.Credentials
	var out []authAttempt
	for _, order := range []struct {
		name        string
		first, then string
	}{{"the valid value first", m.SecretKey, c.wrong.SecretKey}, {"a wrong value first", c.wrong.SecretKey, m.SecretKey}} {
		out = append(out, authAttempt{step: fmt.Sprintf("%s with the secret key header repeated, %s", ep.name, order.name),
			header: http.Header{hTok: {m.AccessToken}, hSec: {order.first, order.then}}})
		if ep == joinEP {
			out = append(out, authAttempt{step: fmt.Sprintf("%s with the secretKey query parameter repeated, %s", ep.name, order.name),
				query: url.Values{qTok: {m.AccessToken}, qSec: {order.first, order.then}}})
		}
	}
	for _, order := range []struct {
		name        string
		first, then string
	}{{"the valid value first", m.AccessToken, c.wrong.AccessToken}, {"a wrong value first", c.wrong.AccessToken, m.AccessToken}} {
		out = append(out, authAttempt{step: fmt.Sprintf("%s with the access token header repeated, %s", ep.name, order.name),
			header: http.Header{hTok: {order.first, order.then}, hSec: {m.SecretKey}}})
		if ep == joinEP {
			out = append(out, authAttempt{step: fmt.Sprintf("%s with the accessToken query parameter repeated, %s", ep.name, order.name),
				query: url.Values{qTok: {order.first, order.then}, qSec: {m.SecretKey}}})
		}
	}
	return out
}

// isValidCredential reports whether v is a credential of a tenant the
// run knows, which a near miss must not be.
func (c *checkCtx) isValidCredential(v string) bool {
	for _, cr := range c.allCredentials() {
		if v == cr.AccessToken || v == cr.SecretKey {
			return true
		}
	}
	return false
}

func checkNearMiss(ctx context.Context, c *checkCtx, ep endpoint) error {
	var sid string
	want := &expJoinUnauthorized
	if ep == pushEP {
		want = &expPushUnauthorized
		// A real session, so that a push wrongly accepted is delivered.
		s, err := c.joinMain(ctx, "join a session to push to", quietPattern)
		if err != nil {
			return err
		}
		sid = s.id
	}
	attempts := c.nearMissAttempts(ep)
	accepted := 0
	for _, at := range attempts {
		resp, err := c.authAttempt(ctx, ep, at, sid)
		if err != nil {
			return err
		}
		if resp.status < 300 {
			accepted++
		}
		if resp.status >= 500 {
			c.failf("%s: a server error (%s) answers a near-miss credential; it must be 401", at.step, describe(resp))
			continue
		}
		c.expectError(at.step, resp, *want)
	}
	if accepted > 0 {
		c.failf("%d of %d near-miss credentials were accepted", accepted, len(attempts))
	}
	c.note("near misses", fmt.Sprintf("%d attempts, each answered as the evidence shows", len(attempts)))
	return nil
}

// redactNearMisses registers the near misses of every known credential
// with the redactor, so that evidence shows none of them: each is most
// of a credential.
func (r *runner) redactNearMisses() {
	for _, cr := range r.allCredentials() {
		for _, v := range []string{cr.AccessToken, cr.SecretKey} {
			for _, nm := range nearMisses(v) {
				r.red.Add(nm.value, strings.TrimSpace(nm.value), url.QueryEscape(nm.value))
			}
		}
	}
}
