package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	mocktest.SetParallel(0)
	goleak.VerifyTestMain(m)
}

// runCmd runs the command line in-process and returns its status and
// output.
func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code = run(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

const (
	ibmJoin   = `{"kind":"sales-trigger","type":"job-join","org":"IBM","loc":{"country":"United States"}}`
	appleJoin = `{"kind":"sales-trigger","type":"job-join","org":"Apple","loc":{"country":"United States"}}`
	recording = `{"offsetMs":1200,"event":{"kind":"sales-trigger","type":"job-leave","org":"IBM"}}`
)

func TestPatternTest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		stdout    []string // substrings, in order of lines
		stderr    string
		notStdout string
	}{
		{name: "rule form match and miss", args: []string{"pattern", "test", "type=job-join|job-leave;org=IBM"},
			stdin: ibmJoin + "\n" + appleJoin + "\n", code: exitOK,
			stdout: []string{"line 1: match", `line 2: no match:`, `org`}},
		{name: "json form, recording line", args: []string{"pattern", "test", `{"type":["job-leave"]}`},
			stdin: recording + "\n", code: exitOK, stdout: []string{"line 1: match"}},
		{name: "nothing matches", args: []string{"pattern", "test", `{"org":["Siemens"]}`},
			stdin: ibmJoin + "\n\n" + appleJoin + "\n", code: exitFail, stdout: []string{"line 1: no match", "line 3: no match"}},
		{name: "invalid pattern", args: []string{"pattern", "test", `{"org":[]}`}, code: exitUsage, stderr: "invalid pattern"},
		{name: "malformed line is reported and the rest still tested", args: []string{"pattern", "test", "org=IBM"},
			stdin: "not json\n" + ibmJoin + "\n[1,2]\n", code: exitUsage,
			stdout: []string{"line 2: match"}, stderr: "standard input:1: not JSON"},
		{name: "two values on a line", args: []string{"pattern", "test", "org=IBM"},
			stdin: "{} {}\n" + ibmJoin + "\n", code: exitUsage, stdout: []string{"line 2: match"}, stderr: "standard input:1: more than one JSON value on the line"},
		{name: "truncated line", args: []string{"pattern", "test", "org=IBM"},
			stdin: `{"org":` + "\n", code: exitUsage, stderr: "standard input:1: not JSON: unexpected EOF"},
		{name: "missing pattern", args: []string{"pattern", "test"}, code: exitUsage, stderr: "want PATTERN"},
		{name: "missing subcommand", args: []string{"pattern"}, code: exitUsage, stderr: "expected the subcommand"},
		{name: "help", args: []string{"pattern", "-h"}, code: exitOK, stderr: "compact rule form"},
		{name: "unknown flag", args: []string{"pattern", "test", "--bogus", "org=IBM"}, code: exitUsage, stderr: "bogus"},
		{name: "missing file", args: []string{"pattern", "test", "org=IBM", "/nonexistent/events.jsonl"}, code: exitUsage, stderr: "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCmd(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", stdout, stderr)
			rest := stdout
			for _, want := range tc.stdout {
				i := strings.Index(rest, want)
				require.GreaterOrEqual(t, i, 0, "stdout lacks %q in order:\n%s", want, stdout)
				rest = rest[i+len(want):]
			}
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

func TestPatternTestJSONAndFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "events.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(ibmJoin+"\n"+appleJoin+"\n"), 0o600))
	// Flags may follow the positional arguments.
	code, stdout, stderr := runCmd(t, "", "pattern", "test", "org=IBM", file, "--json")
	require.Equal(t, exitOK, code, stderr)
	var got []patternResult
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var r patternResult
		require.NoError(t, dec.Decode(&r))
		got = append(got, r)
	}
	require.Len(t, got, 2)
	assert.Equal(t, patternResult{Line: 1, Match: true}, got[0])
	assert.False(t, got[1].Match)
	assert.Contains(t, got[1].Reason, "org")
	assert.Contains(t, got[1].Reason, "Apple")
}

func TestPatternExampleFile(t *testing.T) {
	t.Parallel()
	// The README's first command runs on this file; keep it matching.
	code, stdout, stderr := runCmd(t, "", "pattern", "test", "type=job-join|job-leave;org=IBM", "../../examples/events.jsonl")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 2, strings.Count(stdout, ": match"), stdout)
	assert.Empty(t, stderr)
}

func TestSpecAndTopLevel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"openapi", []string{"spec", "openapi"}, exitOK, "openapi: 3.0", ""},
		{"asyncapi", []string{"spec", "asyncapi"}, exitOK, "asyncapi: 3.", ""},
		{"protocol", []string{"spec", "protocol"}, exitOK, "# The websocket trigger protocol\n", ""},
		{"protocol sections", []string{"spec", "protocol", "3.1", "§5"}, exitOK, "### 3.1 Frames from the server\n\nEvery frame", ""},
		{"protocol section unknown", []string{"spec", "protocol", "9"}, exitUsage, "", `no section "9" in docs/protocol.md: it has 1, 2, 3, 3.1`},
		{"sections of another document", []string{"spec", "openapi", "3"}, exitUsage, "", `unexpected argument "3"`},
		{"unknown document", []string{"spec", "swagger"}, exitUsage, "", "unknown document"},
		{"no document", []string{"spec"}, exitUsage, "", "Usage"},
		{"no command", nil, exitUsage, "", "Commands:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"help", []string{"help"}, exitOK, "Commands:", ""},
		{"version", []string{"--version"}, exitOK, "wstrigger ", ""},
		{"help of an unknown command", []string{"help", "bogus"}, exitUsage, "", `unknown command "bogus"`},
		{"help of help", []string{"help", "help"}, exitOK, "Commands:", ""},
		{"version with an argument", []string{"version", "extra"}, exitUsage, "", `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCmd(t, "", tc.args...)
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}
