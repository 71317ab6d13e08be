package contract

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// A reproducer is a command a vendor's engineer can paste to repeat a
// step: curl for an HTTP request (a join refused before the upgrade
// included), websocat for a join that opened a session, and a wstrigger
// invocation for a whole check. Credentials appear as references to the
// environment variables wstrigger itself reads, session ids as $SESSION,
// and the wrong values the suite sends as plain placeholders: a
// reproducer holds no secret.

// maxReproBody is the largest body a reproducer writes inline.
const maxReproBody = 512

// shellRef maps a secret of the run, as it stands in a request (raw or
// query-escaped), to what a reproducer writes in its place; ok is false
// for a value no reproducer can name (a near miss of a credential), whose
// step is reproduced by its check instead.
func (r *runner) shellRef(v string) (ref string, ok bool) {
	pairs := []struct{ value, ref string }{
		{r.target.Credentials.AccessToken, "${" + EnvAccessToken + "}"},
		{r.target.Credentials.SecretKey, "${" + EnvSecretKey + "}"},
		{r.wrong.AccessToken, "wrong-access-token"},
		{r.wrong.SecretKey, "wrong-secret-key"},
	}
	if o := r.target.Other; o != nil {
		pairs = append(pairs, struct{ value, ref string }{o.AccessToken, "${" + EnvOtherAccessToken + "}"},
			struct{ value, ref string }{o.SecretKey, "${" + EnvOtherSecretKey + "}"})
	}
	if f := r.target.Forbidden; f != nil {
		pairs = append(pairs, struct{ value, ref string }{f.AccessToken, "${" + EnvForbiddenAccessToken + "}"},
			struct{ value, ref string }{f.SecretKey, "${" + EnvForbiddenSecretKey + "}"})
	}
	for _, p := range pairs {
		if p.value == v || url.QueryEscape(p.value) == v {
			return p.ref, true
		}
	}
	if r.red.IsSession(v) {
		return "${SESSION}", true
	}
	return "", false
}

// secretsIn returns the secrets of the run that occur in s, longest
// first.
func (r *runner) secretsIn(s string) []string {
	var out []string
	for _, k := range r.red.Secrets() { // longest first
		if strings.Contains(s, k) {
			out = append(out, k)
		}
	}
	return out
}

// shellWord quotes s for a POSIX shell, with every secret of the run
// written as its reference; ok is false when a secret cannot be named.
func (r *runner) shellWord(s string) (string, bool) {
	secrets := r.secretsIn(s)
	if len(secrets) == 0 {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", true
	}
	var b strings.Builder
	b.WriteByte('"')
	for s != "" {
		at, which := len(s), ""
		for _, k := range secrets {
			if i := strings.Index(s, k); i >= 0 && i < at {
				at, which = i, k
			}
		}
		b.WriteString(dqEscape(s[:at]))
		if which == "" {
			break
		}
		ref, ok := r.shellRef(which)
		if !ok {
			return "", false
		}
		b.WriteString(ref)
		s = s[at+len(which):]
	}
	b.WriteByte('"')
	return b.String(), true
}

// dqEscape escapes s for the inside of double quotes.
func dqEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s)
}

// reproduceHTTP returns a curl command that sends the request again, or
// "" when it holds a value no reproducer can name.
func (r *runner) reproduceHTTP(method string, u *url.URL, h http.Header, body []byte) string {
	parts := []string{"curl -i"}
	if method != http.MethodGet {
		parts = append(parts, "-X "+method)
	}
	ru := *u
	ru.User, ru.Fragment = nil, ""
	w, ok := r.shellWord(ru.String())
	if !ok {
		return ""
	}
	parts = append(parts, w)
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			w, ok := r.shellWord(k + ": " + v)
			if !ok {
				return ""
			}
			parts = append(parts, "-H "+w)
		}
	}
	switch {
	case len(body) > maxReproBody:
		parts = append(parts, "--data-binary @body.json")
	case len(body) > 0:
		w, ok := r.shellWord(string(body))
		if !ok {
			return ""
		}
		parts = append(parts, "--data-binary "+w)
	case method == http.MethodPost:
		parts = append(parts, "--data-binary ''")
	}
	return strings.Join(parts, " ")
}

// reproduceJoin returns a websocat command that joins again and prints
// the frames, or "" when the join holds a value no reproducer can name.
func (r *runner) reproduceJoin(u *url.URL, h http.Header) string {
	ws := *u
	ws.User, ws.Fragment = nil, ""
	ws.Scheme = map[string]string{"https": "wss", "http": "ws"}[ws.Scheme]
	if ws.Scheme == "" {
		ws.Scheme = u.Scheme
	}
	w, ok := r.shellWord(ws.String())
	if !ok {
		return ""
	}
	parts := []string{"websocat"}
	for _, k := range []string{protocol.HeaderAccessToken, protocol.HeaderSecretKey, "Origin"} {
		for _, v := range h.Values(k) {
			hw, ok := r.shellWord(k + ": " + v)
			if !ok {
				return ""
			}
			parts = append(parts, "-H "+hw)
		}
	}
	return strings.Join(append(parts, w), " ")
}

// reproduceCheck is the wstrigger command that runs one check again.
func (r *runner) reproduceCheck(id string) string {
	cmd := "wstrigger contract --target " + "'" + strings.ReplaceAll(protocol.RedactURL(r.base), "'", `'\''`) + "'" + " --run '^" + id + "$'"
	if r.target.Other != nil {
		cmd += ` --other-access-token "${` + EnvOtherAccessToken + `}" --other-secret-key "${` + EnvOtherSecretKey + `}"`
	}
	if r.target.Forbidden != nil {
		cmd += ` --forbidden-access-token "${` + EnvForbiddenAccessToken + `}" --forbidden-secret-key "${` + EnvForbiddenSecretKey + `}"`
	}
	for _, o := range []struct{ flag, origin string }{{"--origin", r.opts.Origin}, {"--forbidden-origin", r.opts.ForbiddenOrigin}} {
		if w, ok := r.shellWord(o.origin); ok && o.origin != "" {
			cmd += " " + o.flag + " " + w
		}
	}
	return cmd
}
