package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// demoEnv is an environment with the demo tenant's credentials.
func demoEnv(stdout, stderr io.Writer) *env {
	return &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, getenv: demoGetenv}
}

// record runs "wstrigger record" against target and returns the events of
// the capture.
func record(t *testing.T, target string, n int) (file string, events []json.RawMessage) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "capture.jsonl")
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, []string{"record", "--target", target, "--max-events", itoa(n), "--out", file}, demoEnv(io.Discard, &stderr))
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), itoa(n)+" triggers recorded")
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	lines, err := protocol.ReadRecording(f)
	require.NoError(t, err)
	for _, l := range lines {
		events = append(events, l.Event)
	}
	return file, events
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRecordThenReplayIsIdentical(t *testing.T) {
	t.Parallel()
	const n = 80
	original := mockserver.DefaultRecording()[:n]
	first := mocktest.Start(t, &mockserver.Options{Recording: original, Speed: 0})
	captureFile, captured := record(t, first.URL, n)
	require.Len(t, captured, n)
	for i := range original {
		assert.JSONEq(t, string(original[i].Event), string(captured[i]), "event %d", i)
	}

	f, err := os.Open(captureFile)
	require.NoError(t, err)
	replayed, err := protocol.ReadRecording(f)
	f.Close()
	require.NoError(t, err)
	second := mocktest.Start(t, &mockserver.Options{Recording: replayed, Speed: 0})
	_, again := record(t, second.URL, n)
	require.Len(t, again, n)
	for i := range captured {
		assert.Equal(t, string(captured[i]), string(again[i]), "event %d differs after replaying the capture", i)
	}
}

func TestRecordErrors(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		stderr string
	}{
		{"no target", []string{"record"}, nil, "--target (or $WSTRIGGER_TARGET) is required"},
		{"no credentials", []string{"record", "--target", srv.URL}, map[string]string{}, "credentials missing"},
		{"wrong secret", []string{"record", "--target", srv.URL, "--access-token", "demo-access-token", "--secret-key", "nope-wrong"}, nil, "401"},
		{"invalid pattern", []string{"record", "--target", srv.URL, "--pattern", `{"org":[]}`}, nil, "invalid_pattern"},
		{"unreachable", []string{"record", "--target", "http://127.0.0.1:1", "--access-token", "tok-abcdef", "--secret-key", "sec-abcdef"}, nil, "refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := demoEnv(&stdout, &stderr)
			if tc.env != nil {
				e.getenv = func(k string) string { return tc.env[k] }
			}
			code := run(context.Background(), tc.args, e)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr.String(), tc.stderr)
			for _, secret := range []string{"nope-wrong", "sec-abcdef", "demo-secret-key"} {
				assert.NotContains(t, stderr.String(), secret)
			}
		})
	}
}

// TestRecordKeepsAnEarlierFile: a record that fails leaves the file it
// would have written as it was.
func TestRecordKeepsAnEarlierFile(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "keep.jsonl")
	require.NoError(t, os.WriteFile(out, []byte("precious\n"), 0o644))
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"record", "--target", "http://127.0.0.1:1", "--access-token", "tok-abcdef",
		"--secret-key", "sec-abcdef", "--out", out}, demoEnv(&stdout, &stderr))
	assert.Equal(t, exitUsage, code)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "precious\n", string(data))
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

// startMockCommand runs "wstrigger mock" in-process on a free port and
// returns its URL; the command stops when the test ends.
func startMockCommand(t *testing.T, args ...string) (url string, stderr *mocktest.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &mocktest.Buffer{}, &mocktest.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), demoEnv(stdout, stderr))
	}()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, exitOK, <-done, stderr.String())
	})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	require.Eventually(t, func() bool { return re.MatchString(stdout.String()) }, 10*time.Second, 10*time.Millisecond, "no banner: %s", stderr.String())
	out := stdout.String()
	assert.Contains(t, out, mockserver.DemoAccessToken)
	return re.FindStringSubmatch(out)[1], stderr
}

func TestMockCommandWithNodeClient(t *testing.T) {
	t.Parallel()
	url, stderr := startMockCommand(t, "--speed", "50")
	node, err := exec.LookPath("node")
	script := filepath.Join("..", "..", "tools", "nodeclient", "check.mjs")
	_, modErr := os.Stat(filepath.Join("..", "..", "tools", "nodeclient", "node_modules", "ws"))
	if err != nil || modErr != nil {
		if os.Getenv("WSTRIGGER_REQUIRE_NODE") != "" {
			t.Fatalf("node or the ws package is missing (run npm ci in tools/nodeclient): %v %v", err, modErr)
		}
		t.Skip("node or tools/nodeclient/node_modules missing; .ci/run installs them")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, script, url).CombinedOutput()
	require.NoError(t, err, "node client: %s", out)
	assert.Contains(t, string(out), "node client: ok")
	// The mock logged the join without credentials or session id.
	require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "msg=close") }, 10*time.Second, 10*time.Millisecond)
	logs := stderr.String()
	assert.NotContains(t, logs, mockserver.DemoSecretKey)
	assert.NotContains(t, logs, "accessToken="+mockserver.DemoAccessToken)
}

func TestMockCommandFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badRecording := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(badRecording, []byte("{\"offsetMs\":5,\"event\":{}}\n{\"offsetMs\":1,\"event\":{}}\n"), 0o600))
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	badCreds := filepath.Join(dir, "creds.json")
	require.NoError(t, os.WriteFile(badCreds, []byte(`[{"accessToken":"a"}]`), 0o600))
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"recording out of order", []string{"--recording", badRecording}, "line 2"},
		{"missing recording", []string{"--recording", filepath.Join(dir, "none.jsonl")}, "no such file"},
		{"bad credentials file", []string{"--credentials", badCreds}, "creds.json"},
		{"bad rejection", []string{"--reject-joins", "lots"}, "share"},
		{"bad log format", []string{"--log-format", "xml"}, "want text or json"},
		{"negative speed", []string{"--speed", "-1"}, "--speed -1: want 0"},
		{"bad log format, quiet", []string{"--log-format", "xml", "--quiet"}, "want text or json"},
		{"unknown flag", []string{"--bogus"}, "bogus"},
		{"address in use", []string{"--addr", busy.Addr().String()}, "address already in use"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			// A case that wrongly starts the mock must not hang the test.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			code := run(ctx, append([]string{"mock"}, tc.args...), demoEnv(&stdout, &stderr))
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr.String(), tc.stderr)
		})
	}
}
