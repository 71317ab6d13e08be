package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDashIsStandardOutput runs each output flag with "-": standard
// output holds that output alone (JSON that parses), and the command's
// text and progress go to standard error.
func TestDashIsStandardOutput(t *testing.T) {
	t.Parallel()
	saved := filepath.Join(t.TempDir(), "run.json")
	code, _, stderr := runCmd(t, "", "load", "--subscriptions", "5", "--push-rate", "20", "--duration", "1s", "--quiet", "--json", saved)
	require.Equal(t, exitOK, code, stderr)
	loadRun := []string{"load", "--subscriptions", "5", "--push-rate", "20", "--duration", "1s"}
	contractRun := []string{"contract", "--run", "^JOIN-00[12]$"}
	isJSON := func(t *testing.T, out string) {
		assert.True(t, json.Valid([]byte(out)), "stdout is not JSON alone:\n%s", out)
	}
	cases := []struct {
		name   string
		args   []string
		stdout func(t *testing.T, out string)
		stderr []string // the text that would have gone to stdout, and progress
	}{
		{"load --json -", append(loadRun, "--json", "-"), isJSON, []string{"target: embedded mock", "Invariant", "joined 5"}},
		{"contract --json -", append(contractRun, "--json", "-"), isJSON, []string{"target: embedded mock", "PASS  JOIN-001", "Verdict"}},
		{"contract --junit -", append(contractRun, "--junit", "-"), func(t *testing.T, out string) {
			assert.NoError(t, xml.Unmarshal([]byte(out), new(struct{})), out)
		}, []string{"PASS  JOIN-002"}},
		{"contract --markdown -", append(contractRun, "--markdown", "-"), func(t *testing.T, out string) {
			assert.NotContains(t, out, "target: embedded mock")
			assert.Contains(t, out, "JOIN-001")
		}, []string{"target: embedded mock"}},
		{"check --json -", []string{"check", "--skip-load", "--run", "^JOIN-001$", "--out", filepath.Join(t.TempDir(), "r"), "--json", "-"}, func(t *testing.T, out string) {
			isJSON(t, out)
			assert.Contains(t, out, `"kind": "wstrigger.check"`)
		}, []string{"target: embedded mock", "Verdict"}},
		{"report html -o -", []string{"report", "html", saved, "-o", "-"}, func(t *testing.T, out string) {
			assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"), out[:min(len(out), 80)])
		}, nil},
		{"report md without -o", []string{"report", "md", saved}, func(t *testing.T, out string) { assert.Contains(t, out, "|") }, nil},
		{"report merge -o -", []string{"report", "merge", "-o", "-", saved}, isJSON, []string{"Load run against"}},
		{"report merge --html -", []string{"report", "merge", "-o", filepath.Join(t.TempDir(), "m.json"), "--html", "-", saved}, func(t *testing.T, out string) {
			assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>"))
		}, []string{"Load run against"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runDemo(t, tc.args...)
			require.Equal(t, exitOK, code, "stderr:\n%s", stderr)
			tc.stdout(t, stdout)
			for _, w := range tc.stderr {
				assert.Contains(t, stderr, w)
			}
			assert.NoFileExists(t, "-", "no file named -")
		})
	}
}

// runDemo runs the command line in-process with the demo credentials
// in its environment, for at most a minute.
func runDemo(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = run(ctx, args, demoEnv(&out, &errOut))
	return code, out.String(), errOut.String()
}

func TestTwoOutputsOnStandardOutput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"contract", "--json", "-", "--junit", "-"}, "--json and --junit both name standard output (-)"},
		{[]string{"report", "merge", "-o", "-", "--html", "-", "x.json"}, "-o and --html both name standard output (-)"},
		{[]string{"check", "--out", "-"}, "--out names the report folder; for its JSON on standard output, give --json -"},
	}
	for _, tc := range cases {
		code, stdout, stderr := runCmd(t, "", tc.args...)
		assert.Equal(t, exitUsage, code, tc.args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, tc.want)
	}
	_, err := os.Stat("-")
	assert.True(t, os.IsNotExist(err))
}
