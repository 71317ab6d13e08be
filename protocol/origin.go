package protocol

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// HeaderOrigin is the header by which a browser names the page's origin
// on a join and a push (docs/protocol.md sections 3 and 4.1).
const HeaderOrigin = "Origin"

// ParseOrigin reads an origin as a user gives it (--origin URL): an http
// or https URL with a host and nothing after it but an optional "/". It
// returns the origin as browsers send it in the Origin header,
// scheme://host[:port] with scheme and host in lower case. Anything else
// (a path, a query, user information, another scheme) is an error that
// names the problem.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("origin %q: %w", s, errors.Unwrap(err))
	}
	scheme := strings.ToLower(u.Scheme)
	var problem string
	switch {
	case scheme != "http" && scheme != "https":
		problem = "want http:// or https://"
	case u.Host == "" || u.Hostname() == "":
		problem = "no host"
	case u.User != nil:
		problem = "an origin has no user information"
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		problem = "an origin is scheme://host[:port], without a path, query or fragment"
	}
	if problem != "" {
		return "", fmt.Errorf("origin %q: %s", s, problem)
	}
	return scheme + "://" + strings.ToLower(u.Host), nil
}
