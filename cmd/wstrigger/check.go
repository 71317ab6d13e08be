package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/reports"
)

// Defaults of "check": small enough that a run on the embedded mock ends
// in about twenty seconds, large enough to mean something.
const (
	DefaultCheckObserve       = 2 * time.Second
	DefaultCheckSubscriptions = 200
	DefaultCheckPushRate      = 500
	DefaultCheckDuration      = 10 * time.Second
	DefaultCheckOut           = "wstrigger-report"
)

// DefaultCheckSLOs are the objectives of "check" when no --slo is given.
var DefaultCheckSLOs = []string{"delivered>=99.99%", "push.p99<250ms", "errors<0.1%", "lost<=0.01%"}

const checkHelp = `
The whole job in one command: the contract suite, then a load run, against
--target or, without it, one embedded mock server started in-process and
shared by both phases. It prints what "contract" and "load" print (with
the load driver's progress display on stderr) and writes one report
folder, --out (default ./wstrigger-report):

  report.html   one self-contained page: contract results, spec coverage
                and the load plots (opens without a network)
  report.md     a compact summary for a CI job summary or a PR comment
  results.json  {"schemaVersion":1,"kind":"wstrigger.check",
                 "contract":<contract report>,"load":<load result>}
  junit.xml     one testcase per contract check and per SLO

Defaults: the contract suite with a 2s observe window, then 200
subscriptions and 500 pushes/s for 10s, judged by the SLOs
'delivered>=99.99%', 'push.p99<250ms', 'errors<0.1%' and 'lost<=0.01%'
(generous for a loopback mock; any --slo replaces them all), and
'sent>=99%' unless an --slo names sent (see "wstrigger help load").

The first line names the target judged. The target and its credentials
come from --target, --access-token and --secret-key or, for a flag not
given, from $WSTRIGGER_TARGET, $WSTRIGGER_ACCESS_TOKEN and
$WSTRIGGER_SECRET_KEY (the second tenant and the forbidden account from
$WSTRIGGER_OTHER_* and $WSTRIGGER_FORBIDDEN_*, as for "contract"); a flag
wins over the environment, and --target '' checks the embedded mock
whatever $WSTRIGGER_TARGET says. The embedded mock restricts browser
origins to https://app.wstrigger.test (or --origin), which every join and
push sends, and refuses https://refused.wstrigger.test (or
--forbidden-origin), so that the checks of browsers all run. The verdict
counts skipped checks by cause; --strict counts a skipped MUST check as a
failure.

Ctrl-C or SIGTERM stops the run: the report folder is written all the
same with what finished (the checks, the load figures so far), marked
interrupted, with no verdict and no SLO judged; a second Ctrl-C quits at
once.

Exit status: 0 when every MUST check passed (skipped ones aside, unless
--strict) and every SLO held, 1 when one did not or the target was lost
during the load run (see "wstrigger help load"), 2 when the flags are
wrong, the target cannot be reached or refuses the credentials, or no
subscription of the load run could join, 130 when interrupted (Ctrl-C,
SIGTERM).`

// checkOptions are the flags of "check".
type checkOptions struct {
	contract     contractOptions
	load         loadOptions
	Out          string
	JSON         string
	stdout       io.Writer // where --json - goes
	SkipLoad     bool
	SkipContract bool
}

func (o *checkOptions) register(e *env, name string) *flag.FlagSet {
	fs := newFlagSet(e, name, "check [--target URL] [--out DIR] [flags]", checkHelp)
	o.load.targetOptions.register(fs, "check", true)
	o.contract.registerSuite(fs)
	o.load.registerDriver(fs)
	for flagName, v := range map[string]string{
		"observe": DefaultCheckObserve.String(), "subscriptions": fmt.Sprint(DefaultCheckSubscriptions),
		"push-rate": fmt.Sprint(DefaultCheckPushRate), "duration": DefaultCheckDuration.String(),
	} {
		f := fs.Lookup(flagName)
		_ = f.Value.Set(v)
		f.DefValue = v
	}
	fs.Lookup("slo").Usage += "; default " + fmt.Sprint(DefaultCheckSLOs)
	fs.StringVar(&o.Out, "out", DefaultCheckOut, "report folder to write (created if missing)")
	fs.StringVar(&o.JSON, "json", "", "also write results.json to this file; - for standard output (the text then goes to standard error)")
	fs.BoolVar(&o.SkipLoad, "skip-load", false, "run the contract suite only")
	fs.BoolVar(&o.SkipContract, "skip-contract", false, "run the load test only")
	fs.BoolVar(&o.load.Quiet, "quiet", false, "print only the verdicts: no line per check, no progress display")
	configFlag(fs)
	return fs
}

func runCheck(ctx context.Context, e *env, args []string) int {
	var o checkOptions
	fs := o.register(e, "check")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger check: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail("unexpected argument %q", pos[0])
	}
	if e, o.stdout, err = stdoutFor(e, []string{"--json"}, o.JSON); err != nil {
		return fail("%v", err)
	}
	suite, err := o.prepare(e)
	if err != nil {
		return fail("%v", err)
	}
	target, creds, stop, err := o.targets(e)
	if err != nil {
		return fail("%v", err)
	}
	defer stop()
	printTarget(e.stdout, target.URL, target.Name)
	fmt.Fprintln(e.stdout)
	invited, status, ok := preflight(ctx, e, "check", target.URL, creds, o.load.clientOptions())
	if !ok {
		return status
	}
	o.load.observeInvited(target.URL, invited)
	res, err := o.runPhases(ctx, e, target, creds, suite)
	if err != nil {
		if ctx.Err() != nil && res == nil {
			return interruptedBefore(e, "check")
		}
		return fail("%v", err)
	}
	if err := writeCheckFiles(o.Out, res); err != nil {
		return fail("%v", err)
	}
	if o.JSON != "" {
		if err := writeOutput(o.stdout, o.JSON, func(w io.Writer) error { return reports.CheckJSON(w, res) }); err != nil {
			return fail("%v", err)
		}
	}
	if err := reports.CheckVerdict(e.stdout, res, o.Out); err != nil {
		return fail("%v", err)
	}
	switch {
	case res.IsInterrupted():
		return exitInterrupted
	case res.Load != nil:
		if err := noneJoined(res.Load); err != nil {
			return fail("%v", err)
		}
		if err := targetLost(res.Load); err != nil {
			fmt.Fprintf(e.stderr, "wstrigger check: %v\n", err)
			return exitFail
		}
	}
	if !res.Passed() {
		return exitFail
	}
	return exitOK
}

// prepare checks the flags and fills what they leave to defaults and to
// the environment, and returns the suite's options; it creates the
// report folder.
func (o *checkOptions) prepare(e *env) (*contract.Options, error) {
	if o.SkipLoad && o.SkipContract {
		return nil, errors.New("--skip-load and --skip-contract leave nothing to run")
	}
	if o.Out == "-" {
		return nil, errors.New("--out names the report folder; for its JSON on standard output, give --json -")
	}
	if err := checkOutPath("--json", o.JSON); err != nil {
		return nil, err
	}
	o.load.resolveTarget(e)
	if err := o.load.resolveGateway(e); err != nil {
		return nil, err
	}
	if o.load.Target == "" { // the embedded mock restricts origins, so that every check runs
		if o.load.Origin == "" {
			o.load.Origin = embeddedPageOrigin
		}
		if o.contract.ForbiddenOrigin == "" {
			o.contract.ForbiddenOrigin = embeddedRefusedOrigin
		}
	}
	o.contract.targetOptions = o.load.targetOptions
	o.contract.Quiet = o.load.Quiet
	if len(o.load.SLOs) == 0 {
		for _, s := range DefaultCheckSLOs {
			slo, err := loadresult.ParseSLO(s)
			if err != nil {
				return nil, fmt.Errorf("default SLO %q: %v", s, err)
			}
			o.load.SLOs = append(o.load.SLOs, slo)
		}
	}
	if !o.SkipLoad {
		if err := o.load.parse(); err != nil {
			return nil, err
		}
		o.load.addSentSLO()
		if err := o.load.checkCapacity(e); err != nil {
			return nil, err
		}
	}
	suite, err := o.contract.suiteOptions(e)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("--out: %v", err)
	}
	return suite, nil
}

// runPhases runs the contract suite, then the load run, each unless
// skipped, printing what each prints. An interruption during the suite
// leaves the load run out (CheckResult.NotRun); one during the load run
// keeps its figures so far. The result is nil only when the suite could
// not start.
func (o *checkOptions) runPhases(ctx context.Context, e *env, target contract.Target, creds protocol.Credentials, suite *contract.Options) (*reports.CheckResult, error) {
	res := reports.NewCheckResult(nil, nil)
	if !o.SkipContract {
		fmt.Fprintln(e.stdout, "Contract suite")
		if !o.contract.Quiet {
			fmt.Fprintln(e.stdout) // before the lines; the footer starts with one
		}
		rep, err := contract.Run(ctx, target, suite)
		if err != nil {
			return nil, err
		}
		res.Contract = rep
		if err := reports.ContractFooter(e.stdout, rep); err != nil {
			return nil, err
		}
	}
	if res.Contract != nil && ctx.Err() != nil {
		res.Interrupted = true
		if !o.SkipLoad {
			res.NotRun = append(res.NotRun, "load")
		}
		return res, nil
	}
	if !o.SkipLoad {
		if res.Contract != nil {
			fmt.Fprintln(e.stdout)
		}
		l, err := runWithProgress(ctx, e, &o.load, target.URL, creds)
		if err != nil {
			return nil, err
		}
		l.Meta.TargetName, l.Meta.Version = target.Name, version()
		l.CheckSLOs(o.load.SLOs)
		res.Load, res.Interrupted = l, l.Interrupted
		if err := reports.LoadText(e.stdout, l); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// The origins of the embedded mock's allow-list: the page allowed, whose
// Origin every join and push sends (unless --origin names another, which
// the list then holds), and one it refuses, for the check of refused
// origins (CORS-005). With them the main job runs every check.
const (
	embeddedPageOrigin    = "https://app.wstrigger.test"
	embeddedRefusedOrigin = "https://refused.wstrigger.test"
)

// targets returns the target of both phases and a function that releases
// it: --target (or $WSTRIGGER_TARGET, resolved already) with its
// credentials, or one embedded mock.
func (o *checkOptions) targets(e *env) (contract.Target, protocol.Credentials, func(), error) {
	if o.load.Target != "" {
		t, stop, err := o.contract.suiteTarget(e)
		return t, t.Credentials, stop, err
	}
	srv, err := mockserver.New(&mockserver.Options{Speed: mockserver.DefaultSpeed, AllowedOrigins: []string{o.load.Origin}})
	if err != nil {
		return contract.Target{}, protocol.Credentials{}, nil, err
	}
	if !o.load.Quiet {
		fmt.Fprintf(e.stderr, "no --target and no $%s: checking the embedded mock at %s\n", envTarget, srv.URL)
	}
	o.load.observeEmbedded(srv)
	t := mockTarget(srv.URL)
	return t, t.Credentials, srv.Close, nil
}
