package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

const reportMergeHelp = `
Merges the --json results of the shards of one load run ("wstrigger load
--shard K/N --json FILE" in N processes, on one machine or several) into
one load result that reads as if one driver had run them all, writes it
to OUT.json and prints its summary. Counts are added; latency histograms,
the run's and each interval's, are merged and every percentile recomputed
from the merged histogram (never averaged); interval series are aligned
by wall-clock second. Meta and config are the first file's, with the list
of shards in config.shard. The mock check and the SLO verdicts of the
shards are left out; --slo checks objectives on the merged figures
instead, as "wstrigger load --slo" does on one process's.

It refuses results of a newer schema version, of different splits (K/3
and K/4) or a shard given twice, and a set that lacks a shard of the
split (0/3 and 1/3 without 2/3): the merge would read as the whole run
while it holds only part of its subscriptions and pushes. --allow-partial
merges such a set all the same, and says which shards are missing.

A shard that was interrupted makes the merged result interrupted: its
SLOs are then not judged.

Exit status: 0 when OUT.json was written and every --slo held, 1 when an
SLO failed (OUT.json is written all the same, with the verdicts), 2 when
the arguments are wrong or the files cannot be read or merged, 130 when
interrupted (Ctrl-C, SIGTERM) before OUT.json was written (then nothing
is), or when a merged shard was interrupted (OUT.json is written, marked
interrupted).`

func runReportMerge(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "report merge", "report merge -o OUT.json A.json B.json ...", reportMergeHelp)
	out := fs.String("o", "", "merged load result to write (required; - for stdout)")
	quiet := fs.Bool("quiet", false, "do not print the merged summary")
	partial := fs.Bool("allow-partial", false, "merge a set that lacks some shards of the split (it is refused otherwise)")
	var slos []loadresult.SLO
	sloFlag(fs, &slos)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger report merge: "+format+"\n", a...)
		return exitUsage
	}
	if *out == "" {
		return fail("-o OUT.json is required")
	}
	if len(pos) == 0 {
		return fail("want one or more load results to merge")
	}
	if err := checkOutPath("-o", *out); err != nil {
		return fail("%v", err)
	}
	if in, same := sameFile(*out, pos...); same {
		return fail("-o %s would overwrite the input %s", *out, in)
	}
	results := make([]*loadresult.Result, 0, len(pos))
	for _, path := range pos {
		r, err := readLoadFile(path)
		if err != nil {
			return fail("%v", err)
		}
		results = append(results, r)
	}
	merged, err := loadresult.Merge(results...)
	if err != nil {
		return fail("%v", err)
	}
	if missing := merged.Config.MissingShards(); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, sh := range missing {
			names[i] = sh.String()
		}
		what := fmt.Sprintf("%d of %d shards, missing %s", missing[0].N-len(missing), missing[0].N, strings.Join(names, ", "))
		if !*partial {
			return fail("incomplete set: %s; merge every shard of the run, or pass --allow-partial", what)
		}
		fmt.Fprintf(e.stderr, "wstrigger report merge: partial merge (--allow-partial): %s; the figures are those of the merged shards only\n", what)
	}
	passed := merged.CheckSLOs(slos)
	if ctx.Err() != nil {
		return interruptedReport(e, "merge")
	}
	write := func(w io.Writer) error { return writeLoadJSON(w, merged) }
	if *out == "-" {
		err = write(e.stdout)
	} else {
		err = writeFile(*out, write)
	}
	if err != nil {
		return fail("%v", err)
	}
	if !*quiet {
		summary := e.stdout
		if *out == "-" { // stdout holds the JSON
			summary = e.stderr
		}
		if err := reports.LoadText(summary, merged); err != nil {
			return fail("%v", err)
		}
	}
	if merged.Interrupted {
		fmt.Fprintln(e.stderr, "wstrigger report merge: a shard was interrupted: the merged result is marked interrupted and no SLO was judged")
		return exitInterrupted
	}
	if !passed {
		if *quiet { // the summary would have said which
			for _, v := range merged.SLOs {
				if !v.Passed {
					fmt.Fprintf(e.stderr, "wstrigger report merge: SLO FAIL %s (actual %s)\n", v.SLO, v.Actual)
				}
			}
		}
		return exitFail
	}
	return exitOK
}

// readLoadFile reads a load result from path; the load part of a check
// result will do too.
func readLoadFile(path string) (*loadresult.Result, error) {
	res, err := readResultFile(path)
	if err != nil {
		return nil, err
	}
	if res.Load == nil {
		return nil, fmt.Errorf("%s: holds no load result", path)
	}
	return res.Load, nil
}
