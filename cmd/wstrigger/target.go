package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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

// preflightJoin joins target once with creds and the pattern {}, and
// returns an error when the target refuses the credentials (401, or 403
// for an account without websockets): every check and every
// subscription would then fail for a reason of the user's, not the
// target's. Other outcomes, answered or not, are left to the run to
// judge.
func preflightJoin(ctx context.Context, target string, creds client.Credentials) error {
	c, err := client.New(target, creds, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	s, err := c.Join(ctx, "{}")
	var he *client.HTTPError
	switch {
	case err == nil:
		_ = s.Close()
	case errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden):
		return fmt.Errorf("%s refuses these credentials: a join with them was answered %v; check --access-token and --secret-key (or $%s and $%s)",
			spec.RedactURLString(target), he, envAccessToken, envSecretKey)
	}
	return nil
}

// preflightTimeout bounds preflightJoin.
const preflightTimeout = 10 * time.Second
