package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

const reportCompareHelp = `
Compares two load runs, for before/after performance work, as a
benchstat-style table: every figure (throughput achieved, pushes accepted
per second, delivered %, each latency kind's p50, p90, p99 and max, and
errors) old and new, the change in percent, and whether the change is
significant at alpha 0.05 with its p-value and its adjusted p-value q;
the change reads "~" when it is not.

Rates, errors and latency percentiles are tested on their per-second
samples from the interval series (the pushing seconds and the draining
seconds that recorded the figure; for connect and first frame the
seconds that recorded one) with a two-sided Mann-Whitney U test, normal
approximation with tie correction ("n=" the samples of each run: a run
needs several seconds of each for a verdict). The delivered share is
tested with a two-proportion z-test on the pushes accepted and received
("of" the pushes accepted in each run). The p-values are adjusted for
the number of figures tested (Benjamini-Hochberg): a change is
significant when q < 0.05, so that two runs of one configuration read
"~" on their rows but by rare chance. Each run's driver warnings (a
driver busy or behind its schedule) are repeated above the table.

--fail-if RULE (repeatable) gates CI on a regression: a metric, an
operator and a change in percent of the old figure, such as
'push.p99>+10%' or 'rate<-5%'. The metrics are the --slo names of the
table's rows: rate, accepted, delivered, errors, and push, service,
response, connect, first-frame with .p50 .p90 .p99 or .max. A rule trips
when its figure changed past it and the change is significant (q < 0.05):
a change past it within the noise of two runs holds, and so does one
with too few samples to test (its line says so: run longer). Each rule's
verdict is printed under the table.

Examples:
  wstrigger report compare before.json after.json
  wstrigger report compare --fail-if 'push.p99>+10%' --fail-if 'rate<-5%' main.json pr.json

OLD.json and NEW.json are --json files of "load", merged shards of
"report merge" or results.json of "check" (its load part).

Exit status: 0 when the table was written (and no --fail-if rule
tripped), 1 when a --fail-if rule tripped, 2 when the arguments are wrong
or a file cannot be read, 130 when interrupted (Ctrl-C, SIGTERM) before
the table was written.`

func runReportCompare(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "report compare", "report compare [--fail-if RULE]... OLD.json NEW.json", reportCompareHelp)
	var gates []reports.Gate
	fs.Func("fail-if", "regression rule such as 'push.p99>+10%' or 'rate<-5%': exit 1 when it trips (repeatable)", func(s string) error {
		g, err := reports.ParseGate(s)
		if err == nil {
			gates = append(gates, g)
		}
		return err
	})
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger report compare: "+format+"\n", a...)
		return exitUsage
	}
	if len(pos) != 2 {
		return fail("want OLD.json and NEW.json, got %d arguments", len(pos))
	}
	old, err := readLoadFile(pos[0])
	if err != nil {
		return fail("%v", err)
	}
	cur, err := readLoadFile(pos[1])
	if err != nil {
		return fail("%v", err)
	}
	if ctx.Err() != nil {
		return interruptedReport(e, "compare")
	}
	for _, r := range []*loadresult.Result{old, cur} {
		if r.Interrupted {
			fmt.Fprintf(e.stderr, "wstrigger report compare: note: the run started %s was interrupted: its figures stop short\n", r.Meta.Started.UTC().Format(time.RFC3339))
		}
	}
	verdicts, err := reports.CompareGates(e.stdout, old, cur, gates)
	if err != nil {
		return fail("%v", err)
	}
	var tripped []string
	for _, v := range verdicts {
		if v.Tripped {
			tripped = append(tripped, v.Gate.Text)
		}
	}
	if len(tripped) > 0 {
		fmt.Fprintf(e.stderr, "wstrigger report compare: regression: %s tripped\n", strings.Join(tripped, ", "))
		return exitFail
	}
	return exitOK
}
