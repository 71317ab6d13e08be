package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/reports"
)

// closedPort is the URL of a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return url
}

// runEnv runs the command line in-process with vars as its environment.
func runEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = run(ctx, args, e)
	return code, out.String(), errOut.String()
}

// commandArgs are short runs of the commands that judge a target, and
// how to read the target their output recorded ("" when none).
func commandArgs(t *testing.T, cmd string) (args []string, recorded func() string) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	switch cmd {
	case "contract":
		return []string{"contract", "--run", "^AUTH-00[12]$", "--json", out, "--quiet"}, func() string {
			res, err := readResultFile(out)
			require.NoError(t, err)
			return res.Contract.Target
		}
	case "load":
		return []string{"load", "--subscriptions", "2", "--push-rate", "10", "--duration", "300ms", "--json", out, "--quiet"}, func() string {
			l, err := readLoadFile(out)
			require.NoError(t, err)
			return l.Meta.Target
		}
	case "check":
		return []string{"check", "--skip-load", "--run", "^AUTH-00[12]$", "--out", dir, "--quiet"}, func() string {
			res, err := readResultFile(filepath.Join(dir, "results.json"))
			require.NoError(t, err)
			return res.Contract.Target
		}
	}
	return []string{"record", "--max-events", "1", "--out", out}, func() string { return "" }
}

// TestTargetFromEnvironment: the commands that judge a target take it,
// and its credentials, from the environment "go test ./contract/"
// reads when the flags are absent, and name it on their first line.
func TestTargetFromEnvironment(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"contract", "load", "check", "record"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			// a mock of its own: it replays its recording from the first join
			srv := mocktest.Start(t, &mockserver.Options{Speed: 0})
			demo := map[string]string{envTarget: srv.URL, envAccessToken: mockserver.DemoAccessToken, envSecretKey: mockserver.DemoSecretKey}
			joins := srv.Stats().Joins
			args, recorded := commandArgs(t, cmd)
			code, stdout, stderr := runEnv(t, demo, args...)
			require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			first := stdout
			if cmd == "record" {
				first = stderr // stdout may be the recording
			}
			assert.True(t, strings.HasPrefix(first, "target: "+srv.URL+"\n"), "first line: %q", first)
			assert.NotContains(t, stdout+stderr, "embedded mock")
			assert.Greater(t, srv.Stats().Joins, joins, "the mock of $WSTRIGGER_TARGET was judged")
			if want := recorded(); want != "" {
				assert.Equal(t, srv.URL, want, "the report records the target of the environment")
			}
		})
	}
}

// TestFlagsOverrideTheEnvironment: a flag wins over its variable;
// --target ” picks the embedded mock whatever $WSTRIGGER_TARGET says.
func TestFlagsOverrideTheEnvironment(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Speed: 0})
	closed := closedPort(t)
	tests := []struct {
		name   string
		vars   map[string]string
		args   []string
		code   int
		first  string
		stderr string
	}{
		{"--target over $WSTRIGGER_TARGET",
			map[string]string{envTarget: closed, envAccessToken: mockserver.DemoAccessToken, envSecretKey: mockserver.DemoSecretKey},
			[]string{"--target", srv.URL}, exitOK, "target: " + srv.URL + "\n", ""},
		{"--target '' for the embedded mock",
			map[string]string{envTarget: closed},
			[]string{"--target", ""}, exitOK, "target: embedded mock\n", ""},
		{"--secret-key over a wrong $WSTRIGGER_SECRET_KEY",
			map[string]string{envTarget: srv.URL, envAccessToken: mockserver.DemoAccessToken, envSecretKey: "sec-wrong-123"},
			[]string{"--secret-key", mockserver.DemoSecretKey}, exitOK, "target: " + srv.URL + "\n", ""},
		{"a wrong --secret-key over a right $WSTRIGGER_SECRET_KEY",
			map[string]string{envTarget: srv.URL, envAccessToken: mockserver.DemoAccessToken, envSecretKey: mockserver.DemoSecretKey},
			[]string{"--secret-key", "sec-wrong-123"}, exitUsage, "target: " + srv.URL + "\n", "refuses these credentials"},
		{"$WSTRIGGER_TARGET without credentials",
			map[string]string{envTarget: srv.URL},
			nil, exitUsage, "", "credentials missing"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"contract", "load", "check"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				args, _ := commandArgs(t, cmd)
				code, stdout, stderr := runEnv(t, tt.vars, append(args, tt.args...)...)
				assert.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
				assert.True(t, strings.HasPrefix(stdout, tt.first), "first line: %q", stdout)
				assert.Contains(t, stderr, tt.stderr)
				assert.NotContains(t, stdout+stderr, "sec-wrong-123")
			})
		}
	}
}

// TestOtherTenantsFromEnvironment: the second tenant's and the
// forbidden account's credentials come from the environment too, and
// enable the checks that need them.
func TestOtherTenantsFromEnvironment(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Speed: 0})
	base := map[string]string{envTarget: srv.URL, envAccessToken: mockserver.DemoAccessToken, envSecretKey: mockserver.DemoSecretKey}
	all := map[string]string{
		contract.EnvOtherAccessToken: mockserver.OtherAccessToken, contract.EnvOtherSecretKey: mockserver.OtherSecretKey,
		contract.EnvForbiddenAccessToken: mockserver.ForbiddenAccessToken, contract.EnvForbiddenSecretKey: mockserver.ForbiddenSecretKey,
	}
	for k, v := range base {
		all[k] = v
	}
	for _, cmd := range []string{"contract", "check"} {
		for _, tt := range []struct {
			name    string
			vars    map[string]string
			skipped int
		}{{"without", base, 2}, {"with", all, 0}} {
			t.Run(cmd+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				args := []string{cmd, "--run", "^(PUSH-013|JOIN-006)$", "--quiet"}
				if cmd == "check" {
					args = append(args, "--skip-load", "--out", dir)
				} else {
					args = append(args, "--json", filepath.Join(dir, "results.json"))
				}
				code, stdout, stderr := runEnv(t, tt.vars, args...)
				require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
				res, err := readResultFile(filepath.Join(dir, "results.json"))
				require.NoError(t, err)
				assert.Equal(t, 2, res.Contract.Summary.Total)
				assert.Equal(t, tt.skipped, res.Contract.Summary.Skipped)
				assert.NotContains(t, stdout+stderr, mockserver.OtherSecretKey)
			})
		}
	}
}

// TestStrict: a skipped MUST check passes the run but says so in the
// verdict; --strict fails it.
func TestStrict(t *testing.T) {
	t.Parallel()
	// no second tenant: the isolation check PUSH-013 (MUST) is skipped
	srv := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	vars := map[string]string{envTarget: srv.URL, envAccessToken: mockserver.DemoAccessToken, envSecretKey: mockserver.DemoSecretKey}
	for _, cmd := range []string{"contract", "check"} {
		for _, tt := range []struct {
			strict  bool
			code    int
			verdict string
		}{
			{false, exitOK, "every MUST check that ran passed, 1 MUST check skipped: "},
			{true, exitFail, "NOT CONFORMANT: 1 MUST check failed (strict: a skipped MUST check fails)"},
		} {
			name := cmd
			if tt.strict {
				name += "/strict"
			}
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				args := []string{cmd, "--run", "^PUSH-013$", "--quiet"}
				if cmd == "check" {
					args = append(args, "--skip-load", "--out", dir)
				} else {
					args = append(args, "--json", filepath.Join(dir, "results.json"))
				}
				if tt.strict {
					args = append(args, "--strict")
				}
				code, stdout, stderr := runEnv(t, vars, args...)
				require.Equal(t, tt.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
				assert.Contains(t, stdout, tt.verdict)
				res, err := readResultFile(filepath.Join(dir, "results.json"))
				require.NoError(t, err)
				assert.Equal(t, tt.strict, res.Contract.Strict)
			})
		}
	}
}

// TestEmbeddedMockNamed: without a target the reports name the embedded
// mock, whose port says nothing.
func TestEmbeddedMockNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runEnv(t, nil, "check", "--out", dir, "--run", "^AUTH-001$", "--subscriptions", "2", "--push-rate", "10",
		"--duration", "300ms", "--quiet", "--slo", "errors<1000000")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.True(t, strings.HasPrefix(stdout, "target: embedded mock\n"), stdout)
	res, err := readResultFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, "embedded mock", res.Contract.TargetName)
	assert.Equal(t, "embedded mock", res.Load.Meta.TargetName)
	var md bytes.Buffer
	require.NoError(t, reports.CheckMarkdown(&md, res))
	assert.Contains(t, md.String(), "embedded mock at `http://127.0.0.1:")
}
