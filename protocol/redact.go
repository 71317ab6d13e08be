package protocol

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces a credential or session id wherever one would be shown.
const Redacted = "***"

// sensitiveQuery are the query parameters that carry credentials or session
// ids: those of docs/protocol.md section 2 and the names commonly used for
// tokens, keys, passwords and signatures. They are matched in any case.
var sensitiveQuery = []string{
	QueryAccessToken, QuerySecretKey, QuerySession,
	"access_token", "token", "api_key", "apikey", "key", "secret", "secret_key",
	"password", "passwd", "pwd", "auth", "authorization", "signature", "sig",
}

// sensitiveQuerySet is sensitiveQuery in lower case.
var sensitiveQuerySet = func() map[string]bool {
	m := make(map[string]bool, len(sensitiveQuery))
	for _, name := range sensitiveQuery {
		m[strings.ToLower(name)] = true
	}
	return m
}()

// redactedUserinfo replaces any user information, with or without a
// password: "http://user:pw@h/" and "http://user@h/" both become
// "http://***@h/".
const redactedUserinfo = Redacted + "@"

// userPlaceholder stands in for the user information while the URL is
// written: url.User would escape "***" to "%2A%2A%2A".
const userPlaceholder = "wstriggerRedactedUser"

// RedactURL returns u as a string with credentials and session ids replaced
// by "***": the values of sensitive query parameters (accessToken,
// secretKey, session, token, password, ... in any case), the whole user
// information (user name and password, written "***@"), and any fragment
// (never sent to a server, it may hold a token: "#access_token=..."),
// written "#***". u is not modified. Redacting a redacted URL gives it
// back unchanged.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	hadUser := c.User != nil
	if hadUser {
		c.User = url.User(userPlaceholder)
	}
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	fragment := ""
	if c.Fragment != "" || c.RawFragment != "" { // never sent to a server; may hold a token
		// Write the marker into the text: url.URL would keep "***" but
		// not necessarily a RawFragment that no longer matches.
		c.Fragment, c.RawFragment = "", ""
		fragment = "#" + Redacted
	}
	s := c.String()
	if hadUser && c.Opaque == "" {
		s = strings.Replace(s, "//"+userPlaceholder+"@", "//"+redactedUserinfo, 1)
	}
	if c.Opaque != "" || (c.Scheme == "" && c.Host == "" && !hadUser) {
		// "user:pw@host" parses as scheme "user" with the opaque text
		// "pw@host", and "token@host" as a path: look for user
		// information in the text.
		s = redactUserinfoText(s)
	}
	return s + fragment
}

// RedactURLString is RedactURL for a URL in text form. Text that does not
// parse as a URL has its user information (the authority up to its last
// '@') replaced by "***@" and is cut at its first '?' (written "?***") or
// '#' (written "#***"), so that no credential leaks.
func RedactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		s = redactUserinfoText(s)
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			return s[:i] + s[i:i+1] + Redacted
		}
		return s
	}
	return RedactURL(u)
}

// redactUserinfoText replaces the user information of the URL text s with
// "***@": everything from after the scheme's "//" (or from the start of s
// when it has none) to the last '@' before the first '?' or '#'. A '/'
// does not end the search: text that did not parse may hold a password
// with a '/' in it, and redacting a path's '@' too is the safe mistake.
func redactUserinfoText(s string) string {
	start := 0
	if i := strings.Index(s, "//"); i >= 0 && isSchemePrefix(s[:i]) {
		start = i + 2
	}
	end := len(s)
	if i := strings.IndexAny(s[start:], "?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndexByte(s[start:end], '@')
	if at < 0 {
		return s
	}
	return s[:start] + redactedUserinfo + s[start+at+1:]
}

// isSchemePrefix reports whether p is what may come before a URL's "//":
// nothing, or a scheme and its ':'.
func isSchemePrefix(p string) bool {
	if p == "" {
		return true
	}
	scheme, ok := strings.CutSuffix(p, ":")
	if !ok || scheme == "" {
		return false
	}
	for i, r := range scheme {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && ('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// redactQuery replaces the values of sensitive parameters while keeping the
// order and spelling of the rest. It works on the raw text so that a
// parameter that appears twice is redacted both times. Parameters are
// separated by '&' or, as some servers accept, ';'.
func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		fields := strings.Split(part, ";")
		for j, field := range fields {
			key, _, hasValue := strings.Cut(field, "=")
			name, err := url.QueryUnescape(key)
			if err != nil {
				name = key
			}
			if hasValue && isSensitive(name) {
				fields[j] = key + "=" + Redacted
			}
		}
		parts[i] = strings.Join(fields, ";")
	}
	return strings.Join(parts, "&")
}

// isSensitive reports whether the query parameter name carries a
// credential or session id.
func isSensitive(name string) bool {
	return sensitiveQuerySet[strings.ToLower(strings.TrimSpace(name))]
}

// sensitiveHeaders are the headers that carry credentials.
var sensitiveHeaders = []string{HeaderAccessToken, HeaderSecretKey, "Authorization", "Cookie", "Set-Cookie"}

// sensitiveHeaderWords are the words whose presence in a header name
// makes its value a likely credential (X-Gateway-Key, X-Auth-Token).
var sensitiveHeaderWords = []string{"token", "secret", "key", "auth", "password", "passwd", "cookie", "signature", "credential"}

// SensitiveHeader reports whether the value of the header name may be a
// credential: the protocol's credential headers, Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, any X-Api-* header, and any
// header whose name holds token, secret, key, auth, password, passwd,
// cookie, signature or credential, in any case. Sec-WebSocket-Key, the
// handshake's nonce, is not one.
func SensitiveHeader(name string) bool {
	lower := strings.ToLower(strings.TrimSpace(name))
	if lower == "sec-websocket-key" {
		return false
	}
	for _, n := range sensitiveHeaders {
		if strings.EqualFold(lower, n) {
			return true
		}
	}
	if strings.HasPrefix(lower, "x-api-") {
		return true
	}
	for _, w := range sensitiveHeaderWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// HeaderSecrets returns the values of h's sensitive headers
// (SensitiveHeader), for a Redactor to replace wherever they appear;
// of a value with a scheme ("Bearer T"), the credential after it too.
func HeaderSecrets(h http.Header) []string {
	var out []string
	for key, vs := range h {
		if !SensitiveHeader(key) {
			continue
		}
		for _, v := range vs {
			out = append(out, v)
			if _, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				out = append(out, strings.TrimSpace(cred))
			}
		}
	}
	return out
}

// RedactHeader returns a copy of h with the value of every sensitive
// header (SensitiveHeader: the credential headers, Authorization,
// Cookie, X-Api-*, ...) replaced by "***". Keys are matched in any
// spelling, so a key set literally (h["X-API-AccessToken"]) is redacted
// too.
func RedactHeader(h http.Header) http.Header {
	c := h.Clone()
	for key, vs := range c {
		if SensitiveHeader(key) {
			redacted := make([]string, len(vs))
			for i := range redacted {
				redacted[i] = Redacted
			}
			c[key] = redacted
		}
	}
	return c
}

// RedactError returns err with the URL of a *url.Error in its chain
// redacted, so that printing it shows no credential or session id. A
// *url.Error at the top (as http.Client returns) is replaced by a redacted
// copy; one deeper in the chain is redacted in the text, and errors.Is and
// errors.As still reach the original. Call it where the error is created.
func RedactError(err error) error {
	if top, ok := err.(*url.Error); ok {
		return &url.Error{Op: top.Op, URL: RedactURLString(top.URL), Err: RedactError(top.Err)}
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	if ue.URL == RedactURLString(ue.URL) {
		return err
	}
	return &redactedError{err: err, text: strings.ReplaceAll(err.Error(), ue.URL, RedactURLString(ue.URL))}
}

type redactedError struct {
	err  error
	text string
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// RequestSecrets returns the credentials and session ids a request
// carries, to keep them out of error text.
func RequestSecrets(req *http.Request) []string {
	var out []string
	q := req.URL.Query()
	for _, name := range sensitiveQuery {
		out = append(out, q[name]...)
	}
	for _, name := range sensitiveHeaders {
		out = append(out, headerValues(req.Header, name)...)
	}
	return out
}

// headerValues returns the values of header name in h, matching keys in
// any spelling, so a key set literally (h["X-API-AccessToken"]) counts too.
func headerValues(h http.Header, name string) []string {
	var out []string
	for k, vs := range h {
		if strings.EqualFold(k, name) {
			out = append(out, vs...)
		}
	}
	return out
}
