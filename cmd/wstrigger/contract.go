package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/reports"
	"github.com/wstrigger/wstrigger/spec"
)

const contractHelp = `
Runs the contract suite: every rule of the protocol, checked against the
OpenAPI and AsyncAPI documents (embedded, or --spec DIR), on the target
or, without one, on the embedded mock server started in-process. Its
first line names the target judged; then one line per check (a failed
check's with the commands that reproduce it), the spec coverage and the
verdict; --json, --junit and --markdown write the same results for
machines, CI and people.

The target and its credentials come from --target, --access-token and
--secret-key or, for a flag not given, from $WSTRIGGER_TARGET,
$WSTRIGGER_ACCESS_TOKEN and $WSTRIGGER_SECRET_KEY, as "go test
./contract/" reads them; a flag wins over the environment, and --target
'' checks the embedded mock whatever $WSTRIGGER_TARGET says. A second
tenant (--other-*, $WSTRIGGER_OTHER_ACCESS_TOKEN and
$WSTRIGGER_OTHER_SECRET_KEY) and a forbidden account (--forbidden-*,
$WSTRIGGER_FORBIDDEN_ACCESS_TOKEN and $WSTRIGGER_FORBIDDEN_SECRET_KEY)
enable the checks that need them; without them those checks are
skipped, and the verdict counts skipped checks by cause. --strict counts
a skipped MUST check as a failure. --aggressive adds checks that stress
the target (session limit, slow consumer, slowloris, oversized and
malformed frames).

Ctrl-C or SIGTERM stops the run: the checks that finished are printed
and written to every requested file, marked interrupted, with no
verdict; a second Ctrl-C quits at once.

Exit status: 0 when every MUST check passed (skipped ones aside, unless
--strict), 1 when one failed, 2 when the target cannot be reached,
answers 404 on the join path or refuses the credentials (a join is tried
first), or the flags are wrong, 130 when interrupted (Ctrl-C, SIGTERM).`

// contractOptions are the flags of "contract".
type contractOptions struct {
	targetOptions
	OtherAccessToken     string
	OtherSecretKey       string
	ForbiddenAccessToken string
	ForbiddenSecretKey   string
	ForbiddenOrigin      string
	SpecDir              string
	RunPattern           string
	Timeout              time.Duration
	Observe              time.Duration
	Aggressive           bool
	Strict               bool
	outputs              contractOutputs // --json, --junit, --markdown
	Quiet                bool
	stdout               io.Writer // where an output named - goes
}

func runContract(ctx context.Context, e *env, args []string) int {
	var o contractOptions
	fs := newFlagSet(e, "contract", "contract [--target URL] [flags]", contractHelp)
	o.register(fs, "check", true)
	o.registerSuite(fs)
	o.outputs.registerOutputs(fs)
	fs.BoolVar(&o.Quiet, "quiet", false, "print only the footer, not a line per check")
	configFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	return o.run(ctx, e, pos)
}

// registerSuite registers the flags that shape the suite, shared by
// "contract" and "check".
func (o *contractOptions) registerSuite(fs *flag.FlagSet) {
	fs.StringVar(&o.OtherAccessToken, "other-access-token", "", "a second tenant's access token (default $WSTRIGGER_OTHER_ACCESS_TOKEN)")
	fs.StringVar(&o.OtherSecretKey, "other-secret-key", "", "a second tenant's secret key (default $WSTRIGGER_OTHER_SECRET_KEY)")
	fs.StringVar(&o.ForbiddenAccessToken, "forbidden-access-token", "", "access token of an account that may not use websockets (default $WSTRIGGER_FORBIDDEN_ACCESS_TOKEN)")
	fs.StringVar(&o.ForbiddenSecretKey, "forbidden-secret-key", "", "its secret key (default $WSTRIGGER_FORBIDDEN_SECRET_KEY)")
	originFlag(fs, "forbidden-origin", "an origin `URL` the target's allow-list refuses, for the check of refused origins (CORS-005)", &o.ForbiddenOrigin)
	fs.StringVar(&o.SpecDir, "spec", "", "folder holding openapi.yaml and asyncapi.yaml to check against (default: the embedded documents)")
	fs.StringVar(&o.RunPattern, "run", "", "run only the checks whose id or title matches this regular expression")
	fs.DurationVar(&o.Timeout, "timeout", contract.DefaultTimeout, "time limit of each check")
	fs.DurationVar(&o.Observe, "observe", contract.DefaultObserve, "how long the pattern oracle watches triggers")
	fs.BoolVar(&o.Aggressive, "aggressive", false, "also run the checks that stress the target")
	fs.BoolVar(&o.Strict, "strict", false, "count a skipped MUST check as a failure: a pass then needs every MUST check to have run")
}

func (o *contractOptions) run(ctx context.Context, e *env, pos []string) int {
	var (
		opts *contract.Options
		err  error
	)
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger contract: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail("unexpected argument %q", pos[0])
	}
	flags, paths := o.outputs.paths()
	e, o.stdout, err = stdoutFor(e, flags, paths...)
	if err != nil {
		return fail("%v", err)
	}
	if err := o.resolveGateway(e); err != nil {
		return fail("%v", err)
	}
	opts, err = o.suiteOptions(e)
	if err != nil {
		return fail("%v", err)
	}
	target, stop, err := o.suiteTarget(e)
	if err != nil {
		return fail("%v", err)
	}
	defer stop()
	printTarget(e.stdout, target.URL, target.Name)
	fmt.Fprintln(e.stdout)
	if _, status, ok := preflight(ctx, e, "contract", target.URL, target.Credentials, o.clientOptions()); !ok {
		return status
	}
	rep, err := contract.Run(ctx, target, opts)
	if err != nil {
		if ctx.Err() != nil {
			return interruptedBefore(e, "contract")
		}
		return fail("%v", err)
	}
	if err := reports.ContractFooter(e.stdout, rep); err != nil {
		return fail("%v", err)
	}
	if err := o.outputs.write(o.stdout, rep); err != nil {
		return fail("%v", err)
	}
	switch {
	case rep.Interrupted:
		if o.outputs.requested() {
			fmt.Fprintln(e.stderr, "wstrigger contract: interrupted: the files hold the checks that finished, marked interrupted")
		}
		return exitInterrupted
	case !rep.Passed():
		return exitFail
	}
	return exitOK
}

func (o *contractOptions) suiteOptions(e *env) (*contract.Options, error) {
	opts := &contract.Options{Timeout: o.Timeout, Observe: o.Observe, Aggressive: o.Aggressive, Strict: o.Strict,
		Origin: o.Origin, ForbiddenOrigin: o.ForbiddenOrigin}
	if gw := o.gw; gw != nil {
		opts.Header, opts.TLSConfig, opts.Proxy = gw.header, gw.tls, gw.proxy
	}
	if o.RunPattern != "" {
		re, err := regexp.Compile(o.RunPattern)
		if err != nil {
			return nil, fmt.Errorf("--run: %v", err)
		}
		matches := func(aggressive bool) bool {
			return slices.ContainsFunc(contract.Checks(), func(c contract.Check) bool {
				return (aggressive || !c.Aggressive) && (re.MatchString(c.ID) || re.MatchString(c.Title))
			})
		}
		switch {
		case matches(o.Aggressive):
		case matches(true):
			return nil, fmt.Errorf("--run %q matches only checks that run with --aggressive", o.RunPattern)
		default:
			return nil, fmt.Errorf("--run %q matches no check id or title (the ids and titles are in the suite's output and its --json report)", o.RunPattern)
		}
		opts.Run = re
	}
	if err := o.outputs.check(); err != nil {
		return nil, err
	}
	if o.SpecDir != "" {
		s, err := spec.Load(os.DirFS(o.SpecDir))
		if err != nil {
			return nil, fmt.Errorf("--spec %s: %w", o.SpecDir, err)
		}
		opts.Spec = s
	}
	if !o.Quiet {
		opts.Progress = func(r contract.Result) { _ = reports.ContractLine(e.stdout, r) }
	}
	return opts, nil
}

// suiteTarget returns the target and a function that releases it: the
// given implementation (--target, or $WSTRIGGER_TARGET) with its
// credentials; without one, a mock started in-process, with its three
// demo accounts.
func (o *contractOptions) suiteTarget(e *env) (contract.Target, func(), error) {
	if o.resolveTarget(e) {
		srv, err := mockserver.New(&mockserver.Options{Speed: mockserver.DefaultSpeed})
		if err != nil {
			return contract.Target{}, nil, err
		}
		return mockTarget(srv.URL), srv.Close, nil
	}
	creds, err := o.resolve(e)
	if err != nil {
		return contract.Target{}, nil, err
	}
	t := contract.Target{URL: o.Target, Credentials: creds}
	t.Other = optionalCredentials(e, o.OtherAccessToken, o.OtherSecretKey, contract.EnvOtherAccessToken, contract.EnvOtherSecretKey)
	t.Forbidden = optionalCredentials(e, o.ForbiddenAccessToken, o.ForbiddenSecretKey, contract.EnvForbiddenAccessToken, contract.EnvForbiddenSecretKey)
	return t, func() {}, nil
}

// mockTarget is the embedded mock at url with its three demo accounts.
func mockTarget(url string) contract.Target {
	return contract.Target{
		URL:         url,
		Name:        embeddedMockName,
		Credentials: protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey},
		Other:       &protocol.Credentials{AccessToken: mockserver.OtherAccessToken, SecretKey: mockserver.OtherSecretKey},
		Forbidden:   &protocol.Credentials{AccessToken: mockserver.ForbiddenAccessToken, SecretKey: mockserver.ForbiddenSecretKey},
	}
}

// optionalCredentials returns the pair from flags or environment, or nil
// when either half is missing.
func optionalCredentials(e *env, token, secret, tokenEnv, secretEnv string) *protocol.Credentials {
	if token == "" {
		token = e.getenv(tokenEnv)
	}
	if secret == "" {
		secret = e.getenv(secretEnv)
	}
	if token == "" || secret == "" {
		return nil
	}
	return &protocol.Credentials{AccessToken: token, SecretKey: secret}
}
