package contract_test

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// looseCompare is a way a server compares credentials loosely: it maps a
// credential as received to the value it compares, given the valid ones.
type looseCompare struct {
	name string
	fix  func(got string, valid []string) string
}

func looseCompares() []looseCompare {
	matchAny := func(got string, valid []string, same func(a, b string) bool) string {
		for _, v := range valid {
			if same(got, v) {
				return v
			}
		}
		return got
	}
	return []looseCompare{
		{"credentials compared ignoring case", func(got string, valid []string) string {
			return matchAny(got, valid, strings.EqualFold)
		}},
		{"credentials trimmed of white space", func(got string, _ []string) string { return strings.TrimSpace(got) }},
		{"credentials compared on the shorter length", func(got string, valid []string) string {
			return matchAny(got, valid, func(a, b string) bool {
				return len(a) > 0 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a))
			})
		}},
		{"full-width look-alikes folded to ASCII", func(got string, _ []string) string {
			return strings.Map(func(r rune) rune {
				if r >= 0xff01 && r <= 0xff5e {
					return r - 0xff01 + 0x21
				}
				return r
			}, got)
		}},
		{"credentials percent-decoded", func(got string, _ []string) string {
			if u, err := url.PathUnescape(got); err == nil {
				return u
			}
			return got
		}},
		{"one character may differ", func(got string, valid []string) string {
			return matchAny(got, valid, func(a, b string) bool {
				if len(a) != len(b) {
					return false
				}
				diff := 0
				for i := range a {
					if a[i] != b[i] {
						diff++
					}
				}
				return diff <= 1
			})
		}},
	}
}

var validCredentials = []string{
	mockserver.DemoAccessToken, mockserver.DemoSecretKey,
	mockserver.OtherAccessToken, mockserver.OtherSecretKey,
	mockserver.ForbiddenAccessToken, mockserver.ForbiddenSecretKey,
}

// loosely rewrites the credentials of requests to path the way lc
// compares them, before the mock sees them.
func loosely(path string, lc looseCompare) func(*http.Request) {
	return func(r *http.Request) {
		if r.URL.Path != path {
			return
		}
		for _, h := range []string{protocol.HeaderAccessToken, protocol.HeaderSecretKey} {
			vs := r.Header.Values(h)
			r.Header.Del(h)
			for _, v := range vs {
				r.Header.Add(h, lc.fix(v, validCredentials))
			}
		}
		q := r.URL.Query()
		for _, k := range []string{protocol.QueryAccessToken, protocol.QuerySecretKey} {
			for i := range q[k] {
				q[k][i] = lc.fix(q[k][i], validCredentials)
			}
		}
		r.URL.RawQuery = q.Encode()
	}
}

// anyTenantSecret accepts any known tenant's secret with any known
// token.
func anyTenantSecret(path string) func(*http.Request) {
	return func(r *http.Request) {
		if r.URL.Path != path {
			return
		}
		tok := credential(r, protocol.HeaderAccessToken, protocol.QueryAccessToken)
		sec := credential(r, protocol.HeaderSecretKey, protocol.QuerySecretKey)
		if (tok == mockserver.DemoAccessToken || tok == mockserver.OtherAccessToken) &&
			(sec == mockserver.DemoSecretKey || sec == mockserver.OtherSecretKey) {
			r.Header.Set(protocol.HeaderAccessToken, mockserver.DemoAccessToken)
			r.Header.Set(protocol.HeaderSecretKey, mockserver.DemoSecretKey)
			q := r.URL.Query()
			q.Del(protocol.QueryAccessToken)
			q.Del(protocol.QuerySecretKey)
			r.URL.RawQuery = q.Encode()
		}
	}
}

// firstWins keeps the first value of a repeated credential.
func firstWins(path string) func(*http.Request) {
	return func(r *http.Request) {
		if r.URL.Path != path {
			return
		}
		for _, h := range []string{protocol.HeaderAccessToken, protocol.HeaderSecretKey} {
			if vs := r.Header.Values(h); len(vs) > 1 {
				r.Header.Set(h, vs[0])
			}
		}
		q := r.URL.Query()
		for _, k := range []string{protocol.QueryAccessToken, protocol.QuerySecretKey} {
			if len(q[k]) > 1 {
				q[k] = q[k][:1]
			}
		}
		r.URL.RawQuery = q.Encode()
	}
}

// nearMissBreakages are the loose credential comparisons AUTH-018 (join)
// and AUTH-019 (push) must catch.
func nearMissBreakages() []breakage {
	var out []breakage
	for _, ep := range []struct{ id, path, name string }{{"AUTH-018", protocol.JoinPath, "join"}, {"AUTH-019", protocol.PushPath, "push"}} {
		for _, lc := range looseCompares() {
			out = append(out, breakage{ep.id, ep.name + ": " + lc.name, lenient(loosely(ep.path, lc)), "want 401"})
		}
		out = append(out,
			breakage{ep.id, ep.name + ": any tenant's secret with any tenant's token", lenient(anyTenantSecret(ep.path)), "other tenant"},
			breakage{ep.id, ep.name + ": the first of repeated credentials wins", lenient(firstWins(ep.path)), "repeated"},
		)
	}
	return out
}
