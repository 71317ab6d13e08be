package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	junit "github.com/joshdk/go-junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/reports"
)

// runInterrupted runs the command line in-process and cancels its
// context, as the first Ctrl-C does, once ready says the run has got
// far enough. It returns the status, the output and how long the
// command took to stop after the cancel.
func runInterrupted(t *testing.T, getenv func(string) string, ready func(stdout, stderr string) bool, args ...string) (code int, stdout, stderr string, stopped time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return runActing(t, ctx, getenv, ready, cancel, args...)
}

// runActing runs the command line in-process under ctx and calls act
// once ready says the run has got far enough. It returns the status,
// the output and how long the command took to end after act.
func runActing(t *testing.T, ctx context.Context, getenv func(string) string, ready func(stdout, stderr string) bool, act func(), args ...string) (code int, stdout, stderr string, stopped time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, errOut := &mocktest.Buffer{}, &mocktest.Buffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: getenv}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, e) }()
	deadline := time.Now().Add(90 * time.Second)
	for !ready(out.String(), errOut.String()) {
		select {
		case code := <-done:
			t.Fatalf("ended with status %d before it could be interrupted\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("never ready to be interrupted\nstdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
	}
	act()
	at := time.Now()
	select {
	case code = <-done:
	case <-time.After(60 * time.Second):
		cancel()
		<-done
		t.Fatalf("still running 60s after the interruption\nstdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	return code, out.String(), errOut.String(), time.Since(at)
}

// demoGetenv is the environment of demoEnv.
func demoGetenv(k string) string {
	return map[string]string{envAccessToken: mocktest.Demo.AccessToken, envSecretKey: mocktest.Demo.SecretKey}[k]
}

// after says that a run is ready to be interrupted once its standard
// output (or error, for stderr) holds text.
func after(text string, stderr bool) func(string, string) bool {
	return func(out, errOut string) bool {
		if stderr {
			return strings.Contains(errOut, text)
		}
		return strings.Contains(out, text)
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, v))
}

// junitStatuses counts the testcases of a JUnit file by status.
func junitStatuses(t *testing.T, path string) map[junit.Status]int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	suites, err := junit.Ingest(data)
	require.NoError(t, err)
	out := map[junit.Status]int{}
	for _, s := range suites {
		for _, tc := range s.Tests {
			out[tc.Status]++
		}
	}
	return out
}

// firstLine is the first line of a file.
func firstLine(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	line, _, _ := strings.Cut(string(data), "\n")
	return line
}

func TestContractInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{"json": filepath.Join(dir, "r.json"), "junit": filepath.Join(dir, "r.xml"), "markdown": filepath.Join(dir, "r.md")}
	code, stdout, stderr, _ := runInterrupted(t, demoGetenv, after("PASS  AUTH-002", false),
		"contract", "--observe", "1s", "--json", files["json"], "--junit", files["junit"], "--markdown", files["markdown"])
	require.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Regexp(t, `\nVerdict: interrupted after \d+ of \d+ checks — not a verdict\n`, stdout)
	assert.NotContains(t, stdout, "every MUST check")

	var rep contract.Report
	readJSONFile(t, files["json"], &rep)
	assert.True(t, rep.Interrupted)
	assert.Positive(t, rep.Summary.NotRun)
	assert.False(t, rep.Passed())
	assert.Equal(t, 1, junitStatuses(t, files["junit"])[junit.StatusError], "the interruption is one error")
	assert.Contains(t, firstLine(t, files["markdown"]), "✘ interrupted after")
}

func TestCheckInterrupted(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the suite and a load run")
	}
	tests := []struct {
		name  string
		ready func(stdout, stderr string) bool
		check func(t *testing.T, res *reports.CheckResult)
	}{
		{"during the contract suite", after("PASS  AUTH-002", false), func(t *testing.T, res *reports.CheckResult) {
			require.NotNil(t, res.Contract)
			assert.True(t, res.Contract.Interrupted)
			assert.Nil(t, res.Load)
			assert.Equal(t, []string{"load"}, res.NotRun)
		}},
		{"during the load run", after(" pushing ", true), func(t *testing.T, res *reports.CheckResult) {
			require.NotNil(t, res.Contract)
			assert.False(t, res.Contract.Interrupted, "the suite had finished")
			require.NotNil(t, res.Load)
			assert.True(t, res.Load.Interrupted)
			for _, s := range res.Load.SLOs {
				assert.False(t, s.Passed, "%s judged on an interrupted run", s.SLO)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "report")
			code, stdout, stderr, stopped := runInterrupted(t, demoGetenv, tt.ready, "check", "--out", dir, "--observe", "1s",
				"--subscriptions", "5", "--push-rate", "20", "--duration", "60s", "--slo", "errors<1000000")
			require.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Less(t, stopped, 30*time.Second, "a 60 s run stops when interrupted")
			assert.Regexp(t, `marked interrupted\)\n✘ interrupted [^\n]+ — not a verdict[^\n]*\n$`, stdout)

			f, err := os.Open(filepath.Join(dir, "results.json"))
			require.NoError(t, err)
			defer f.Close()
			res, err := reports.ReadCheck(f)
			require.NoError(t, err)
			assert.True(t, res.Interrupted)
			assert.False(t, res.Passed())
			tt.check(t, res)

			statuses := junitStatuses(t, filepath.Join(dir, "junit.xml"))
			assert.Equal(t, 1, statuses[junit.StatusError])
			assert.Contains(t, firstLine(t, filepath.Join(dir, "report.md")), "✘ interrupted")
			html, err := os.ReadFile(filepath.Join(dir, "report.html"))
			require.NoError(t, err)
			assert.Contains(t, string(html), `<p class="verdict interrupted">✘ interrupted`)
		})
	}
}

func TestLoadInterrupted(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "run.json")
	code, stdout, stderr, stopped := runInterrupted(t, demoGetenv, after(" pushing ", true),
		"load", "--subscriptions", "5", "--push-rate", "20", "--duration", "60s", "--json", out, "--slo", "errors<1000000")
	require.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Less(t, stopped, 30*time.Second)
	assert.Contains(t, stdout, "✘ interrupted ")
	assert.Contains(t, stdout, "SLO --   errors<1000000")
	assert.NotContains(t, stdout, "SLO pass")
	assert.Contains(t, stderr, "no SLO was judged")

	var res load.Result
	readJSONFile(t, out, &res)
	assert.True(t, res.Interrupted)
	assert.Positive(t, res.Pushes.Sent, "the figures so far are kept")
	require.Len(t, res.SLOs, 2, "errors<1000000 and sent>=99%")
	for _, v := range res.SLOs {
		assert.False(t, v.Passed, v.SLO)
	}
}

func TestLoadInterruptedWhileJoining(t *testing.T) {
	t.Parallel()
	// an interruption before every subscription joined is no "nothing
	// joined" bad-input error, whatever had joined
	code, stdout, stderr, _ := runInterrupted(t, demoGetenv, after(" joining ", true),
		"load", "--subscriptions", "50", "--connect-rate", "2", "--push-rate", "10", "--duration", "10s")
	assert.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.NotContains(t, stderr, "no subscription could join")
}

func TestRecordInterrupted(t *testing.T) {
	t.Parallel()
	srv := mocktest.Start(t, &mockserver.Options{Speed: 50, Loop: true})
	out := filepath.Join(t.TempDir(), "capture.jsonl")
	// Ready once a trigger went out: the join alone is counted before
	// the command's Join returns, and an interruption in between is one
	// "before the run began", a race that parallel tests made frequent.
	recording := func(string, string) bool { return srv.Stats().FramesSent[protocol.FrameTrigger] > 0 }
	code, stdout, stderr, _ := runInterrupted(t, demoGetenv, recording,
		"record", "--target", srv.URL, "--out", out)
	require.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.True(t, strings.HasPrefix(stderr, "target: "+srv.URL+"\n"), stderr)
	assert.Contains(t, stderr, "wstrigger record: interrupted: ")
	assert.Contains(t, stderr, "kept in "+out)
	f, err := os.Open(out)
	require.NoError(t, err, "the recording so far is kept")
	defer f.Close()
	_, err = protocol.ReadRecording(f)
	assert.NoError(t, err, "and whole")
}

// frozenTarget listens on 127.0.0.1 and accepts connections that it
// never answers: a target that hangs every request.
func frozenTarget(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// TestInterruptedBeforeTheRun: against a target that never answers, an
// interruption ends the preflight join at once; nothing was measured,
// so nothing is written.
func TestInterruptedBeforeTheRun(t *testing.T) {
	t.Parallel()
	target := frozenTarget(t)
	for _, cmd := range []string{"contract", "load", "check", "record"} {
		t.Run(cmd, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{cmd, "--target", target, "--quiet"}
			ready := after("target: "+target, false)
			switch cmd {
			case "contract", "load":
				args = append(args, "--json", filepath.Join(dir, "out.json"))
			case "check":
				args = append(args, "--out", filepath.Join(dir, "report"))
			case "record":
				args = []string{cmd, "--target", target, "--out", filepath.Join(dir, "out.json")}
				ready = after("target: "+target, true)
			}
			code, stdout, stderr, stopped := runInterrupted(t, demoGetenv, ready, args...)
			assert.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			assert.Less(t, stopped, 5*time.Second)
			assert.Contains(t, stderr, "interrupted before the run began")
			_, err := os.Stat(filepath.Join(dir, "out.json"))
			assert.True(t, errors.Is(err, os.ErrNotExist), "no file written")
			_, err = os.Stat(filepath.Join(dir, "report", "results.json"))
			assert.True(t, errors.Is(err, os.ErrNotExist), "no report written")
		})
	}
}

// TestQuickCommandsInterrupted: the commands that take no time write
// nothing once interrupted, rather than a part of their output.
func TestQuickCommandsInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Config: loadresult.Config{Shard: "0/1"}, Intervals: []load.Interval{}}
	var buf bytes.Buffer
	require.NoError(t, writeLoadJSON(&buf, l))
	one := writeTestFile(t, dir, "one.json", buf.String())
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		args []string
	}{
		{"report merge", []string{"report", "merge", "-o", out, one}},
		{"report md", []string{"report", "md", one, "-o", out}},
		{"report compare", []string{"report", "compare", one, one}},
		{"pattern test", []string{"pattern", "test", "org=IBM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := demoEnv(&stdout, &stderr)
			e.stdin = strings.NewReader(ibmJoin + "\n")
			assert.Equal(t, exitInterrupted, run(ctx, tt.args, e), stderr.String())
			assert.Contains(t, stderr.String(), "interrupted")
			assert.Empty(t, stdout.String())
			_, err := os.Stat(out)
			assert.True(t, errors.Is(err, os.ErrNotExist), "nothing written")
		})
	}
}

func TestReportMergeOfAnInterruptedShard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var paths []string
	for k, interrupted := range []bool{false, true} {
		l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Interrupted: interrupted,
			Config: loadresult.Config{Shard: load.Shard{K: k, N: 2}.String()}, Intervals: []load.Interval{}}
		var buf bytes.Buffer
		require.NoError(t, writeLoadJSON(&buf, l))
		paths = append(paths, writeTestFile(t, dir, load.Shard{K: k, N: 2}.String()[:1]+".json", buf.String()))
	}
	out := filepath.Join(dir, "merged.json")
	code, stdout, stderr := runReportCmd(t, append([]string{"merge", "-o", out, "--slo", "errors<1"}, paths...)...)
	assert.Equal(t, exitInterrupted, code, stdout+stderr)
	assert.Contains(t, stderr, "a shard was interrupted")
	var merged load.Result
	readJSONFile(t, out, &merged)
	assert.True(t, merged.Interrupted)
	require.Len(t, merged.SLOs, 1)
	assert.False(t, merged.SLOs[0].Passed)
}

func TestWatchSignals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		signals []os.Signal
		exited  []int
		stderr  []string
	}{
		{"none", nil, nil, nil},
		{"one cancels", []os.Signal{os.Interrupt}, nil, []string{"interrupted (SIGINT): stopping and writing what was done (status 130); press Ctrl-C again"}},
		{"SIGTERM too", []os.Signal{syscall.SIGTERM}, nil, []string{"terminated (SIGTERM): stopping"}},
		{"the second exits", []os.Signal{os.Interrupt, syscall.SIGTERM}, []int{exitInterrupted}, []string{"stopping", "terminated (SIGTERM) again: quitting at once (status 130)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs := make(chan os.Signal)
			var w mocktest.Buffer
			var mu sync.Mutex
			var exited []int
			ctx, done := watchSignals(context.Background(), sigs, &w, func(code int) {
				mu.Lock()
				defer mu.Unlock()
				exited = append(exited, code)
			})
			for _, s := range tt.signals {
				sigs <- s // unbuffered: taken by the watch
				if len(tt.signals) > 0 {
					require.Eventually(t, func() bool { return ctx.Err() != nil }, 10*time.Second, time.Millisecond, "the first signal cancels")
				}
			}
			if len(tt.signals) == 0 {
				assert.NoError(t, ctx.Err())
			}
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(exited) == len(tt.exited)
			}, 10*time.Second, time.Millisecond)
			done()
			assert.Error(t, ctx.Err(), "done releases the context")
			assert.Equal(t, tt.exited, exited)
			for _, want := range tt.stderr {
				assert.Contains(t, w.String(), want)
			}
		})
	}
}
