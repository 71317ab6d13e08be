package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

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

An argument may be a folder: every *.json file in it is read, but
dotfiles (files being written) and the merge's own outputs. --wait D
reads the arguments again every second until they hold every shard of
the split, for at most D: the merge step of a distributed run starts
with the shards and waits for their results (a named file not there yet
is no error while waiting). --html FILE writes the merged HTML report
too.

It refuses results of a newer schema version, of different splits (K/3
and K/4) or a shard given twice. It also refuses, unless --allow-partial
is given, a set that
  - lacks a shard of the split (0/3 and 1/3 without 2/3): the merge would
    read as the whole run while it holds only part of it;
  - is not of one run: another target, or other settings (rate, stages,
    duration, patterns, start time, ...) but the per-process ones
    (shard, workers, source addresses); each difference is listed;
  - began pushing further apart than --max-skew (default 1s): the shards
    did not load the target together (start them with --start-at).
It prints the push start skew of every merge: the latest shard's push
start minus the earliest's, as their clocks tell it (clocks of several
machines differ by their synchronisation error, milliseconds under
NTP). With --allow-partial it merges such a set all the same and says
what is wrong with it.

A shard that was interrupted makes the merged result interrupted: its
SLOs are then not judged.

Exit status: 0 when OUT.json was written and every --slo held, 1 when an
SLO failed (OUT.json is written all the same, with the verdicts), 2 when
the arguments are wrong or the files cannot be read or merged, 130 when
interrupted (Ctrl-C, SIGTERM) before OUT.json was written (then nothing
is), or when a merged shard was interrupted (OUT.json is written, marked
interrupted).`

func runReportMerge(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "report merge", "report merge -o OUT.json [--html FILE] [--wait D] A.json B.json ... | DIR", reportMergeHelp)
	out := fs.String("o", "", "merged load result to write (required; - for stdout)")
	html := fs.String("html", "", "also write the merged result's HTML report to this file; - for standard output")
	quiet := fs.Bool("quiet", false, "do not print the merged summary")
	partial := fs.Bool("allow-partial", false, "merge a set that lacks shards, mixes configurations or started too far apart (it is refused otherwise)")
	wait := fs.Duration("wait", 0, "wait this long for the set of shards to be complete, reading the arguments again every second")
	maxSkew := fs.Duration("max-skew", defaultMaxSkew, "refuse a set whose push starts are further apart than this")
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
	switch {
	case *out == "":
		return fail("-o OUT.json is required")
	case len(pos) == 0:
		return fail("want one or more load results to merge, or a folder of them")
	case *wait < 0 || *maxSkew < 0:
		return fail("--wait and --max-skew must not be negative")
	}
	outputs := []string{*out}
	if *html != "" {
		outputs = append(outputs, *html)
	}
	text, stdout, err := stdoutFor(e, []string{"-o", "--html"}, *out, *html)
	if err != nil {
		return fail("%v", err)
	}
	for _, o := range outputs {
		if err := checkOutPath("-o", o); err != nil {
			return fail("%v", err)
		}
		if in, same := sameFile(o, pos...); same {
			return fail("%s would overwrite the input %s", o, in)
		}
	}
	set := shardSet{args: pos, outputs: outputs, read: map[string]cachedResult{}}
	results, err := set.await(ctx, e, *wait)
	if err != nil {
		if ctx.Err() != nil {
			return interruptedReport(e, "merge")
		}
		return fail("%v", err)
	}
	merged, err := loadresult.Merge(results...)
	if err != nil {
		return fail("%v", err)
	}
	refuse := func(what, remedy string) int {
		if !*partial {
			return fail("%s; %s, or pass --allow-partial", what, remedy)
		}
		fmt.Fprintf(e.stderr, "wstrigger report merge: merged all the same (--allow-partial): %s\n", what)
		return exitOK
	}
	if missing := merged.Config.MissingShards(); len(missing) > 0 {
		have, of, names := missingText(missing)
		what := fmt.Sprintf("incomplete set: %d of %d shards, missing %s", have, of, names)
		if st := refuse(what, "merge every shard of the run"); st != exitOK {
			return st
		}
	}
	if diff := loadresult.Mismatches(results); len(diff) > 0 {
		for _, d := range diff {
			fmt.Fprintf(e.stderr, "wstrigger report merge: differs: %s\n", d)
		}
		what := fmt.Sprintf("the shards are not of one run: %d settings differ (listed above)", len(diff))
		if st := refuse(what, "merge the shards of one run"); st != exitOK {
			return st
		}
	}
	skew := loadresult.StartSkew(results)
	fmt.Fprintf(e.stderr, "wstrigger report merge: %d results; push start skew %v (first %s, last %s)\n",
		len(results), skew.Spread.Round(time.Microsecond), skew.Earliest, skew.Latest)
	if skew.Spread > *maxSkew {
		what := fmt.Sprintf("the shards began pushing %v apart, more than --max-skew %v: they did not load the target together", skew.Spread.Round(time.Millisecond), *maxSkew)
		if st := refuse(what, "start the shards together (--start-at) or raise --max-skew"); st != exitOK {
			return st
		}
	}
	passed := merged.CheckSLOs(slos)
	if ctx.Err() != nil {
		return interruptedReport(e, "merge")
	}
	if err := writeOutput(stdout, *out, func(w io.Writer) error { return writeLoadJSON(w, merged) }); err != nil {
		return fail("%v", err)
	}
	if *html != "" {
		if err := writeOutput(stdout, *html, func(w io.Writer) error { return reports.CheckHTML(w, reports.NewCheckResult(nil, merged)) }); err != nil {
			return fail("%v", err)
		}
	}
	if !*quiet {
		if err := reports.LoadText(text.stdout, merged); err != nil {
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

// defaultMaxSkew is the push start spread "report merge" accepts by
// default: shards started together with --start-at begin within
// milliseconds of each other on synchronised clocks; a second apart
// means one of them missed the start.
const defaultMaxSkew = time.Second

// shardSet reads the load results a merge is given: files, and folders
// of them (every *.json file in one but dotfiles, which are files being
// written, and the merge's own outputs).
type shardSet struct {
	args    []string
	outputs []string
	read    map[string]cachedResult // by path: a file is read again only when it changes
}

type cachedResult struct {
	mod  time.Time
	size int64
	res  *loadresult.Result
}

// await reads the set, and with wait > 0 reads it again every second
// until it holds every shard of the split or wait has passed; it returns
// what it has then, complete or not. Progress goes to stderr.
func (s *shardSet) await(ctx context.Context, e *env, wait time.Duration) ([]*loadresult.Result, error) {
	deadline := time.Now().Add(wait)
	said := ""
	for {
		results, err := s.readAll(wait > 0)
		if err != nil {
			return nil, err
		}
		state, complete := setState(results)
		if complete && len(results) > 0 {
			return results, nil
		}
		if !time.Now().Before(deadline) {
			if len(results) == 0 {
				return nil, fmt.Errorf("no load results in %s (waited %v)", strings.Join(s.args, ", "), wait)
			}
			return results, nil
		}
		if state != said {
			fmt.Fprintf(e.stderr, "wstrigger report merge: waiting up to %v for the shards: %s\n", time.Until(deadline).Round(time.Second), state)
			said = state
		}
		timer := time.NewTimer(min(time.Second, time.Until(deadline)))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// setState says how far the set is from complete.
func setState(results []*loadresult.Result) (string, bool) {
	if len(results) == 0 {
		return "none yet", false
	}
	shards := make([]string, len(results))
	for i, r := range results {
		shards[i] = r.Config.Shard
	}
	all := loadresult.Config{Shard: strings.Join(shards, ",")}
	missing := all.MissingShards()
	if len(missing) == 0 {
		return "all there", true
	}
	have, of, names := missingText(missing)
	return fmt.Sprintf("%d of %d, missing %s", have, of, names), false
}

// missingText says how many of the split's shards a set has, of how
// many, and which are missing (missing is not empty).
func missingText(missing []loadresult.Shard) (have, of int, names string) {
	list := make([]string, len(missing))
	for i, sh := range missing {
		list[i] = sh.String()
	}
	return missing[0].N - len(missing), missing[0].N, strings.Join(list, ", ")
}

// readAll reads every result the arguments name. A named file that does
// not exist yet is no error while waiting (a shard still running).
func (s *shardSet) readAll(waiting bool) ([]*loadresult.Result, error) {
	var out []*loadresult.Result
	for _, arg := range s.args {
		paths := []string{arg}
		fi, err := os.Stat(arg)
		switch {
		case err != nil && waiting && errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: %w", arg, unwrapPath(err))
		case fi.IsDir():
			if paths, err = resultFiles(arg, s.outputs); err != nil {
				return nil, err
			}
		}
		for _, p := range paths {
			r, err := s.readOne(p)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *shardSet) readOne(path string) (*loadresult.Result, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if c, ok := s.read[path]; ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.res, nil
	}
	r, err := readLoadFile(path)
	if err != nil {
		return nil, err
	}
	s.read[path] = cachedResult{mod: fi.ModTime(), size: fi.Size(), res: r}
	return r, nil
}

// resultFiles lists the *.json files of dir, in name order, but
// dotfiles and the merge's outputs.
func resultFiles(dir string, outputs []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	var out []string
	for _, en := range entries {
		name := en.Name()
		if en.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		p := filepath.Join(dir, name)
		if _, same := sameFile(p, outputs...); same {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
