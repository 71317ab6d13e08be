package contract

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// Defaults of a zero Options.
const (
	// DefaultTimeout bounds each check.
	DefaultTimeout = 10 * time.Second
	// DefaultObserve is how long the pattern oracle watches its sessions.
	DefaultObserve = 3 * time.Second
	// DefaultMaxSessions bounds how many sessions the aggressive session
	// limit check opens while looking for the limit.
	DefaultMaxSessions = 256
)

// Environment variables read by TargetFromEnv.
const (
	EnvTarget               = "WSTRIGGER_TARGET"
	EnvAccessToken          = "WSTRIGGER_ACCESS_TOKEN"
	EnvSecretKey            = "WSTRIGGER_SECRET_KEY"
	EnvOtherAccessToken     = "WSTRIGGER_OTHER_ACCESS_TOKEN"
	EnvOtherSecretKey       = "WSTRIGGER_OTHER_SECRET_KEY"
	EnvForbiddenAccessToken = "WSTRIGGER_FORBIDDEN_ACCESS_TOKEN"
	EnvForbiddenSecretKey   = "WSTRIGGER_FORBIDDEN_SECRET_KEY"
)

// ErrUnreachable is wrapped by the error of Run when the target does not
// answer at all, so that a command can tell it from failed checks.
var ErrUnreachable = errors.New("contract: target unreachable")

// ErrOptions is wrapped by the error of Run when the target or the
// options are unusable.
var ErrOptions = errors.New("contract: invalid options")

// Target is the implementation under test and the credentials to use on
// it. Printing it with fmt shows no credential.
type Target struct {
	// URL is the implementation's base URL (http, https, ws or wss).
	URL string
	// Name names the target in reports when its URL says little, such as
	// "embedded mock"; empty: the redacted URL is its name.
	Name string
	// Credentials are the main tenant's; required.
	Credentials protocol.Credentials
	// Other is a second tenant. Nil: checks that need one are skipped.
	Other *protocol.Credentials
	// Forbidden are valid credentials whose account gets 403. Nil:
	// checks that need them are skipped.
	Forbidden *protocol.Credentials
}

// TargetFromEnv reads a Target from WSTRIGGER_TARGET,
// WSTRIGGER_ACCESS_TOKEN and WSTRIGGER_SECRET_KEY, and the optional
// tenants from WSTRIGGER_OTHER_ACCESS_TOKEN / WSTRIGGER_OTHER_SECRET_KEY
// and WSTRIGGER_FORBIDDEN_ACCESS_TOKEN / WSTRIGGER_FORBIDDEN_SECRET_KEY.
// ok is false when WSTRIGGER_TARGET is empty.
func TargetFromEnv(getenv func(string) string) (Target, bool) {
	t := Target{
		URL:         getenv(EnvTarget),
		Credentials: protocol.Credentials{AccessToken: getenv(EnvAccessToken), SecretKey: getenv(EnvSecretKey)},
	}
	if t.URL == "" {
		return Target{}, false
	}
	pair := func(tok, sec string) *protocol.Credentials {
		c := protocol.Credentials{AccessToken: getenv(tok), SecretKey: getenv(sec)}
		if c.AccessToken == "" || c.SecretKey == "" {
			return nil
		}
		return &c
	}
	t.Other = pair(EnvOtherAccessToken, EnvOtherSecretKey)
	t.Forbidden = pair(EnvForbiddenAccessToken, EnvForbiddenSecretKey)
	return t, true
}

// Options tune a run. The zero value runs every non-aggressive check
// against the embedded spec; a nil *Options means the zero value.
type Options struct {
	// Spec holds the documents the checks derive their expectations
	// from. Nil: spec.Default().
	Spec *spec.Spec
	// Run selects the checks whose ID or title matches (nil: all).
	Run *regexp.Regexp
	// Timeout bounds each check (DefaultTimeout).
	Timeout time.Duration
	// Aggressive adds the checks that stress the target: session limit,
	// slow consumer, slow handshakes, oversized and malformed frames.
	Aggressive bool
	// Observe is the pattern oracle's observation window
	// (DefaultObserve).
	Observe time.Duration
	// MaxSessions bounds the aggressive session limit check
	// (DefaultMaxSessions).
	MaxSessions int
	// HTTPClient sends the plain HTTP requests; its Transport (and Proxy)
	// is used, never its redirects. Nil: a client of its own.
	HTTPClient *http.Client
	// NetDialContext makes the connections of joins and of the
	// hand-written handshakes (nil: a net.Dialer); a test may hand out
	// one end of a net.Pipe. Plain requests go through HTTPClient.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Header holds extra headers for every request and join of the
	// checks (a gateway's key, say), added where a check sets no header
	// of that name. They are left out of the evidence and the
	// reproducing commands, and the values of those that may be
	// credentials (protocol.SensitiveHeader) are redacted from the
	// report as the credentials are.
	Header http.Header
	// TLSConfig configures https and wss connections (nil: the
	// default); it is set on the transport of its own HTTP client.
	TLSConfig *tls.Config
	// Proxy chooses the proxy of joins, and of the runner's own HTTP
	// client (nil: http.ProxyFromEnvironment).
	Proxy func(*http.Request) (*url.URL, error)
	// Parallel is how many checks run at once (DefaultParallel); 1 runs
	// them one after the other. Checks that load the target run alone.
	Parallel int
	// Strict turns skipped MUST checks into failures: a conformance
	// verdict then needs every MUST check to have run.
	Strict bool
	// Progress, if set, is called after each check with its result, from
	// the goroutine that called Run, in catalogue order.
	Progress func(Result)
	// Origin, if set, is sent as the Origin header of every join and
	// push, for a target that restricts browsers to an allow-list
	// (docs/protocol.md section 3): the origin of the pages it serves, an
	// http or https URL without a path (see protocol.ParseOrigin). The
	// CORS checks then use it as the page's origin; without it they use
	// an arbitrary one, and skip when the target refuses it.
	Origin string
	// ForbiddenOrigin, if set, is an origin the target's allow-list
	// refuses; the check of refused origins (CORS-005) needs it and is
	// skipped without it.
	ForbiddenOrigin string
}

func (o *Options) resolve() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Timeout < 0 || c.Observe < 0 || c.MaxSessions < 0 || c.Parallel < 0 {
		return Options{}, fmt.Errorf("%w: negative Timeout, Observe, MaxSessions or Parallel", ErrOptions)
	}
	if c.Parallel == 0 {
		c.Parallel = DefaultParallel
	}
	for _, o := range []*string{&c.Origin, &c.ForbiddenOrigin} {
		if *o == "" {
			continue
		}
		origin, err := protocol.ParseOrigin(*o)
		if err != nil {
			return Options{}, fmt.Errorf("%w: %w", ErrOptions, err)
		}
		*o = origin
	}
	if c.Origin != "" && c.Origin == c.ForbiddenOrigin {
		return Options{}, fmt.Errorf("%w: Origin and ForbiddenOrigin are both %s: an origin cannot be allowed and refused", ErrOptions, c.Origin)
	}
	if c.Spec == nil {
		s, err := spec.Default()
		if err != nil {
			return Options{}, fmt.Errorf("%w: %w", ErrOptions, err)
		}
		c.Spec = s
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Observe == 0 {
		c.Observe = DefaultObserve
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	return c, nil
}

func (t Target) check() error {
	if _, err := client.ParseTarget(t.URL); err != nil {
		return fmt.Errorf("%w: %w", ErrOptions, err)
	}
	if t.Credentials.AccessToken == "" || t.Credentials.SecretKey == "" {
		return fmt.Errorf("%w: the target's access token and secret key are required", ErrOptions)
	}
	return nil
}

// String shows the redacted URL only.
func (t Target) String() string { return protocol.RedactURLString(t.URL) }
