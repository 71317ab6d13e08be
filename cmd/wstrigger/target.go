package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/spec"
)

// Environment variables that supply credentials when the flags do not.
const (
	envAccessToken = "WSTRIGGER_ACCESS_TOKEN"
	envSecretKey   = "WSTRIGGER_SECRET_KEY"
)

// targetOptions are the flags that name an implementation and the
// credentials to use on it, shared by the commands that talk to one.
type targetOptions struct {
	Target      string
	AccessToken string
	SecretKey   string
}

func (o *targetOptions) register(fs *flag.FlagSet, targetHelp string) {
	fs.StringVar(&o.Target, "target", "", targetHelp)
	fs.StringVar(&o.AccessToken, "access-token", "", "access token (default $"+envAccessToken+")")
	fs.StringVar(&o.SecretKey, "secret-key", "", "secret key (default $"+envSecretKey+")")
}

// resolve fills empty credentials from the environment (never from flag
// defaults, which -h would print) and checks that both are set.
func (o *targetOptions) resolve(e *env) (client.Credentials, error) {
	if o.AccessToken == "" {
		o.AccessToken = e.getenv(envAccessToken)
	}
	if o.SecretKey == "" {
		o.SecretKey = e.getenv(envSecretKey)
	}
	if o.AccessToken == "" || o.SecretKey == "" {
		return client.Credentials{}, fmt.Errorf("credentials missing: set --access-token and --secret-key, or $%s and $%s", envAccessToken, envSecretKey)
	}
	return client.Credentials{AccessToken: o.AccessToken, SecretKey: o.SecretKey}, nil
}

// preflightJoin joins target with creds and the pattern {} before a
// run, and returns an error when the run could only fail for a reason of
// the user's rather than the target's: the target cannot be dialled
// (unreachable), answers 404 (not this API at that base URL), or
// refuses the credentials (401, or 403 for an account without
// websockets) to every one of preflightAttempts joins, so that a target
// that refuses some joins at random is left to the run to judge. Every
// other outcome, a timeout included, is left to the run too.
func preflightJoin(ctx context.Context, target string, creds client.Credentials) error {
	c, err := client.New(target, creds, nil)
	if err != nil {
		return err
	}
	where := spec.RedactURLString(target)
	var refused error
	for range preflightAttempts {
		err := preflightOnce(ctx, c)
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted before the run: %w", ctx.Err())
		}
		var he *client.HTTPError
		var oe *net.OpError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
			refused = fmt.Errorf("%s refuses these credentials: %d joins with them were answered %s; check --access-token and --secret-key (or $%s and $%s)",
				where, preflightAttempts, statusText(he), envAccessToken, envSecretKey)
			continue // once more: it may refuse some joins at random
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
			return fmt.Errorf("%s answered a join with %s: is the base URL that of the API (it joins at %s)?", where, statusText(he), spec.JoinPath)
		case errors.As(err, &oe) && oe.Op == "dial":
			return fmt.Errorf("%s is unreachable: %v", where, err)
		}
		return nil
	}
	return refused
}

// statusText is an HTTP answer as "401 unauthorized" (its error code,
// when it gave one) or "404 Not Found".
func statusText(he *client.HTTPError) string {
	if he.Code != "" {
		return fmt.Sprintf("%d %s", he.Status, he.Code)
	}
	return fmt.Sprintf("%d %s", he.Status, http.StatusText(he.Status))
}

// preflightOnce makes one join and closes it.
func preflightOnce(ctx context.Context, c *client.Client) error {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	s, err := c.Join(ctx, "{}")
	if err == nil {
		_ = s.Close()
	}
	return err
}

// preflightAttempts is how many joins preflightJoin makes at most.
const preflightAttempts = 5

// preflightTimeout bounds preflightJoin.
const preflightTimeout = 10 * time.Second
