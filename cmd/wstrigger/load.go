package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/sync/errgroup"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/reports"
)

const loadHelp = `
Load-tests an implementation (--target, or without it the embedded mock
in-process): holds --subscriptions sessions joined at --connect-rate, each
with a pattern from a mix (--patterns FILE, one per line), and pushes at
--push-rate (or --stages) on an open model: pushes go out on schedule
whatever the answers, and latency counts from each push's intended send
time, so a stalled target shows as latency instead of a slower driver.
--push-rate 0 holds the subscriptions idle for --duration, pushing
nothing: the run then reports how many it held and the driver's memory
per subscription.

It prints the delivery accounting (every accepted push received exactly
once, lost, duplicated, late or out of order; seq gaps; the invariant
accepted = received + lost), latency percentiles (push end-to-end, service
time, push response, connect, first frame), errors by class, and, against
the embedded mock or a 'wstrigger mock' (which says so when it accepts a
join), a reconciliation with its /_mock/stats; any other target is sent
nothing but joins and pushes. --json writes all of it with the interval
series and the HdrHistograms.

The first line names the target loaded. The target and its credentials
come from --target, --access-token and --secret-key or, for a flag not
given, from $WSTRIGGER_TARGET, $WSTRIGGER_ACCESS_TOKEN and
$WSTRIGGER_SECRET_KEY; a flag wins over the environment, and --target ''
loads the embedded mock whatever $WSTRIGGER_TARGET says.

A run split over N processes (--shard K/N, one per process or machine)
starts together with --start-at TIME (RFC 3339, the same for every
shard): each shard joins its subscriptions, then waits for TIME to begin
pushing. A TIME already more than a second past is refused; a shard
whose joins overrun TIME begins when they end, and its result warns.
Each result records its push start; "wstrigger report merge" prints how
far apart the shards began and refuses a set too far apart.

--calibrate first runs the same subscriptions (this shard's) at the
run's highest push rate for up to 5s against an in-process target that
does no work beyond the protocol, and reports that run's latency as the
driver floor beside the run's: the part of every latency that is the
driver's and this machine's, not the target's.

Ctrl-C or SIGTERM stops the run within about --push-timeout, even
against a frozen target: it closes the sessions (dropping those whose
close is not answered in time), prints and writes (--json) the figures
so far, marked interrupted, and judges no SLO. A second Ctrl-C quits at
once with status 130, first writing to --json what is known so far,
marked interrupted, with a warning that its subscription figures are
the live counts only (no mock check, no driver health).

--metrics-addr ADDR (such as :9090) serves Prometheus metrics at
http://ADDR/metrics while the run goes on, each labelled shard="K/N":
pushes scheduled, sent, accepted, rejected, received, late and, once the
run has ended, lost; the end-to-end latency histogram (warmup left out);
open subscriptions, reconnects, the driver's CPU; against the embedded
mock, the mock's metrics too. Once the run has ended they equal the
result's figures and are served until the command exits: the result
(--json), not the last scrape, is the record of the run.

--slo 'push.p99<50ms' --slo 'errors<0.1%' --slo 'delivered>=99.99%' set
the exit status. delivered is the share of the accepted pushes received;
sent, the share of the pushes due that were sent (a push due when its
subscription had no open session is not): a run that pushes is judged by
sent>=99% too, unless an --slo names sent. Push latencies count a push
accepted but not received by the end at its age then (censored, a lower
bound). Status: 0 when all pass, 1 when one fails (an SLO with nothing
measured for it fails) or the target was lost during the run (no session
open at its end, or most pushes without an answer), 2 on bad flags, when --metrics-addr cannot be
listened on, when the target is unreachable, answers 404 on the join
path or refuses the credentials (a join is tried first), or when no
subscription could join during the run, 130 when interrupted (Ctrl-C,
SIGTERM).`

// loadOptions are the flags of "load".
type loadOptions struct {
	targetOptions
	opts        load.Options
	Patterns    string
	Stages      string
	Skew        string
	Shard       string
	SLOs        []loadresult.SLO
	JSON        string
	Quiet       bool
	Reconnect   bool
	StartAt     string
	Calibrate   bool
	fileLimit   uint64 // the open-file limit checkCapacity found; 0 unknown
	MetricsAddr string
	metrics     *metrics.Server // the --metrics-addr server, nil without
	stdout      io.Writer       // where --json - goes
}

func (o *loadOptions) register(fs *flag.FlagSet) {
	o.targetOptions.register(fs, "load", true)
	o.registerDriver(fs)
	fs.StringVar(&o.JSON, "json", "", "write the results as JSON (versioned shape) to this file; - for standard output (the text then goes to standard error)")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress display")
	fs.BoolVar(&o.Calibrate, "calibrate", false, "first measure the driver's own latency floor against an in-process target that does no work, and report it beside the run's")
	fs.StringVar(&o.StartAt, "start-at", "", "join, then begin pushing at this RFC 3339 time (such as 2026-12-03T18:00:00Z), the same for every shard")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", metricsAddrUsage)
	configFlag(fs)
}

// registerDriver registers the flags that shape the run itself, shared
// by "load" and "check".
func (o *loadOptions) registerDriver(fs *flag.FlagSet) {
	fs.IntVar(&o.opts.Subscriptions, "subscriptions", load.DefaultSubscriptions, "subscriptions to hold, over all shards")
	fs.Float64Var(&o.opts.ConnectRate, "connect-rate", load.DefaultConnectRate, "joins per second while ramping up")
	fs.StringVar(&o.Patterns, "patterns", "", "file of patterns, one per line (default: an embedded mix)")
	fs.Float64Var(&o.opts.PushRate, "push-rate", load.DefaultPushRate, "pushes per second, over all shards; 0 holds the subscriptions idle for --duration")
	fs.StringVar(&o.Stages, "stages", "", "push stages instead of --push-rate and --duration, such as 30s:1000,60s:5000")
	fs.DurationVar(&o.opts.Duration, "duration", load.DefaultDuration, "how long to push (after the warmup)")
	fs.DurationVar(&o.opts.Warmup, "warmup", 0, "push this long first, left out of latencies and rates")
	fs.IntVar(&o.opts.PayloadSize, "payload-size", load.DefaultPayloadSize, "bytes of each push body")
	fs.StringVar(&o.Skew, "skew", "uniform", "how pushes pick subscriptions: uniform or zipf:S (S > 1)")
	fs.DurationVar(&o.opts.PushTimeout, "push-timeout", load.DefaultPushTimeout, "push request timeout; frames later than this after the intended time are late")
	fs.IntVar(&o.opts.Workers, "workers", load.DefaultWorkers, "push requests in flight at most")
	fs.BoolVar(&o.opts.NoReconnect, "no-reconnect", false, "do not reconnect sessions the server closes")
	fs.DurationVar(&o.opts.BackoffBase, "backoff-base", load.DefaultBackoffBase, "reconnects wait a full-jitter exponential backoff from this")
	fs.DurationVar(&o.opts.BackoffMax, "backoff-max", load.DefaultBackoffMax, "... up to this")
	fs.BoolVar(&o.opts.NoBackoffJitter, "no-backoff-jitter", false, "reconnects wait the backoff's ceiling, no jitter: a thundering herd, to measure what the jitter spares a server")
	fs.StringVar(&o.Shard, "shard", "0/1", "this process's part K/N of a run split over N processes")
	sloFlag(fs, &o.SLOs)
}

// sloFlag defines the repeatable --slo flag, appending to slos.
func sloFlag(fs *flag.FlagSet, slos *[]loadresult.SLO) {
	fs.Var(repeatable(func(s string) error {
		slo, err := loadresult.ParseSLO(s)
		if err == nil {
			*slos = append(*slos, slo)
		}
		return err
	}), "slo", "objective such as 'push.p99<50ms', 'errors<0.1%', 'delivered>=99.99%' (repeatable); metrics: "+loadresult.SLOMetrics)
}

// parse fills the parts of the options that need parsing.
func (o *loadOptions) parse() error {
	var err error
	o.opts.Origin = o.Origin
	if o.Stages != "" {
		if o.opts.Stages, err = load.ParseStages(o.Stages); err != nil {
			return fmt.Errorf("--stages: %w", err)
		}
	}
	if o.opts.Skew, err = load.ParseSkew(o.Skew); err != nil {
		return fmt.Errorf("--skew: %w", err)
	}
	if o.opts.Shard, err = loadresult.ParseShard(o.Shard); err != nil {
		return fmt.Errorf("--shard: %w", err)
	}
	if o.Patterns != "" {
		f, err := os.Open(o.Patterns)
		if err != nil {
			return fmt.Errorf("--patterns: %w", err)
		}
		defer f.Close()
		if o.opts.Patterns, err = load.ParsePatterns(f); err != nil {
			return fmt.Errorf("--patterns %s: %w", o.Patterns, err)
		}
	}
	if o.StartAt != "" {
		at, err := time.Parse(time.RFC3339, o.StartAt)
		if err != nil {
			return fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-12-03T18:00:00Z", o.StartAt)
		}
		if past := time.Since(at); past > load.StartAtTolerance {
			return fmt.Errorf("--start-at %s is already %v past: give every shard a time still to come", o.StartAt, past.Round(time.Millisecond))
		}
		o.opts.StartAt = at
	}
	if o.opts.Subscriptions < 1 {
		return errors.New("--subscriptions must be at least 1")
	}
	if !(o.opts.PushRate >= 0) || math.IsInf(o.opts.PushRate, 0) {
		return fmt.Errorf("--push-rate %v: want pushes per second, 0 or more (0 holds the subscriptions idle)", o.opts.PushRate)
	}
	for _, c := range []struct {
		bad  bool
		flag string
		want string
	}{
		{!(o.opts.ConnectRate > 0) || math.IsInf(o.opts.ConnectRate, 0), "--connect-rate", "a positive number of joins per second"},
		{o.opts.Duration <= 0 && len(o.opts.Stages) == 0, "--duration", "a positive duration"},
		{o.opts.Warmup < 0, "--warmup", "a duration, 0 or more"},
		{o.opts.Workers < 1, "--workers", "at least 1"},
		{o.opts.PushTimeout <= 0, "--push-timeout", "a positive duration"},
		{o.opts.PayloadSize < 1, "--payload-size", "at least 1 byte"},
	} {
		if c.bad {
			return fmt.Errorf("%s: want %s", c.flag, c.want)
		}
	}
	if o.opts.PushRate == 0 && len(o.opts.Stages) == 0 {
		if o.opts.Warmup > 0 {
			return errors.New("--warmup pushes: it needs a --push-rate above 0")
		}
		if o.Calibrate {
			return errors.New("--calibrate measures push latency: it needs a --push-rate above 0")
		}
		o.opts.Idle = true
	}
	if err := o.opts.Check(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "load: options: "))
	}
	return nil
}

// DefaultSentSLO is the objective "load" and "check" add to a run that
// pushes unless an --slo names its metric: delivered is a share of the
// accepted pushes only, blind to those never sent, so a target lost
// mid-run, which leaves the rest of the schedule unsent, would pass it.
const DefaultSentSLO = "sent>=99%"

// addSentSLO adds DefaultSentSLO to the objectives of a run that
// pushes, unless one of them is on sent already.
func (o *loadOptions) addSentSLO() {
	if o.opts.Idle {
		return
	}
	for _, s := range o.SLOs {
		if s.Metric == "sent" {
			return
		}
	}
	slo, err := loadresult.ParseSLO(DefaultSentSLO)
	if err != nil {
		panic(err) // a constant
	}
	o.SLOs = append(o.SLOs, slo)
}

// targetLost is the error of a run whose target was lost on the way,
// whatever its SLOs: no session open at the end although some joined,
// or no answer to most of the pushes sent.
func targetLost(res *load.Result) error {
	s, p := res.Subscriptions, res.Pushes
	switch {
	case s.Joined > 0 && s.OpenAtEnd == 0:
		return fmt.Errorf("the target was lost: no session was open at the end of the run (%d subscriptions had joined; %d of %d pushes due went unsent)",
			s.Joined, p.Due()-min(p.Sent, p.Due()), p.Due())
	case p.Sent > 0 && 2*p.Failed > p.Sent:
		return fmt.Errorf("the target was lost: %d of %d pushes sent had no answer (timeout or transport error)", p.Failed, p.Sent)
	}
	return nil
}

// noneJoined is the error of a run in which no subscription ever
// joined: the target is unreachable, or refuses the credentials or the
// patterns. It names the most frequent error.
func noneJoined(res *load.Result) error {
	if res.Subscriptions.Joined > 0 || res.Subscriptions.Requested == 0 {
		return nil
	}
	why := "no error was recorded"
	if len(res.Errors) > 0 {
		top := res.Errors[0] // the most frequent; a join error if there is one
		for _, c := range res.Errors {
			if c.Kind == loadresult.KindDial || c.Kind == loadresult.KindHandshake || strings.HasSuffix(c.Key, " join") {
				top = c
				break
			}
		}
		why = fmt.Sprintf("%d× %s", top.Count, top.Key)
		if len(top.Examples) > 0 {
			why += ", e.g. " + top.Examples[0]
		}
	}
	return fmt.Errorf("no subscription could join %s (%s): check the target, the credentials and the patterns", res.Meta.Target, why)
}

func runLoad(ctx context.Context, e *env, args []string) int {
	var o loadOptions
	fs := newFlagSet(e, "load", "load [--target URL] [flags]", loadHelp)
	o.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger load: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail("unexpected argument %q", pos[0])
	}
	if err := o.parse(); err != nil {
		return fail("%v", err)
	}
	o.addSentSLO()
	if err := checkOutPath("--json", o.JSON); err != nil {
		return fail("%v", err)
	}
	if e, o.stdout, err = stdoutFor(e, []string{"--json"}, o.JSON); err != nil {
		return fail("%v", err)
	}
	if err := o.resolveGateway(e); err != nil {
		return fail("%v", err)
	}
	if o.metrics, err = listenMetrics(e, o.MetricsAddr); err != nil {
		return fail("%v", err)
	}
	defer closeMetrics(o.metrics)
	mock := o.resolveTarget(e)
	if !mock {
		if _, err := o.resolve(e); err != nil {
			return fail("%v", err)
		}
	}
	name := ""
	if mock {
		name = embeddedMockName
	}
	printTarget(e.stdout, o.Target, name)
	if err := o.checkCapacity(e); err != nil {
		return fail("%v", err)
	}
	target, creds, stop, err := o.loadTarget(e)
	if err != nil {
		return fail("%v", err)
	}
	defer stop()
	invited, status, ok := preflight(ctx, e, "load", target, creds, o.clientOptions())
	if !ok {
		return status
	}
	o.observeInvited(target, invited)
	floor, status, ok := o.calibrate(ctx, e)
	if !ok {
		return status
	}
	res, err := runWithProgress(ctx, e, &o, target, creds)
	if err != nil {
		return fail("%v", err)
	}
	res.DriverFloor = floor
	res.Meta.TargetName, res.Meta.Version = name, version()
	passed := res.CheckSLOs(o.SLOs)
	if err := reports.LoadText(e.stdout, res); err != nil {
		return fail("%v", err)
	}
	if o.JSON != "" {
		if err := writeOutput(o.stdout, o.JSON, func(w io.Writer) error { return writeLoadJSON(w, res) }); err != nil {
			return fail("%v", err)
		}
	}
	if res.Interrupted {
		fmt.Fprintln(e.stderr, "wstrigger load: interrupted: the figures are those of the run so far; no SLO was judged")
		return exitInterrupted
	}
	if err := noneJoined(res); err != nil {
		return fail("%v", err)
	}
	if err := targetLost(res); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger load: %v\n", err)
		return exitFail
	}
	if !passed {
		return exitFail
	}
	return exitOK
}

// writeSnapshot writes what is known of d's run to --json, marked
// interrupted, when a second Ctrl-C quits before the run has stopped.
func (o *loadOptions) writeSnapshot(e *env, d *load.Driver) {
	res := d.Snapshot()
	res.Meta.Version = version()
	if o.Target == "" {
		res.Meta.TargetName = embeddedMockName
	}
	if err := writeOutput(o.stdout, o.JSON, func(w io.Writer) error { return writeLoadJSON(w, res) }); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger load: %v\n", err)
		return
	}
	where := o.JSON
	if where == "-" {
		where = "standard output"
	}
	fmt.Fprintf(e.stderr, "wstrigger load: wrote the figures so far to %s, marked interrupted\n", where)
}

func writeLoadJSON(w io.Writer, r *load.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// checkCapacity raises the open-file limit and refuses a shard larger
// than one process can hold.
func (o *loadOptions) checkCapacity(e *env) error {
	was, soft, err := load.RaiseFileLimit()
	if err != nil {
		return nil // nothing to check against
	}
	if !o.Quiet && was < soft {
		fmt.Fprintf(e.stderr, "raised the open-file limit from %d to the hard limit, %d\n", was, soft)
	} else if !o.Quiet {
		fmt.Fprintf(e.stderr, "open-file limit: %d (the hard limit)\n", soft)
	}
	n := o.opts.Subscriptions / o.opts.Shard.N
	if o.opts.Subscriptions%o.opts.Shard.N > o.opts.Shard.K {
		n++
	}
	inProcess := o.Target == ""
	workers := o.opts.Workers
	if o.opts.Idle {
		workers = 1 // no push connections, but one to read an invited mock's counters
	}
	o.fileLimit = soft
	if most := load.MaxSubscriptions(soft, workers, inProcess); n > most {
		where := "one process"
		if inProcess {
			where = "one process that also runs the embedded mock (two files per subscription; run 'wstrigger mock' apart and pass --target)"
		}
		return fmt.Errorf("%d subscriptions in this process, but %s can hold about %d under its limit of %d open files: split the run with --shard K/N over %d or more processes (each with --shard 0/N, 1/N, ...)",
			n, where, most, soft, (o.opts.Subscriptions+most-1)/max(most, 1))
	}
	return nil
}

// calibrate measures the driver's floor when --calibrate asks for it,
// before the run: ok is false, with the exit status, when it could not.
func (o *loadOptions) calibrate(ctx context.Context, e *env) (*loadresult.DriverFloor, int, bool) {
	if !o.Calibrate {
		return nil, exitOK, true
	}
	most := 0
	if o.fileLimit > 0 { // both ends of each subscription are in this process
		most = load.MaxSubscriptions(o.fileLimit, o.opts.Workers, true)
	}
	if !o.Quiet {
		fmt.Fprintf(e.stderr, "wstrigger load: calibrating: the same subscriptions and rate against an in-process target that does no work, for up to %v\n", load.DefaultCalibration)
	}
	target, err := mockserver.New(&mockserver.Options{Recording: []protocol.RecordingLine{}, NoControl: true})
	if err != nil {
		fmt.Fprintf(e.stderr, "wstrigger load: calibrate: %v\n", err)
		return nil, exitUsage, false
	}
	defer target.Close()
	floor, err := load.Calibrate(ctx, target.URL, protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey}, &o.opts, 0, most)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(e.stderr, "wstrigger load: interrupted while calibrating: the run did not start")
		return nil, exitInterrupted, false
	case err != nil:
		fmt.Fprintf(e.stderr, "wstrigger load: %v\n", err)
		return nil, exitUsage, false
	}
	return floor, exitOK, true
}

// loadTarget returns the target (resolved by resolveTarget) and its
// credentials, starting the embedded mock when there is none, and a
// function that stops it.
func (o *loadOptions) loadTarget(e *env) (string, protocol.Credentials, func(), error) {
	if o.Target != "" {
		creds, err := o.resolve(e)
		return o.Target, creds, func() {}, err
	}
	srv, err := mockserver.New(&mockserver.Options{Speed: mockserver.DefaultSpeed})
	if err != nil {
		return "", protocol.Credentials{}, nil, err
	}
	if !o.Quiet {
		fmt.Fprintf(e.stderr, "no --target and no $%s: loading the embedded mock at %s\n", envTarget, srv.URL)
	}
	o.observeEmbedded(srv)
	if o.metrics != nil {
		if err := metrics.RegisterMock(o.metrics.Registry, srv); err != nil {
			srv.Close()
			return "", protocol.Credentials{}, nil, err
		}
	}
	return srv.URL, protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey}, srv.Close, nil
}

// runWithProgress runs the driver with a progress display on stderr:
// mpb bars on a terminal, a plain line per second otherwise, nothing
// with --quiet.
func runWithProgress(ctx context.Context, e *env, o *loadOptions, target string, creds protocol.Credentials) (*load.Result, error) {
	opts := o.opts
	// The join ramp's garbage would otherwise stay resident through the
	// run, as most of an idle subscription's memory figure.
	opts.OnJoined = debug.FreeOSMemory
	if gw := o.gw; gw != nil {
		opts.Header, opts.TLSConfig, opts.Proxy = gw.header, gw.tls, gw.proxy
	}
	tty := isTerminal(e.stderr) && !strings.EqualFold(e.getenv("TERM"), "dumb")
	if !o.Quiet && !tty {
		opts.OnInterval = func(iv load.Interval) { fmt.Fprintln(e.stderr, reports.IntervalLine(iv)) }
	}
	d, err := load.New(target, creds, &opts)
	if err != nil {
		return nil, err
	}
	if o.JSON != "" {
		e.lastWords.set(func() { o.writeSnapshot(e, d) })
		defer e.lastWords.set(nil)
	}
	if o.metrics != nil {
		if err := metrics.RegisterDriver(o.metrics.Registry, d); err != nil {
			return nil, err
		}
	}
	if !o.Quiet {
		what := "pushes"
		if opts.Idle {
			what = "held idle"
		}
		fmt.Fprintf(e.stderr, "loading %s: %d subscriptions, %s for %v\n", protocol.RedactURLString(target), d.Live().Subscriptions, what, d.Live().PushDuration)
	}
	if o.Quiet || !tty {
		return d.Run(ctx)
	}
	return runBars(ctx, e.stderr, d)
}

// runBars runs d under two mpb bars: subscriptions joined, and the push
// schedule with its live figures.
func runBars(ctx context.Context, w io.Writer, d *load.Driver) (*load.Result, error) {
	l := d.Live()
	p := mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(200*time.Millisecond))
	joined := p.AddBar(int64(l.Subscriptions),
		mpb.PrependDecorators(decor.Name("joined  ", decor.WCSyncSpaceR), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			l := d.Live()
			return fmt.Sprintf("open %d  reconnects %d", l.Open, l.Reconnects)
		})))
	total := max(l.PushDuration.Milliseconds(), 1)
	run := p.AddBar(total,
		mpb.PrependDecorators(decor.Name("pushing ", decor.WCSyncSpaceR), decor.Any(func(decor.Statistics) string {
			l := d.Live()
			return fmt.Sprintf("%v / %v", l.Elapsed.Round(100*time.Millisecond), l.PushDuration)
		}, decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			l := d.Live()
			return fmt.Sprintf("%s  %.0f/s of %.0f/s  frames %.0f/s  p99 %v  errors %d", l.Phase, l.Last.PerSecond(l.Last.Sent), l.Last.TargetRate,
				l.Last.PerSecond(l.Last.Frames), time.Duration(l.Last.Latency.PushEndToEnd.P99Us)*time.Microsecond, l.Errors)
		})))
	updCtx, stopUpd := context.WithCancel(ctx)
	var g errgroup.Group
	g.Go(func() error {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			l := d.Live()
			joined.SetCurrent(l.Joined)
			run.SetCurrent(min(l.Elapsed.Milliseconds(), total-1))
			select {
			case <-t.C:
			case <-updCtx.Done():
				return nil
			}
		}
	})
	res, err := d.Run(ctx)
	stopUpd()
	_ = g.Wait()
	joined.SetTotal(-1, true)
	run.SetTotal(-1, true)
	p.Wait()
	return res, err
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
