package main

import (
	"context"
	"fmt"

	"github.com/wstrigger/wstrigger/reports"
)

const reportCompareHelp = `
Compares two load runs, for before/after performance work, as a
benchstat-style table: every figure (throughput achieved, pushes accepted
per second, delivered %, each latency kind's p50, p90, p99 and max, and
errors) old and new, the change in percent and, where the runs keep
per-second samples of the figure (the pushing seconds of the interval
series: throughput, accepted, errors and end-to-end p50, p99 and max), a
two-sided Mann-Whitney U test (normal approximation with tie correction,
alpha 0.05): the delta reads "~" when the samples do not differ
significantly, followed by the p-value and the sample counts.

OLD.json and NEW.json are --json files of "load", merged shards of
"report merge" or results.json of "check" (its load part).

Exit status: 0 when the table was written, 2 when the arguments are wrong
or a file cannot be read.`

func runReportCompare(_ context.Context, e *env, args []string) int {
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
	if err := reports.Compare(e.stdout, old, cur); err != nil {
		return fail("%v", err)
	}
	return exitOK
}
