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

// preflightJoin joins target once with creds and the pattern {} before
// a run, and returns an error when the run could only fail for a reason
// of the user's rather than the target's: the target does not answer
// (unreachable, or silent for preflightTimeout), answers 404 (not this
// API at that base URL), or refuses the credentials (401, or 403 for an
// account without websockets). Other answers are left to the run to
// judge.
func preflightJoin(ctx context.Context, target string, creds client.Credentials) error {
	c, err := client.New(target, creds, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	s, err := c.Join(ctx, "{}")
	if err == nil {
		_ = s.Close()
		return nil
	}
	where := spec.RedactURLString(target)
	var he *client.HTTPError
	switch {
	case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
		return fmt.Errorf("%s refuses these credentials: a join with them was answered %v; check --access-token and --secret-key (or $%s and $%s)",
			where, he, envAccessToken, envSecretKey)
	case errors.As(err, &he) && he.Status == http.StatusNotFound:
		return fmt.Errorf("%s answered a join with %v: is the base URL that of the API (it joins at %s)?", where, he, spec.JoinPath)
	case errors.As(err, &he):
		return nil
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%s did not answer a join in time (%v)", where, preflightTimeout)
	}
	var ce *client.CloseError
	var pe *client.ProtocolError
	if errors.As(err, &ce) || errors.As(err, &pe) {
		return nil // it answered: the run will judge how
	}
	return fmt.Errorf("%s is unreachable: %v", where, err)
}

// preflightTimeout bounds preflightJoin.
const preflightTimeout = 10 * time.Second
