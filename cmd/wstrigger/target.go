package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// Environment variables that name the target and supply credentials
// when the flags do not: the ones contract.TargetFromEnv reads, so that
// a command and "go test ./contract/" judge the same target.
const (
	envTarget      = contract.EnvTarget
	envAccessToken = contract.EnvAccessToken
	envSecretKey   = contract.EnvSecretKey
)

// embeddedMockName names the mock a command starts in-process when it
// has no target, in its output and its reports.
const embeddedMockName = "embedded mock"

// targetOptions are the flags that name an implementation and the
// credentials to use on it, shared by the commands that talk to one.
type targetOptions struct {
	Target      string
	AccessToken string
	SecretKey   string
	Origin      string // --origin, as protocol.ParseOrigin returns it
	targetSet   bool   // --target was given, if only as ''
	gatewayOptions
}

// register defines --target, --access-token and --secret-key. what
// says what the target is for ("check"); withMock says whether the
// command falls back on the embedded mock without a target.
func (o *targetOptions) register(fs *flag.FlagSet, what string, withMock bool) {
	help := "base `URL` of the implementation to " + what + " (default $" + envTarget
	if withMock {
		help += "; without either, the embedded mock, in-process; --target '' for the mock whatever $" + envTarget + " says)"
	} else {
		help += "; one of them is required)"
	}
	fs.Func("target", help, func(s string) error {
		o.Target, o.targetSet = s, true
		return nil
	})
	fs.StringVar(&o.AccessToken, "access-token", "", "access token (default $"+envAccessToken+")")
	fs.StringVar(&o.SecretKey, "secret-key", "", "secret key (default $"+envSecretKey+")")
	originFlag(fs, "origin", "send this `URL` as the Origin header of every join and push, as a browser page of it would (for a target that restricts origins)", &o.Origin)
	o.gatewayOptions.register(fs)
}

// originFlag defines a flag of an origin, as protocol.ParseOrigin
// returns it, or ” for none (the default, which a config file may
// give too).
func originFlag(fs *flag.FlagSet, name, usage string, origin *string) {
	fs.Func(name, usage+"; '' for none", func(s string) error {
		if s == "" {
			*origin = ""
			return nil
		}
		o, err := protocol.ParseOrigin(s)
		*origin = o
		return err
	})
}

// clientOptions are the client options of a command's joins and pushes:
// the Origin header of --origin and the extra headers of --header, and,
// once resolveGateway has run, the TLS configuration and the proxy.
func (o *targetOptions) clientOptions() *client.Options {
	copts := o.gw.clientOptions()
	if copts == nil {
		copts = &client.Options{}
	}
	copts.Header = o.header()
	return copts
}

// header is the extra header of every join and push: those of --header
// and the Origin of --origin; nil without either.
func (o *targetOptions) header() http.Header {
	h := o.Header.Clone()
	if o.Origin != "" {
		if h == nil {
			h = http.Header{}
		}
		h.Set(protocol.HeaderOrigin, o.Origin)
	}
	return h
}

// resolveTarget fills the target from $WSTRIGGER_TARGET when --target
// was not given; a --target flag, even ”, wins. It reports whether
// the target is the embedded mock (none named).
func (o *targetOptions) resolveTarget(e *env) (mock bool) {
	if !o.targetSet {
		o.Target = e.getenv(envTarget)
	}
	return o.Target == ""
}

// resolve fills empty credentials from the environment (never from flag
// defaults, which -h would print) and checks that both are set.
func (o *targetOptions) resolve(e *env) (protocol.Credentials, error) {
	if o.AccessToken == "" {
		o.AccessToken = e.getenv(envAccessToken)
	}
	if o.SecretKey == "" {
		o.SecretKey = e.getenv(envSecretKey)
	}
	if o.AccessToken == "" || o.SecretKey == "" {
		return protocol.Credentials{}, fmt.Errorf("credentials missing: set --access-token and --secret-key, or $%s and $%s", envAccessToken, envSecretKey)
	}
	return protocol.Credentials{AccessToken: o.AccessToken, SecretKey: o.SecretKey}, nil
}

// printTarget writes the first line of a run: what it judges, "target:
// embedded mock" or "target: " and the redacted URL.
func printTarget(w io.Writer, url, name string) {
	if name != "" {
		fmt.Fprintf(w, "target: %s\n", name)
		return
	}
	fmt.Fprintf(w, "target: %s\n", protocol.RedactURLString(url))
}

// interruptedBefore ends a command interrupted before its run began
// (during the preflight join): nothing was measured, so nothing is
// written.
func interruptedBefore(e *env, cmd string) int {
	fmt.Fprintf(e.stderr, "wstrigger %s: interrupted before the run began: nothing measured, no file written\n", cmd)
	return exitInterrupted
}

// preflight runs preflightJoin for the command cmd. When the run must
// not begin, it says why on stderr and returns ok false with the exit
// status.
func preflight(ctx context.Context, e *env, cmd, target string, creds protocol.Credentials, copts *client.Options) (invited bool, status int, ok bool) {
	invited, err := preflightJoin(ctx, target, creds, copts)
	switch {
	case err == nil:
		return invited, exitOK, true
	case ctx.Err() != nil:
		return false, interruptedBefore(e, cmd), false
	}
	fmt.Fprintf(e.stderr, "wstrigger %s: %v\n", cmd, err)
	return false, exitUsage, false
}

// preflightJoin joins target with creds and the pattern {} before a
// run, and returns an error when the run could only fail for a reason of
// the user's rather than the target's: the target cannot be dialled
// (unreachable), answers 404 (not this API at that base URL), or
// refuses the credentials (401, or 403 for an account without
// websockets) to every one of preflightAttempts joins, so that a target
// that refuses some joins at random is left to the run to judge. Every
// other outcome, a timeout included, is left to the run too. invited
// reports whether the join that succeeded was answered with the
// mockapi header: the target is a wstrigger mock that invites a reader
// of its counters.
func preflightJoin(ctx context.Context, target string, creds protocol.Credentials, copts *client.Options) (invited bool, err error) {
	if _, err := client.New(target, creds, copts); err != nil {
		return false, err
	}
	where := protocol.RedactURLString(target)
	var refused error
	for range preflightAttempts {
		invited, err := preflightOnce(ctx, target, creds, copts)
		if ctx.Err() != nil {
			return false, fmt.Errorf("interrupted before the run: %w", ctx.Err())
		}
		var he *client.HTTPError
		var oe *net.OpError
		switch {
		case err == nil:
			return invited, nil
		case errors.As(err, &he) && he.Code == protocol.CodeForbiddenOrigin:
			return false, fmt.Errorf("%s refuses %s (%s): give --origin with an origin it allows", where, originText(copts), statusText(he))
		case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
			refused = fmt.Errorf("%s refuses these credentials: %d joins with them were answered %s; check --access-token and --secret-key (or $%s and $%s)",
				where, preflightAttempts, statusText(he), envAccessToken, envSecretKey)
			continue // once more: it may refuse some joins at random
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
			return false, fmt.Errorf("%s answered a join with %s: is the base URL that of the API (it joins at %s)?", where, statusText(he), protocol.JoinPath)
		case errors.As(err, &oe) && oe.Op == "dial":
			return false, fmt.Errorf("%s is unreachable: %v", where, err)
		}
		return false, nil
	}
	return false, refused
}

// originText names the joins of the Origin header of copts in a message.
func originText(copts *client.Options) string {
	var origin string
	if copts != nil {
		origin = copts.Header.Get(protocol.HeaderOrigin)
	}
	if origin == "" {
		return "joins without an Origin header"
	}
	return "joins from " + origin
}

// statusText is an HTTP answer as "401 unauthorized" (its error code,
// when it gave one) or "404 Not Found".
func statusText(he *client.HTTPError) string {
	if he.Code != "" {
		return fmt.Sprintf("%d %s", he.Status, he.Code)
	}
	return fmt.Sprintf("%d %s", he.Status, http.StatusText(he.Status))
}

// preflightOnce makes one join and closes it. invited reports whether
// the server's 101 answer carried the mockapi header.
func preflightOnce(ctx context.Context, target string, creds protocol.Credentials, copts *client.Options) (invited bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	c, err := client.New(target, creds, copts)
	if err != nil {
		return false, err
	}
	s, err := c.Join(ctx, "{}")
	if err != nil {
		return false, err
	}
	invited = mockapi.Identifies(s.Header())
	_ = s.Close()
	return invited, nil
}

// preflightAttempts is how many joins preflightJoin makes at most.
const preflightAttempts = 5

// preflightTimeout bounds preflightJoin.
const preflightTimeout = 10 * time.Second
