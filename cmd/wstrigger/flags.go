package main

// The layer over the standard library's flag package that every command
// parses through (parseFlags): a flag error in one line with a
// suggestion and the way to the help, the Examples of each help text,
// repeatable flags, and flagSets, which hands completion and the config
// file the commands' real flag sets, so that a flag added to a command
// is completed, suggested and read from a config file without more.
//
// spf13/cobra with pflag would give suggestions and completion too, but
// it wants every command rewritten around its Command type and pflag's
// flag values, and the config file would still be ours to write; the
// commands keep the standard library's flag package and this file adds
// what they lacked.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// parseFlags parses args with fs (see parseArgs), then fills the flags
// not given from --config FILE when fs has that flag and it is set.
// A flag error is printed in at most three lines: the error, a
// suggestion when there is one, and the way to the help; -h prints the
// help and gives flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	pos, err := parseArgs(fs, args)
	fs.SetOutput(out)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return nil, err
	}
	if err == nil {
		err = applyConfigFlag(fs)
	}
	if err != nil {
		printFlagError(out, fs.Name(), explainFlagError(fs, err))
		return nil, err
	}
	return pos, nil
}

// printFlagError writes a flag error of the command name (as "report
// merge") and where its help is.
func printFlagError(w io.Writer, name, msg string) {
	fmt.Fprintf(w, "wstrigger %s: %s\nRun 'wstrigger %s -h' for its flags and examples.\n", name, msg, name)
}

var (
	errUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	errNoValue   = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	errBadValue  = regexp.MustCompile(`(?s)^invalid (?:boolean )?value (".*") for (?:flag )?-+([^:\s]+): (.*)$`)
)

// explainFlagError rewrites an error of the flag package (or of the
// config file) as one line that names the flag as it is typed, --name,
// and says what was wanted, with a suggestion for an unknown flag.
func explainFlagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := errUndefined.FindStringSubmatch(msg); m != nil {
		s := "unknown flag --" + m[1]
		if near := suggest(m[1], flagNames(fs)); near != "" {
			s += "; did you mean --" + near + "?"
		}
		return s
	}
	if m := errNoValue.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[1]); f != nil {
			_, usage := flag.UnquoteUsage(f)
			return fmt.Sprintf("--%s needs a value (%s)", m[1], usageLine(usage))
		}
		return "--" + m[1] + " needs a value"
	}
	if m := errBadValue.FindStringSubmatch(msg); m != nil {
		value, _ := strconv.Unquote(m[1])
		return badValue(fs.Lookup(m[2]), m[2], value, m[3])
	}
	return msg
}

// badValue explains a value a flag refused. The value is shown only for
// a flag that cannot hold a credential.
func badValue(f *flag.Flag, name, value, why string) string {
	shown := fmt.Sprintf("--%s %q", name, value)
	if secretFlag(name) || strings.Contains(why, value) {
		shown = "--" + name
	}
	if f == nil {
		return shown + ": " + why
	}
	var v any
	if g, ok := f.Value.(flag.Getter); ok {
		v = g.Get()
	}
	switch v.(type) {
	case time.Duration:
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			return fmt.Sprintf("%s: add a unit, e.g. %ss", shown, value)
		}
		return shown + ": want a duration such as 500ms, 10s or 1m30s"
	case int, int64, uint, uint64:
		return shown + ": want a whole number"
	case float64:
		return shown + ": want a number"
	case bool:
		return shown + ": want true or false"
	}
	return shown + ": " + why
}

// secretFlag reports whether a flag's value may be a credential, so
// that no error repeats it.
func secretFlag(name string) bool {
	for _, w := range []string{"token", "secret", "key", "auth", "header", "password", "cookie"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// usageLine is s up to its first line break.
func usageLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// flagNames are the names of fs's flags, sorted.
func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// suggest returns the candidate closest to word, or "" when none is
// close: within an edit distance of 2 (1 for a word of 4 letters or
// fewer), or the only candidate word begins.
func suggest(word string, candidates []string) string {
	word = strings.ToLower(word)
	best, bestD := "", -1
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, word) && word != "" {
			prefixed = append(prefixed, c)
		}
		d := editDistance(word, strings.ToLower(c))
		if bestD < 0 || d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	limit := 2
	if len(word) <= 4 {
		limit = 1
	}
	switch {
	case bestD >= 0 && bestD <= limit:
		return best
	case len(prefixed) == 1:
		return prefixed[0]
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b, counting an
// adjacent transposition as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// unknownCommand is the error of an unknown command or subcommand
// word, with a suggestion among the known ones.
func unknownCommand(w io.Writer, where, what, word string, known []string) {
	fmt.Fprintf(w, "%s: unknown %s %q", where, what, word)
	if near := suggest(word, known); near != "" {
		fmt.Fprintf(w, "; did you mean %s?", near)
	}
	fmt.Fprintln(w)
}

// repeatable is a flag that may be given more than once, each value
// handed to the function; a config file gives it a list.
type repeatable func(string) error

func (r repeatable) Set(s string) error { return r(s) }
func (repeatable) String() string       { return "" }

// Repeatable marks the flag for the config file and the help.
func (repeatable) Repeatable() bool { return true }

// isRepeatable reports whether f may be given more than once.
func isRepeatable(f *flag.Flag) bool {
	r, ok := f.Value.(interface{ Repeatable() bool })
	return ok && r.Repeatable()
}

// isBoolFlag reports whether f takes no value on the command line.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagSets returns the flag sets of every command and subcommand, by
// name ("load", "report merge", "pattern test"), as the commands make
// them: each is run with -h, its help discarded.
func flagSets() map[string]*flag.FlagSet {
	return collectFlagSets(commandPaths())
}

// collectFlagSets runs each command path with -h, its help discarded,
// and returns the flag sets the commands make, by name.
func collectFlagSets(paths [][]string) map[string]*flag.FlagSet {
	sets := map[string]*flag.FlagSet{}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" },
		onFlagSet: func(fs *flag.FlagSet) { sets[fs.Name()] = fs }}
	for _, path := range paths {
		run(context.Background(), append(slices.Clone(path), "-h"), e)
	}
	return sets
}

// commandPaths are the command words of every command and subcommand
// ({"load"}, {"report", "merge"}), sorted.
func commandPaths() [][]string {
	var paths [][]string
	for _, name := range sortedCommands() {
		paths = append(paths, []string{name})
		for _, sub := range subcommands(name) {
			paths = append(paths, []string{name, sub})
		}
	}
	return paths
}

// sortedCommands are the names of the commands, sorted.
func sortedCommands() []string {
	var names []string
	for n := range commands() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// subcommands are the words that may follow a command: its subcommands
// or, for spec and completion, its argument's choices.
func subcommands(name string) []string {
	switch name {
	case "report":
		var subs []string
		for _, f := range formats {
			if f.report != "" {
				subs = append(subs, f.report)
			}
		}
		for s := range reportExtra() {
			subs = append(subs, s)
		}
		slices.Sort(subs)
		return subs
	case "pattern":
		return []string{"test"}
	case "spec":
		return []string{"asyncapi", "openapi", "protocol"}
	case "completion":
		return slices.Clone(shells)
	case "config":
		return []string{"example"}
	}
	return nil
}

// examples are the Examples section of each help text, by flag set
// name; a test parses each with the command's flags.
var examples = map[string][]string{
	"check": {
		"wstrigger check",
		"wstrigger check --target https://api.example.com --out report --strict",
		"wstrigger check --config wstrigger.yaml --json - > results.json",
		"wstrigger check --skip-contract --subscriptions 2000 --push-rate 1000 --slo 'push.p99<100ms'",
	},
	"contract": {
		"wstrigger contract",
		"wstrigger contract --target https://api.example.com --junit junit.xml --json -",
		"wstrigger contract --target wss://gw.example.com --header 'X-Env: staging' --ca-cert ca.pem",
		"wstrigger contract --run 'JOIN|AUTH' --aggressive",
	},
	"load": {
		"wstrigger load --subscriptions 1000 --push-rate 2000 --duration 30s --slo 'push.p99<100ms' --slo 'delivered>=99.99%'",
		"wstrigger load --target https://api.example.com --stages 30s:500,60s:2000 --json - > run.json",
		"wstrigger load --config wstrigger.yaml --duration 5m",
		"wstrigger load --shard 0/2 --start-at 2026-12-03T18:00:00Z --json shard-0.json",
	},
	"record": {
		"wstrigger record --target http://127.0.0.1:8080 --pattern 'type=job-join' --duration 1m --out triggers.jsonl",
		"wstrigger record --target https://gw.example.com --header \"Authorization: Bearer $TOKEN\" --out - | head",
	},
	"mock": {
		"wstrigger mock --addr 127.0.0.1:8080",
		"wstrigger mock --latency 20ms --jitter 5ms --reject-pushes 0.1:429",
	},
	"pattern test": {
		"wstrigger pattern test 'type=job-join|job-leave;org=IBM' events.jsonl",
		`echo '{"type":"job-join","org":"IBM"}' | wstrigger pattern test --json '{"org":["IBM"]}'`,
	},
	"report merge": {
		"wstrigger report merge -o merged.json --html merged.html shard-0.json shard-1.json",
		"wstrigger report merge -o - --wait 2m results/",
	},
	"report html": {
		"wstrigger report html wstrigger-report/results.json -o report.html",
		"wstrigger report html run.json > run.html",
	},
	"report md": {
		"wstrigger report md wstrigger-report/results.json >> \"$GITHUB_STEP_SUMMARY\"",
	},
	"report junit": {
		"wstrigger report junit contract.json -o junit.xml",
	},
	"spec": {
		"wstrigger spec openapi > openapi.yaml",
		"wstrigger spec asyncapi",
	},
	"report compare": {
		"wstrigger report compare before.json after.json",
	},
	"completion": {
		"source <(wstrigger completion bash)",
		"wstrigger completion zsh > \"${fpath[1]}/_wstrigger\"",
		"wstrigger completion fish > ~/.config/fish/completions/wstrigger.fish",
	},
	"config": {
		"wstrigger config example > wstrigger.yaml",
		"wstrigger config example load",
	},
}

// printExamples writes the Examples section of the named flag set's
// help, if it has one.
func printExamples(w io.Writer, name string) {
	ex := examples[name]
	if len(ex) == 0 {
		return
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, x := range ex {
		fmt.Fprintf(w, "  %s\n", x)
	}
}
