package main

import (
	"flag"
	"fmt"

	"github.com/wstrigger/wstrigger/client"
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
