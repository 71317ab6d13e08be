package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/wstrigger/wstrigger/reports"
)

const reportHelp = `
Works on saved runs. Subcommands:

  html  RESULTS.json [-o FILE]   re-render a saved run as one HTML page
  md    RESULTS.json [-o FILE]   ... as a Markdown summary
  junit RESULTS.json [-o FILE]   ... as JUnit XML
  merge -o OUT.json [--slo OBJ]... [--wait D] [--html FILE] A.json B.json ... | DIR
                                 merge the load results of shards
  compare [--fail-if RULE]... OLD.json NEW.json
                                 compare two load runs, with significance;
                                 exit 1 when a regression rule trips

RESULTS.json is the results.json of a "check" report folder (kind
wstrigger.check), the --json file of "load" (kind wstrigger.load.result)
or the --json file of "contract". Without -o the output goes to stdout.

A saved run that was interrupted is rendered as such: its verdict says
how far it got and that it is not a verdict.

Exit status: 0 when the output was written, 1 when "merge --slo" found
an objective missed or a "compare --fail-if" rule tripped, 2 when the
arguments are wrong or a file cannot be read (missing, not JSON, an
unknown kind or a newer schema version), 130 when interrupted (Ctrl-C,
SIGTERM) before the output was written (then nothing is).`

func runReport(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || isHelp(args[0]) {
		fs := newFlagSet(e, "report", "report html|md|junit|merge|compare [flags] FILE...", reportHelp)
		fs.Usage()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	sub, rest := args[0], args[1:]
	if f, ok := reportFormat(sub); ok {
		return runReportRender(ctx, e, sub, f.check, rest)
	}
	if extra, ok := reportExtra()[sub]; ok {
		return extra(ctx, e, rest)
	}
	unknownCommand(e.stderr, "wstrigger report", "subcommand", sub, subcommands("report"))
	fmt.Fprintln(e.stderr, "Run 'wstrigger report -h' for its subcommands.")
	return exitUsage
}

// reportExtra holds the subcommands of "report" that do more than render.
func reportExtra() map[string]func(context.Context, *env, []string) int {
	return map[string]func(context.Context, *env, []string) int{
		"compare": runReportCompare,
		"merge":   runReportMerge,
	}
}

func runReportRender(ctx context.Context, e *env, sub string, render func(io.Writer, *reports.CheckResult) error, args []string) int {
	fs := newFlagSet(e, "report "+sub, "report "+sub+" RESULTS.json [-o FILE]",
		"Re-renders a saved run (results.json of check, or the --json file of load or contract).")
	out := fs.String("o", "-", "file to write; - for standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(e.stderr, "wstrigger report %s: want one RESULTS.json, got %d arguments\n", sub, len(pos))
		return exitUsage
	}
	if err := checkOutPath("-o", *out); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger report %s: %v\n", sub, err)
		return exitUsage
	}
	if in, same := sameFile(*out, pos[0]); same {
		fmt.Fprintf(e.stderr, "wstrigger report %s: -o %s would overwrite the input %s\n", sub, *out, in)
		return exitUsage
	}
	res, err := readResultFile(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "wstrigger report %s: %v\n", sub, err)
		return exitUsage
	}
	if ctx.Err() != nil {
		return interruptedReport(e, sub)
	}
	if err := writeOutput(e.stdout, *out, func(w io.Writer) error { return render(w, res) }); err != nil {
		fmt.Fprintf(e.stderr, "wstrigger report %s: %v\n", sub, err)
		return exitUsage
	}
	return exitOK
}

// readResultFile reads a saved run of any kind from path.
func readResultFile(path string) (*reports.CheckResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := reports.ReadAny(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// interruptedReport ends a report subcommand interrupted before it wrote
// its output: it writes none, rather than one of part of its inputs.
func interruptedReport(e *env, sub string) int {
	fmt.Fprintf(e.stderr, "wstrigger report %s: interrupted: nothing written\n", sub)
	return exitInterrupted
}
