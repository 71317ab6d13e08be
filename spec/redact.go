package spec

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces a credential or session id wherever one would be shown.
const Redacted = "***"

// sensitiveQuery are the query parameters that carry credentials or session
// ids (PROTOCOL.md section 2).
var sensitiveQuery = []string{QueryAccessToken, QuerySecretKey, QuerySession}

// RedactURL returns u as a string with credentials and session ids replaced
// by "***": the accessToken, secretKey and session query parameters and any
// user-info password. u is not modified.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	hadPassword := false
	if c.User != nil {
		if _, ok := c.User.Password(); ok {
			// url.UserPassword would escape "***" to "%2A%2A%2A": drop the
			// password and write the marker into the text instead.
			c.User = url.User(c.User.Username())
			hadPassword = true
		}
	}
	if c.RawQuery != "" {
		c.RawQuery = redactQuery(c.RawQuery)
	}
	s := c.String()
	if hadPassword {
		user := c.User.String()
		s = strings.Replace(s, "//"+user+"@", "//"+user+":"+Redacted+"@", 1)
	}
	return s
}

// RedactURLString is RedactURL for a URL in text form. Text that does not
// parse as a URL is cut at its first '?' so that no query leaks.
func RedactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i] + "?" + Redacted
		}
		return s
	}
	return RedactURL(u)
}

// redactQuery replaces the values of sensitive parameters while keeping the
// order and spelling of the rest. It works on the raw text so that a
// parameter that appears twice is redacted both times.
func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		key, _, hasValue := strings.Cut(part, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if isSensitive(name) && hasValue {
			parts[i] = key + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

func isSensitive(name string) bool {
	for _, s := range sensitiveQuery {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// sensitiveHeaders are the headers that carry credentials.
var sensitiveHeaders = []string{HeaderAccessToken, HeaderSecretKey, "Authorization", "Cookie", "Set-Cookie"}

// RedactHeader returns a copy of h with the credential headers and any
// Authorization or Cookie header replaced by "***". Keys are matched in
// any spelling, so a key set literally (h["X-API-AccessToken"]) is
// redacted too.
func RedactHeader(h http.Header) http.Header {
	c := h.Clone()
	for key, vs := range c {
		for _, name := range sensitiveHeaders {
			if strings.EqualFold(key, name) {
				redacted := make([]string, len(vs))
				for i := range redacted {
					redacted[i] = Redacted
				}
				c[key] = redacted
			}
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
