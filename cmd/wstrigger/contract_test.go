package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver"
)

func TestContractCommandAgainstEmbeddedMock(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the whole suite")
	}
	dir := t.TempDir()
	files := map[string]string{"json": filepath.Join(dir, "r.json"), "junit": filepath.Join(dir, "r.xml"), "markdown": filepath.Join(dir, "r.md")}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, []string{"contract", "--observe", "1s", "--json", files["json"], "--junit", files["junit"], "--markdown", files["markdown"]}, demoEnv(&stdout, &stderr))
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.True(t, strings.HasPrefix(stdout.String(), "target: embedded mock\n"), "the first line names what is judged: %s", stdout.String())
	assert.Regexp(t, `\nVerdict: every MUST check (that ran )?passed`, stdout.String())
	assert.Contains(t, stdout.String(), "PASS  AUTH-001")

	data, err := os.ReadFile(files["json"])
	require.NoError(t, err)
	var rep contract.Report
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, contract.SchemaVersion, rep.SchemaVersion)
	assert.True(t, rep.Passed())
	assert.Equal(t, "embedded mock", rep.TargetName)
	assert.False(t, rep.Interrupted)
	for _, name := range []string{mockserver.DemoSecretKey, mockserver.OtherSecretKey, mockserver.ForbiddenSecretKey} {
		assert.NotContains(t, string(data), name)
	}
	for _, f := range []string{files["junit"], files["markdown"]} {
		info, err := os.Stat(f)
		require.NoError(t, err)
		assert.Positive(t, info.Size())
	}
}

func TestContractCommandStatuses(t *testing.T) {
	t.Parallel()
	// An implementation that answers 200 to everything fails the auth checks.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer broken.Close()
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"a failing MUST check", []string{"--target", broken.URL, "--run", "^AUTH-00[1-3]$"}, exitFail, "NOT CONFORMANT", ""},
		{"unreachable target", []string{"--target", "http://127.0.0.1:1", "--run", "AUTH-001"}, exitUsage, "", "127.0.0.1:1"},
		{"bad --run", []string{"--run", "("}, exitUsage, "", "--run"},
		{"--run matching nothing", []string{"--run", "NO-SUCH-CHECK"}, exitUsage, "", `--run "NO-SUCH-CHECK" matches no check`},
		{"--run matching only aggressive checks", []string{"--run", "^AGG-001$"}, exitUsage, "", "only checks that run with --aggressive"},
		{"--json into a missing folder", []string{"--json", "/nonexistent/r.json"}, exitUsage, "", "--json /nonexistent/r.json: folder /nonexistent"},
		{"bad --spec", []string{"--spec", "/nonexistent"}, exitUsage, "", "--spec"},
		{"target without credentials", []string{"--target", broken.URL, "--access-token", ""}, exitUsage, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := demoEnv(&stdout, &stderr)
			if tc.name == "target without credentials" {
				e.getenv = func(string) string { return "" }
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			code := run(ctx, append([]string{"contract"}, tc.args...), e)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
			assert.Contains(t, stdout.String(), tc.stdout)
			assert.Contains(t, stderr.String(), tc.stderr)
			assert.NotContains(t, stdout.String()+stderr.String(), mockserver.DemoSecretKey)
		})
	}
}
