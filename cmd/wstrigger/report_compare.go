package main

import (
	"context"
	"fmt"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

const reportCompareHelp = `
Compares two load runs, for before/after performance work, as a
benchstat-style table: every figure (throughput achieved, pushes accepted
per second, delivered %, each latency kind's p50, p90, p99 and max, and
errors) old and new, the change in percent, and whether the change is
significant at alpha 0.05 with its p-value; the change reads "~" when it
is not.

Rates, errors and latency percentiles are tested on their per-second
samples from the interval series (the pushing seconds; for connect and
first frame the seconds that recorded one) with a two-sided Mann-Whitney
U test, normal approximation with tie correction ("n=" the samples of
each run: a run needs several seconds of each for a verdict). The
delivered share is tested with a two-proportion z-test on the pushes
accepted and received ("of" the pushes accepted in each run).

OLD.json and NEW.json are --json files of "load", merged shards of
"report merge" or results.json of "check" (its load part).

Exit status: 0 when the table was written, 2 when the arguments are wrong
or a file cannot be read, 130 when interrupted (Ctrl-C, SIGTERM) before
the table was written.`

func runReportCompare(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "report compare", "report compare OLD.json NEW.json", reportCompareHelp)
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
	if err := reports.Compare(e.stdout, old, cur); err != nil {
		return fail("%v", err)
	}
	return exitOK
}
