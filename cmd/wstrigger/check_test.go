package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/reports"
)

// small keeps a check run to a few seconds.
var small = []string{"--subscriptions", "20", "--push-rate", "50", "--duration", "2s", "--observe", "1s", "--quiet"}

func runCheckCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	code = run(ctx, append([]string{"check"}, args...), demoEnv(&out, &errOut))
	return code, out.String(), errOut.String()
}

func TestCheckCommandAgainstEmbeddedMock(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the suite and a load run")
	}
	dir := filepath.Join(t.TempDir(), "report")
	// SLOs on counts only: a latency objective could fail on a busy
	// machine (the default SLOs run in CI as the README's first command)
	slos := []string{"--slo", "delivered>=99.99%", "--slo", "errors<0.1%", "--slo", "lost<=0.01%"}
	code, stdout, stderr := runCheckCmd(t, append(append([]string{"--out", dir}, small...), slos...)...)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.True(t, strings.HasPrefix(stdout, "target: embedded mock\n"), "the first line names what is judged: %s", stdout)
	assert.Regexp(t, `\nVerdict: every MUST check (that ran )?passed`, stdout)
	assert.Contains(t, stdout, "SLO pass delivered>=99.99%")
	assert.Regexp(t, `\nPASS: every MUST check (that ran )?passed.* every SLO held\n$`, stdout)

	f, err := os.Open(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := reports.ReadCheck(f)
	require.NoError(t, err)
	assert.Equal(t, reports.CheckSchemaVersion, res.SchemaVersion)
	require.NotNil(t, res.Contract)
	require.NotNil(t, res.Load)
	assert.True(t, res.Passed())
	assert.Len(t, res.Load.SLOs, 4, "the three given and sent>=99%")
	assert.Equal(t, 20, res.Load.Config.Subscriptions)
	assert.Equal(t, res.Load.Delivery.Accepted, res.Load.Delivery.Received)
	assert.Equal(t, "embedded mock", res.Contract.TargetName)
	assert.Equal(t, "embedded mock", res.Load.Meta.TargetName)
	cors := 0
	for _, r := range res.Contract.Results {
		if strings.HasPrefix(r.ID, "CORS-") {
			cors++
			assert.Equal(t, contractreport.StatusPass, r.Status, "the embedded mock restricts origins, so that the checks of browsers run, the refused origin's (CORS-005) included: %s", r.ID)
		}
	}
	assert.Equal(t, 5, cors)
	assert.False(t, res.IsInterrupted())

	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	suites, err := junit.Ingest(data)
	require.NoError(t, err)
	var cases, sloCases int
	for _, s := range suites {
		for _, tc := range s.Tests {
			cases++
			if tc.Classname == "load.slo" {
				sloCases++
				assert.Equal(t, junit.StatusPassed, tc.Status, tc.Name)
			}
		}
	}
	assert.Equal(t, len(res.Contract.Results)+4, cases)
	assert.Equal(t, 4, sloCases)

	for _, name := range []string{"report.html", "report.md", "results.json", "junit.xml"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.NotContains(t, string(data), mockserver.DemoSecretKey, name)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(string(html), "<svg"))
}

func TestCheckCommandStatuses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs load and contract")
	}
	// A port that nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())

	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
		files  bool
	}{
		{"help", []string{"-h"}, exitOK, "", "push.p99<250ms", false},
		{"unknown flag", []string{"--frobnicate"}, exitUsage, "", "unknown flag --frobnicate", false},
		{"nothing to run", []string{"--skip-load", "--skip-contract"}, exitUsage, "", "nothing to run", false},
		{"bad slo", []string{"--slo", "push.p99<<1"}, exitUsage, "", "slo", false},
		{"unreachable target", append([]string{"--target", closed}, small...), exitUsage, "", "wstrigger check:", false},
		{"missed SLO fails", append([]string{"--skip-contract", "--slo", "push.p50<1us"}, small...), exitFail, "SLO FAIL", "", true},
		{"contract only", append([]string{"--skip-load", "--run", "^AUTH-00[12]"}, small...), exitOK, "PASS", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, stdout, stderr := runCheckCmd(t, append([]string{"--out", dir}, tc.args...)...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
			_, err := os.Stat(filepath.Join(dir, "results.json"))
			assert.Equal(t, tc.files, err == nil, "results.json written")
			if tc.files {
				data, err := os.ReadFile(filepath.Join(dir, "results.json"))
				require.NoError(t, err)
				var doc map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(data, &doc))
				assert.JSONEq(t, `"wstrigger.check"`, string(doc["kind"]))
			}
		})
	}
}

// TestCheckDefaultSLOs: without --slo the run is judged by
// DefaultCheckSLOs and DefaultSentSLO (whatever their verdicts on this
// machine).
func TestCheckDefaultSLOs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := runCheckCmd(t, "--out", dir, "--skip-contract", "--subscriptions", "5", "--push-rate", "20", "--duration", "500ms", "--quiet")
	require.Contains(t, []int{exitOK, exitFail}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	f, err := os.Open(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := reports.ReadCheck(f)
	require.NoError(t, err)
	require.NotNil(t, res.Load)
	var got []string
	for _, s := range res.Load.SLOs {
		got = append(got, s.SLO)
	}
	assert.Equal(t, append(slices.Clone(DefaultCheckSLOs), DefaultSentSLO), got)
}
