package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseWith makes the flag set of cmd, parses args with it and returns
// the flags' values by name.
func parseWith(t *testing.T, cmd string, args ...string) (map[string]string, error) {
	t.Helper()
	fs := configFlagSets()[cmd]
	require.NotNil(t, fs, cmd)
	if _, err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	got := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { got[f.Name] = f.Value.String() })
	return got, nil
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wstrigger.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func TestConfigFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cmd    string
		config string
		args   []string
		want   map[string]string
		err    string
	}{
		{name: "the file overrides defaults", cmd: "load", config: "subscriptions: 5\nduration: 2s\npush-rate: 20\nquiet: true\n",
			want: map[string]string{"subscriptions": "5", "duration": "2s", "push-rate": "20", "quiet": "true", "connect-rate": "500"}},
		{name: "flags override the file", cmd: "load", config: "subscriptions: 5\nduration: 2s\n", args: []string{"--duration", "1s"},
			want: map[string]string{"subscriptions": "5", "duration": "1s"}},
		{name: "the file overrides check's own defaults", cmd: "check", config: "subscriptions: 7\nobserve: 1s\n",
			want: map[string]string{"subscriptions": "7", "observe": "1s", "push-rate": "500"}},
		{name: "another command's key is left to it", cmd: "contract", config: "subscriptions: 5\nstrict: true\n",
			want: map[string]string{"strict": "true"}},
		{name: "an empty file", cmd: "load", config: "# nothing yet\n", want: map[string]string{"subscriptions": "100"}},
		{name: "unknown key", cmd: "load", config: "duration: 2s\nsubscriptons: 5\n",
			err: `wstrigger.yaml:2: unknown key "subscriptons"; did you mean subscriptions?`},
		{name: "a list for a flag of one value", cmd: "load", config: "duration: [1s, 2s]\n", err: "wstrigger.yaml:1: duration: takes one value, not a list"},
		{name: "no value", cmd: "contract", config: "json:\n", err: "wstrigger.yaml:1: json: no value"},
		{name: "a duration without a unit", cmd: "check", config: "\n\nduration: 10\n", err: `wstrigger.yaml:3: --duration "10": add a unit, e.g. 10s`},
		{name: "a bad SLO", cmd: "load", config: "slo:\n  - push.p99<50ms\n  - p99<1s\n", err: "wstrigger.yaml:1: --slo: slo \"p99<1s\": p99 is a statistic"},
		{name: "set twice", cmd: "load", config: "quiet: true\nquiet: false\n", err: "wstrigger.yaml:2: quiet is set twice (first on line 1)"},
		{name: "no nesting", cmd: "load", config: "- duration: 1s\n", err: "wstrigger.yaml:1: want flag names and their values"},
		{name: "not YAML", cmd: "load", config: "duration: [1s\n", err: "wstrigger.yaml: yaml:"},
		{name: "config in a config", cmd: "load", config: "config: other.yaml\n", err: "cannot name another"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeConfig(t, tc.config)
			got, err := parseWith(t, tc.cmd, append([]string{"--config", path}, tc.args...)...)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, explainFlagError(flag.NewFlagSet(tc.cmd, flag.ContinueOnError), err), tc.err)
				return
			}
			require.NoError(t, err)
			for k, v := range tc.want {
				assert.Equal(t, v, got[k], k)
			}
		})
	}
}

// TestConfigRepeatableFlags fills the SLOs from a list, and the command
// line's --slo replaces the file's.
func TestConfigRepeatableFlags(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "slo:\n  - push.p99<50ms\n  - delivered>=99.9%\nsubscriptions: 3\n")
	cases := []struct {
		args []string
		want []string
	}{
		{nil, []string{"push.p99<50ms", "delivered>=99.9%"}},
		{[]string{"--slo", "errors<1%"}, []string{"errors<1%"}},
	}
	for _, tc := range cases {
		var o loadOptions
		fs := flag.NewFlagSet("load", flag.ContinueOnError)
		o.register(fs)
		_, err := parseFlags(fs, append([]string{"--config", path}, tc.args...))
		require.NoError(t, err)
		var got []string
		for _, s := range o.SLOs {
			got = append(got, s.Text)
		}
		assert.Equal(t, tc.want, got)
		assert.Equal(t, 3, o.opts.Subscriptions, "the same option struct is filled")
	}
}

var exampleKey = regexp.MustCompile(`(?m)^#([a-z][a-z0-9-]*): `)

// TestConfigExampleLoadsBack prints the example of each command and of
// all three, loads it as it is (every key commented out: the defaults)
// and uncommented (every flag at its default), and checks that it
// names every flag.
func TestConfigExampleLoadsBack(t *testing.T) {
	t.Parallel()
	sets := configFlagSets()
	for _, only := range append([]string{""}, configCommands...) {
		t.Run("example "+only, func(t *testing.T) {
			t.Parallel()
			args := []string{"config", "example"}
			if only != "" {
				args = append(args, only)
			}
			code, text, stderr := runCmd(t, "", args...)
			require.Equal(t, exitOK, code, stderr)
			keys := map[string]bool{}
			for _, m := range exampleKey.FindAllStringSubmatch(text, -1) {
				keys[m[1]] = true
			}
			cmds := configCommands
			if only != "" {
				cmds = []string{only}
			}
			for _, c := range cmds {
				sets[c].VisitAll(func(f *flag.Flag) {
					if f.Name != "config" {
						assert.True(t, keys[f.Name], "the example of %q lacks %s", only, f.Name)
					}
				})
				commented := writeConfig(t, text)
				uncommented := writeConfig(t, exampleKey.ReplaceAllString(text, "$1: "))
				for _, file := range []string{commented, uncommented} {
					got, err := parseWith(t, c, "--config", file)
					require.NoError(t, err, "%s with %s", c, file)
					if only == "" && file == uncommented {
						continue // the union's defaults are those of the first command naming a flag
					}
					sets[c].VisitAll(func(f *flag.Flag) {
						if f.Name != "config" {
							assert.Equal(t, f.DefValue, got[f.Name], "%s: %s", c, f.Name)
						}
					})
				}
			}
			assert.NotContains(t, text, "#config:")
		})
	}
	code, _, stderr := runCmd(t, "", "config", "example", "mock")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "want 'config example'")
}

// TestConfigRunsLoad runs load from a config file end to end.
func TestConfigRunsLoad(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, strings.Join([]string{
		"subscriptions: 4", "push-rate: 10", "duration: 1s", "quiet: true", `json: "-"`,
		"slo:", "  - delivered>=100%", "  - errors<1%"}, "\n"))
	code, stdout, stderr := runCmd(t, "", "load", "--config", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"subscriptions": 4`)
	assert.Contains(t, stderr, "SLO pass delivered>=100%")
}
