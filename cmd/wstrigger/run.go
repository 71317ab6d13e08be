package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
)

// Exit statuses; exitInterrupted (130) is the fourth.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the command ran and found a failure (no match, a failed check)
	exitUsage = 2 // bad input: a wrong flag, an invalid pattern, an unreadable file
)

// env is what a command may touch of the outside world, so tests can run
// every command in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	lastWords      *lastWords // what a second Ctrl-C writes; nil in-process
	// onFlagSet, if set, is handed every flag set a command makes, so
	// that completion and the config file see the real flags (flagSets).
	onFlagSet func(*flag.FlagSet)
}

// command is one subcommand: its one-line summary and its entry point,
// which returns the exit status.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"check":      {"the whole job: contract suite, then a load run, into one report folder (html, md, json, junit)", runCheck},
		"completion": {"print a shell completion script: wstrigger completion bash|zsh|fish", runCompletion},
		"config":     {"print an example --config file of load, contract and check, every flag in it", runConfig},
		"contract":   {"run the contract suite against an implementation (default: the embedded mock)", runContract},
		"load":       {"load-test an implementation: many subscriptions, open-model pushes, honest latency", runLoad},
		"mock":       {"run the mock server: the protocol, replayed triggers, faults", runMock},
		"pattern":    {"test patterns against events: why did (or didn't) my trigger fire?", runPattern},
		"report":     {"re-render a saved run (html, md, junit), merge load shards, compare two runs", runReport},
		"record":     {"record the triggers an implementation sends, for the mock to replay", runRecord},
		"spec":       {"print the embedded OpenAPI or AsyncAPI document, or the protocol reference", runSpec},
		"version":    {"print the version", runVersion},
	}
}

// run dispatches args to a subcommand and returns the exit status.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch {
	case isHelp(name):
		if len(rest) > 0 {
			if _, ok := commands()[rest[0]]; ok {
				return commands()[rest[0]].run(ctx, e, []string{"-h"})
			}
			if isHelp(rest[0]) {
				usage(e.stdout)
				return exitOK
			}
			unknownCommand(e.stderr, "wstrigger help", "command", rest[0], sortedCommands())
			fmt.Fprintln(e.stderr, "Run 'wstrigger help' for the commands.")
			return exitUsage
		}
		usage(e.stdout)
		return exitOK
	case name == "-version" || name == "--version":
		name = "version"
	}
	cmd, ok := commands()[name]
	if !ok {
		unknownCommand(e.stderr, "wstrigger", "command", name, sortedCommands())
		fmt.Fprintln(e.stderr, "Run 'wstrigger help' for the commands.")
		return exitUsage
	}
	return cmd.run(ctx, e, rest)
}

func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "wstrigger: contract tests and load tests for the websocket trigger API")
	fmt.Fprintln(w, "\nUsage: wstrigger <command> [flags] [arguments]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nExit status: 0 when nothing failed, 1 when a check, an SLO or a match failed,")
	fmt.Fprintln(w, "2 on bad input or a target that cannot be judged, 130 when interrupted (Ctrl-C,")
	fmt.Fprintln(w, "SIGTERM: what finished is written, marked interrupted; a second Ctrl-C quits at once).")
	fmt.Fprintln(w, "contract, check, load and record read $WSTRIGGER_TARGET, $WSTRIGGER_ACCESS_TOKEN and")
	fmt.Fprintln(w, "$WSTRIGGER_SECRET_KEY when --target, --access-token and --secret-key are absent.")
	fmt.Fprintln(w, "\nRun 'wstrigger help <command>' for a command's flags.")
}

// parseArgs parses args with fs, allowing flags after positional
// arguments ("pattern test P FILE --json"); "--" ends the flags. It
// returns the positional arguments. A -h gives flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagStatus turns a flag parsing error into an exit status: -h is a
// success (the usage was printed), anything else a usage error.
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// newFlagSet returns a FlagSet that reports to e.stderr, with a usage line.
func newFlagSet(e *env, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: wstrigger %s\n\n%s\n", synopsis, strings.TrimSpace(description))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(e.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
		printExamples(e.stderr, name)
	}
	if e.onFlagSet != nil {
		e.onFlagSet(fs)
	}
	return fs
}

// buildVersion, when set at link time (-ldflags "-X main.buildVersion=v1.2.3",
// as deploy/container/build does), names the version in place of the
// module's build information.
var buildVersion string

// version is the module version the binary was built from.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "version", "version", "Prints the version of wstrigger and of Go it was built with.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "wstrigger version: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	info, _ := debug.ReadBuildInfo()
	goVersion := "unknown"
	if info != nil {
		goVersion = info.GoVersion
	}
	fmt.Fprintf(e.stdout, "wstrigger %s (%s)\n", version(), goVersion)
	return exitOK
}
