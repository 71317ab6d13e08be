package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlagErrorsAreShort(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want []string // substrings of stderr
		not  []string
	}{
		{"misspelt flag", []string{"load", "--subscriptons", "5"}, []string{"unknown flag --subscriptons; did you mean --subscriptions?", "Run 'wstrigger load -h'"}, nil},
		{"transposed letters", []string{"check", "--duraiton", "5s"}, []string{"did you mean --duration?"}, nil},
		{"prefix", []string{"contract", "--aggr"}, []string{"did you mean --aggressive?"}, nil},
		{"nothing close", []string{"load", "--frobnicate"}, []string{"unknown flag --frobnicate"}, []string{"did you mean"}},
		{"subcommand flag", []string{"report", "merge", "--htm", "x"}, []string{"wstrigger report merge: unknown flag --htm; did you mean --html?", "Run 'wstrigger report merge -h'"}, nil},
		{"duration without a unit", []string{"load", "--duration", "10"}, []string{`--duration "10": add a unit, e.g. 10s`}, nil},
		{"not a duration", []string{"load", "--warmup", "soon"}, []string{`--warmup "soon": want a duration such as`}, nil},
		{"not a number", []string{"check", "--subscriptions", "many"}, []string{`--subscriptions "many": want a whole number`}, nil},
		{"missing value", []string{"load", "--json"}, []string{"--json needs a value (write the results"}, nil},
		{"SLO without a metric", []string{"load", "--slo", "p99<100ms"}, []string{"p99 is a statistic", "push, service, response, connect, first-frame", "out-of-order"}, nil},
		{"unknown SLO metric", []string{"check", "--slo", "latency<1s"}, []string{`unknown metric "latency"; the metrics are push`}, nil},
		{"secret value not repeated", []string{"contract", "--secret-key"}, []string{"--secret-key needs a value"}, nil},
		{"unknown command", []string{"lod"}, []string{`unknown command "lod"; did you mean load?`, "Run 'wstrigger help'"}, nil},
		{"unknown command of help", []string{"help", "chek"}, []string{`unknown command "chek"; did you mean check?`}, nil},
		{"unknown report subcommand", []string{"report", "mrge", "a.json"}, []string{`unknown subcommand "mrge"; did you mean merge?`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCmd(t, "", tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			assert.LessOrEqual(t, strings.Count(stderr, "\n"), 5, "a flag error is at most 5 lines:\n%s", stderr)
			assert.NotContains(t, stderr, "Flags:", "no help after an error")
			for _, w := range tc.want {
				assert.Contains(t, stderr, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, stderr, n)
			}
		})
	}
}

// TestEveryDurationFlagHintsAUnit gives each duration flag of every
// command a bare number.
func TestEveryDurationFlagHintsAUnit(t *testing.T) {
	t.Parallel()
	n := 0
	for name, fs := range flagSets() {
		fs.VisitAll(func(f *flag.Flag) {
			g, ok := f.Value.(flag.Getter)
			if !ok {
				return
			}
			if _, ok := g.Get().(time.Duration); !ok {
				return
			}
			n++
			args := append(strings.Fields(name), "--"+f.Name, "10")
			if name == "pattern test" || name == "spec" || name == "report" {
				return
			}
			code, _, stderr := runCmd(t, "", args...)
			assert.Equal(t, exitUsage, code, "%v", args)
			assert.Contains(t, stderr, `--`+f.Name+` "10": add a unit, e.g. 10s`, "%v", args)
		})
	}
	assert.GreaterOrEqual(t, n, 10, "duration flags found")
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	names := []string{"subscriptions", "duration", "push-rate", "push-timeout", "json", "junit", "slo", "out"}
	cases := []struct{ word, want string }{
		{"subscriptons", "subscriptions"},
		{"duraiton", "duration"},
		{"push_rate", "push-rate"},
		{"PUSH-RATE", "push-rate"},
		{"jsn", "json"},
		{"sol", "slo"},
		{"subs", "subscriptions"},
		{"push", ""}, // two flags begin with it, none is close
		{"x", ""},
		{"verbose", ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, suggest(tc.word, names), tc.word)
	}
	assert.Equal(t, 1, editDistance("ab", "ba"))
	assert.Equal(t, 3, editDistance("", "abc"))
	assert.Equal(t, 0, editDistance("load", "load"))
}

// splitExample splits an example command line as a shell would, for
// the quoting the examples use (single and double quotes), up to a pipe
// or redirection.
func splitExample(s string) []string {
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		case r == '>' || r == '|':
			if in {
				out = append(out, cur.String())
			}
			return out
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// TestExamplesParse parses every example of the help texts with its
// command's flags, and sees each in the help.
func TestExamplesParse(t *testing.T) {
	t.Parallel()
	sets := flagSets()
	for name, exs := range examples {
		fs := sets[name]
		require.NotNil(t, fs, "examples of %q, which has no flag set", name)
		for _, ex := range exs {
			words := splitExample(ex[strings.Index(ex, "wstrigger"):])
			require.Equal(t, "wstrigger", words[0], ex)
			args := words[1+len(strings.Fields(name)):]
			_, err := parseArgs(fs, args)
			assert.NoError(t, err, ex)
		}
		_, _, stderr := runCmd(t, "", append(strings.Fields(name), "-h")...)
		assert.Contains(t, stderr, "\nExamples:\n  "+exs[0]+"\n", name)
	}
	for _, c := range []string{"check", "contract", "load"} {
		assert.NotEmpty(t, examples[c], c)
	}
}

// completionCases are command lines, the word being completed last,
// and completions each must offer.
var completionCases = []struct {
	line string
	want []string
	not  []string
}{
	{"wstrigger lo", []string{"load"}, nil},
	{"wstrigger ", []string{"check", "completion", "config", "contract", "load", "mock", "pattern", "record", "report", "spec", "version", "help"}, nil},
	{"wstrigger load --sub", []string{"--subscriptions"}, nil},
	{"wstrigger load --", []string{"--json", "--slo", "--config", "--push-rate"}, []string{"--out", "--strict"}},
	{"wstrigger check --s", []string{"--strict", "--skip-load", "--subscriptions", "--slo"}, nil},
	{"wstrigger report ", []string{"compare", "html", "junit", "md", "merge"}, nil},
	{"wstrigger report merge --h", []string{"--html"}, nil},
	{"wstrigger report merge --html x.html --wa", []string{"--wait"}, nil},
	{"wstrigger --quiet load --qu", []string{"--quiet"}, nil},
	{"wstrigger completion ", []string{"bash", "fish", "zsh"}, nil},
	{"wstrigger config ", []string{"example"}, nil},
	{"wstrigger help re", []string{"record", "report"}, nil},
	{"wstrigger pattern test --", []string{"--json"}, nil},
	{"wstrigger --", []string{"--help", "--version"}, nil},
}

// completionRunners complete a command line (its last word the one
// being completed) with a shell's script, printing one candidate a
// line: bash through its completion function and COMP_WORDS, zsh
// through its function with compadd and _files stood in for, fish
// through complete -C.
var completionRunners = map[string]string{
	"bash": `source "$1"
read -ra COMP_WORDS <<< "$2"
[[ "$2" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_wstrigger
printf '%s\n' "${COMPREPLY[@]}"`,
	"zsh": `compdef() { :; }
compadd() { shift; local w; for w in "$@"; do [[ "$w" == "${words[CURRENT]}"* ]] && print -r -- "$w"; done; }
_files() { compadd -- *(N); }
source "$1"
words=(${=2})
[[ "$2" == *" " ]] && words+=("")
CURRENT=${#words}
_wstrigger
true`,
	"fish": `source $argv[1]; complete -C $argv[2] | string replace -r '\t.*' ''; true`,
}

// TestShellCompletion runs each shell's script on completionCases, for
// each shell this machine has.
func TestShellCompletion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"events.jsonl", "run.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	for _, shell := range shells {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			path, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("no %s here", shell)
			}
			code, script, stderr := runCmd(t, "", "completion", shell)
			require.Equal(t, exitOK, code, stderr)
			file := filepath.Join(t.TempDir(), "wstrigger."+shell)
			require.NoError(t, os.WriteFile(file, []byte(script), 0o644))
			complete := func(t *testing.T, line string) []string {
				args := []string{"-c", completionRunners[shell]}
				if shell != "fish" {
					args = append(args, shell) // $0
				}
				cmd := exec.Command(path, append(args, file, line)...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
				out, err := cmd.CombinedOutput()
				require.NoError(t, err, "%s", out)
				return strings.Fields(string(out))
			}
			for _, tc := range completionCases {
				got := complete(t, tc.line)
				for _, w := range tc.want {
					assert.Contains(t, got, w, "%q", tc.line)
				}
				for _, n := range tc.not {
					assert.NotContains(t, got, n, "%q", tc.line)
				}
			}
			assert.Equal(t, []string{"run.json"}, complete(t, "wstrigger load --json ru"), "a flag's value completes as a file")
		})
	}
}

// TestCompletionScriptsHoldEveryFlag checks that each shell's script
// names every flag of every command and every subcommand.
func TestCompletionScriptsHoldEveryFlag(t *testing.T) {
	t.Parallel()
	sets := flagSets()
	for _, shell := range shells {
		t.Run(shell, func(t *testing.T) {
			code, script, stderr := runCmd(t, "", "completion", shell)
			require.Equal(t, exitOK, code, stderr)
			for name, fs := range sets {
				fs.VisitAll(func(f *flag.Flag) {
					want := dashed(f.Name)
					if shell == "fish" {
						want = "-l " + f.Name
						if len(f.Name) == 1 {
							want = "-s " + f.Name
						}
					}
					assert.Contains(t, script, want, "%s: flag %s of %s", shell, f.Name, name)
				})
			}
			for _, c := range sortedCommands() {
				assert.Contains(t, script, c)
			}
		})
	}
	code, _, stderr := runCmd(t, "", "completion", "tcsh")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "want one shell: bash, zsh or fish")
}
