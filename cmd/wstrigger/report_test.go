package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/reports"
)

func runReportCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = run(ctx, append([]string{"report"}, args...), demoEnv(&out, &errOut))
	return code, out.String(), errOut.String()
}

// writeTestFile writes data to name in dir and returns its path.
func writeTestFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return path
}

func TestReportRender(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Intervals: []load.Interval{}}
	l.Delivery = loadresult.Delivery{Accepted: 10, Received: 10, DeliveredPercent: 100, InvariantHolds: true}
	l.SLOs = []loadresult.SLOResult{{SLO: "delivered>=99.99%", Actual: "100%", Passed: true}}
	var buf bytes.Buffer
	require.NoError(t, reports.CheckJSON(&buf, reports.NewCheckResult(nil, l)))
	check := writeTestFile(t, dir, "results.json", buf.String())
	buf.Reset()
	require.NoError(t, writeLoadJSON(&buf, l))
	bare := writeTestFile(t, dir, "load.json", buf.String())
	bad := writeTestFile(t, dir, "bad.json", "{not json")
	kind := writeTestFile(t, dir, "kind.json", `{"schemaVersion":1,"kind":"nope"}`)
	newer := writeTestFile(t, dir, "newer.json", `{"schemaVersion":42,"kind":"wstrigger.check"}`)
	out := filepath.Join(dir, "out.html")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		wantFile   string
	}{
		{name: "md to stdout", args: []string{"md", check}, wantCode: exitOK, wantStdout: "delivered>=99.99%"},
		{name: "junit of a bare load result", args: []string{"junit", bare}, wantCode: exitOK, wantStdout: "<testsuite"},
		{name: "html to a file", args: []string{"html", check, "-o", out}, wantCode: exitOK, wantFile: out},
		{name: "no command", args: nil, wantCode: exitUsage, wantStderr: "Usage: wstrigger report"},
		{name: "help", args: []string{"-h"}, wantCode: exitOK, wantStderr: "Usage: wstrigger report"},
		{name: "unknown subcommand", args: []string{"pdf", check}, wantCode: exitUsage, wantStderr: `unknown subcommand "pdf"`},
		{name: "no file", args: []string{"md"}, wantCode: exitUsage, wantStderr: "want one RESULTS.json"},
		{name: "missing file", args: []string{"md", filepath.Join(dir, "none.json")}, wantCode: exitUsage, wantStderr: "no such file"},
		{name: "bad json", args: []string{"md", bad}, wantCode: exitUsage, wantStderr: "invalid character"},
		{name: "unknown kind", args: []string{"md", kind}, wantCode: exitUsage, wantStderr: `unknown kind "nope"`},
		{name: "newer schema", args: []string{"md", newer}, wantCode: exitUsage, wantStderr: "schema version 42"},
		{name: "bad flag", args: []string{"md", check, "--nope"}, wantCode: exitUsage, wantStderr: "unknown flag --nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReportCmd(t, tt.args...)
			assert.Equal(t, tt.wantCode, code, "stderr:\n%s", stderr)
			assert.Contains(t, stdout, tt.wantStdout)
			assert.Contains(t, stderr, tt.wantStderr)
			if tt.wantFile != "" {
				data, err := os.ReadFile(tt.wantFile)
				require.NoError(t, err)
				assert.Contains(t, string(data), "<html")
			}
		})
	}
}

func TestReportRenderRefusesToOverwriteItsInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Intervals: []load.Interval{}}
	var buf bytes.Buffer
	require.NoError(t, writeLoadJSON(&buf, l))
	in := writeTestFile(t, dir, "run.json", buf.String())
	code, _, stderr := runReportCmd(t, "html", in, "-o", in)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "would overwrite the input")
	data, err := os.ReadFile(in)
	require.NoError(t, err)
	assert.Equal(t, buf.String(), string(data), "the input is left as it was")
}

// TestReportMergeThreeShardProcesses runs one load run as three driver
// processes against one mock and checks the merged result against the
// mock's and the shards' own accounting.
func TestReportMergeThreeShardProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary and runs three load processes")
	}
	dir := t.TempDir()
	bin := mocktest.Binary(t)

	srv := mocktest.Start(t, nil)
	const shards = 3
	// The processes start one after another; --start-at makes them push
	// together all the same.
	startAt := time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339Nano)
	files := make([]string, shards)
	cmds := make([]*exec.Cmd, shards)
	outputs := make([]*bytes.Buffer, shards)
	for k := range shards {
		files[k] = filepath.Join(dir, fmt.Sprintf("shard%d.json", k))
		outputs[k] = new(bytes.Buffer)
		cmd := exec.Command(bin, "load", "--target", srv.URL, "--shard", fmt.Sprintf("%d/%d", k, shards),
			"--subscriptions", "30", "--push-rate", "60", "--duration", "2s", "--quiet", "--json", files[k], "--start-at", startAt)
		cmd.Env = append(os.Environ(),
			envAccessToken+"="+mockserver.DemoAccessToken, envSecretKey+"="+mockserver.DemoSecretKey)
		cmd.Stdout, cmd.Stderr = outputs[k], outputs[k]
		require.NoError(t, cmd.Start())
		cmds[k] = cmd
	}
	for k, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "shard %d:\n%s", k, outputs[k])
	}

	merged := filepath.Join(dir, "merged.json")
	code, stdout, stderr := runReportCmd(t, append([]string{"merge", "-o", merged, "--slo", "delivered>=99%"}, files...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "shard 0/3,1/3,2/3")
	assert.Contains(t, stdout, "SLO pass delivered>=99%")

	var parts []*load.Result
	for _, f := range files {
		r, err := readLoadFile(f)
		require.NoError(t, err)
		parts = append(parts, r)
	}
	m, err := readLoadFile(merged)
	require.NoError(t, err)

	var sent, accepted, received, lost, inFlight uint64
	var e2e int64
	for _, p := range parts {
		sent += p.Pushes.Sent
		accepted += p.Delivery.Accepted
		received += p.Delivery.Received
		lost += p.Delivery.Lost
		inFlight += p.Delivery.InFlight
		e2e += p.Latency.PushEndToEnd.Count
	}
	assert.Equal(t, "0/3,1/3,2/3", m.Config.Shard)
	assert.Equal(t, 30, m.Subscriptions.Requested)
	assert.Equal(t, sent, m.Pushes.Sent)
	assert.InDelta(t, 120, float64(m.Pushes.Sent), 12, "60 pushes/s for 2s over all shards")
	assert.Equal(t, accepted, m.Delivery.Accepted)
	assert.Equal(t, m.Delivery.Accepted, m.Delivery.Received+m.Delivery.Lost+m.Delivery.InFlight)
	assert.Equal(t, received+lost+inFlight, m.Delivery.Accepted)
	assert.True(t, m.Delivery.InvariantHolds, m.Delivery.Invariant)
	assert.Equal(t, e2e, m.Latency.PushEndToEnd.Count)
	h, err := m.Latency.PushEndToEnd.Histogram()
	require.NoError(t, err)
	assert.Equal(t, e2e, h.TotalCount())
	assert.Equal(t, srv.Stats().FramesSent["push"], m.Subscriptions.PushFrames)
	assert.Equal(t, srv.Stats().FramesSent["push"], m.Delivery.Received)
	// the merged series holds every second of every shard: a shard's own
	// series may miss a push at its last tick, so compare with theirs
	sumSeries := func(ivs []load.Interval) (sent, frames uint64, target float64) {
		for _, iv := range ivs {
			sent += iv.Sent
			frames += iv.Frames
			target += iv.TargetRate
		}
		return sent, frames, target
	}
	var partSent, partFrames uint64
	var partTarget float64
	for _, p := range parts {
		s, f, tr := sumSeries(p.Intervals)
		partSent, partFrames, partTarget = partSent+s, partFrames+f, partTarget+tr
	}
	mSent, mFrames, mTarget := sumSeries(m.Intervals)
	assert.Equal(t, partSent, mSent)
	assert.Equal(t, partFrames, mFrames)
	assert.InDelta(t, partTarget, mTarget, 1e-6, "each shard's target is its own share")
	// each second's latencies are the shards' histograms merged
	seriesCount := func(ivs []load.Interval) (n int64) {
		for _, iv := range ivs {
			require.True(t, iv.Latency.PushEndToEnd.Count == 0 || iv.Latency.PushEndToEnd.HDR != "", "second %.0f has no histogram", iv.T)
			n += iv.Latency.PushEndToEnd.Count
		}
		return n
	}
	var partCount int64
	for _, p := range parts {
		partCount += seriesCount(p.Intervals)
	}
	assert.Equal(t, partCount, seriesCount(m.Intervals))
	assert.InDelta(t, float64(m.Pushes.Sent), float64(mSent), 3)
	// every shard waited for the start time, which its result records
	at, err := time.Parse(time.RFC3339Nano, startAt)
	require.NoError(t, err)
	for _, p := range parts {
		assert.Equal(t, startAt, p.Config.StartAt)
		assert.False(t, p.Meta.PushStart.Before(at), "shard %s pushed at %v, before the start %v", p.Config.Shard, p.Meta.PushStart, at)
	}
	assert.InDelta(t, loadresult.StartSkew(parts).Spread.Seconds(), m.Meta.PushStartSkewSeconds, 1e-9)
}

func TestReportMergeStatuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	shard := func(s string) string { return shardFile(t, dir, "", s, nil) }
	a, b := shard("0/2"), shard("1/2")
	third := shard("0/3")
	out := filepath.Join(dir, "merged.json")
	faster := shardFile(t, dir, "faster", "1/2", func(r *load.Result) { r.Config.PushRate = 200; r.Config.Workers = 7 })
	late := shardFile(t, dir, "late", "1/2", func(r *load.Result) { r.Meta.PushStart = start.Add(1500 * time.Millisecond) })
	folder := filepath.Join(dir, "folder")
	require.NoError(t, os.Mkdir(folder, 0o777))
	shardFile(t, folder, "", "0/2", nil)
	shardFile(t, folder, "", "1/2", nil)
	writeTestFile(t, folder, ".shard-2.json.123.tmp", "{half a file")
	writeTestFile(t, folder, "notes.txt", "not a result")
	inFolder := filepath.Join(folder, "merged.json")
	writeTestFile(t, folder, "merged.json", "{an earlier merge, replaced}")
	html := filepath.Join(dir, "report.html")
	tests := []struct {
		name         string
		args         []string
		wantCode     int
		wantStdout   string
		wantNoStdout bool
		wantStderr   string
	}{
		{name: "two shards", args: []string{"-o", out, a, b}, wantCode: exitOK, wantStdout: "Load run against"},
		{name: "an SLO missed, quietly", args: []string{"-o", out, "--quiet", "--slo", "rate>=10", a, b}, wantCode: exitFail, wantNoStdout: true, wantStderr: "SLO FAIL rate>=10"},
		{name: "an SLO missed", args: []string{"-o", out, "--slo", "rate>=10", a, b}, wantCode: exitFail, wantStdout: "SLO FAIL rate>=10"},
		{name: "a bad SLO", args: []string{"-o", out, "--slo", "speed>1", a, b}, wantCode: exitUsage, wantStderr: `unknown metric "speed"`},
		{name: "JSON to stdout, summary to stderr", args: []string{"-o", "-", a, b}, wantCode: exitOK, wantStdout: `"kind": "wstrigger.load.result"`, wantStderr: "Load run against"},
		{name: "quiet", args: []string{"-o", out, "--quiet", a, b}, wantCode: exitOK, wantNoStdout: true},
		{name: "output is an input", args: []string{"-o", a, a, b}, wantCode: exitUsage, wantStderr: "would overwrite the input"},
		{name: "output folder missing", args: []string{"-o", filepath.Join(dir, "none", "m.json"), a, b}, wantCode: exitUsage, wantStderr: "-o " + filepath.Join(dir, "none", "m.json") + ": folder"},
		{name: "no -o", args: []string{a, b}, wantCode: exitUsage, wantStderr: "-o OUT.json is required"},
		{name: "no files", args: []string{"-o", out}, wantCode: exitUsage, wantStderr: "want one or more"},
		{name: "same shard twice", args: []string{"-o", out, a, a}, wantCode: exitUsage, wantStderr: "given twice"},
		{name: "a shard missing", args: []string{"-o", out, a}, wantCode: exitUsage, wantStderr: "incomplete set: 1 of 2 shards, missing 1/2; merge every shard of the run, or pass --allow-partial"},
		{name: "two shards missing", args: []string{"-o", out, third}, wantCode: exitUsage, wantStderr: "1 of 3 shards, missing 1/3, 2/3"},
		{name: "a shard missing, allowed", args: []string{"-o", out, "--allow-partial", a}, wantCode: exitOK, wantStdout: "Load run against", wantStderr: "merged all the same (--allow-partial): incomplete set: 1 of 2 shards, missing 1/2"},
		{name: "settings differ", args: []string{"-o", out, a, faster}, wantCode: exitUsage, wantStderr: "differs: pushRate: 100 in 0/2; 200 in 1/2\nwstrigger report merge: the shards are not of one run: 1 settings differ (listed above); merge the shards of one run, or pass --allow-partial"},
		{name: "settings differ, allowed", args: []string{"-o", out, "--allow-partial", a, faster}, wantCode: exitOK, wantStderr: "merged all the same (--allow-partial): the shards are not of one run"},
		{name: "push starts too far apart", args: []string{"-o", out, a, late}, wantCode: exitUsage, wantStderr: "push start skew 1.5s (first 0/2, last 1/2)\nwstrigger report merge: the shards began pushing 1.5s apart, more than --max-skew 1s"},
		{name: "push starts within --max-skew", args: []string{"-o", out, "--max-skew", "2s", a, late}, wantCode: exitOK, wantStdout: "their push starts spread over 1.5s"},
		{name: "push starts too far apart, allowed", args: []string{"-o", out, "--allow-partial", a, late}, wantCode: exitOK, wantStderr: "merged all the same (--allow-partial): the shards began pushing 1.5s apart"},
		{name: "a folder of shards, the output in it", args: []string{"-o", inFolder, folder}, wantCode: exitOK, wantStdout: "shard 0/2,1/2", wantStderr: "2 results; push start skew 0s"},
		{name: "with the HTML report", args: []string{"-o", out, "--html", html, a, b}, wantCode: exitOK},
		{name: "HTML over an input", args: []string{"-o", out, "--html", a, a, b}, wantCode: exitUsage, wantStderr: "would overwrite the input"},
		{name: "negative wait", args: []string{"-o", out, "--wait", "-1s", a, b}, wantCode: exitUsage, wantStderr: "must not be negative"},
		{name: "an empty folder", args: []string{"-o", out, t.TempDir()}, wantCode: exitUsage, wantStderr: "no load results in"},
		{name: "missing file", args: []string{"-o", out, a, filepath.Join(dir, "none.json")}, wantCode: exitUsage, wantStderr: "no such file"},
		{name: "help", args: []string{"-h"}, wantCode: exitOK, wantStderr: "Usage: wstrigger report merge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReportCmd(t, append([]string{"merge"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Contains(t, stderr, tt.wantStderr)
			assert.Contains(t, stdout, tt.wantStdout)
			if tt.wantNoStdout {
				assert.Empty(t, stdout)
			}
		})
	}
	page, err := os.ReadFile(html)
	require.NoError(t, err, "--html wrote no report")
	assert.Contains(t, string(page), "<html")
	assert.Contains(t, string(page), "0/2,1/2")
}

func TestReportMergeWaitsForShards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shardFile(t, dir, "", "0/3", nil)
	out := filepath.Join(dir, "merged.json")
	stdout, stderr := &mocktest.Buffer{}, &mocktest.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"report", "merge", "--wait", "50s", "-o", out, dir}, demoEnv(stdout, stderr))
	}()

	// Each shard lands once the merge has said it is waiting for it.
	for _, tt := range []struct{ shard, waiting string }{
		{"1/3", "1 of 3, missing 1/3, 2/3"},
		{"2/3", "2 of 3, missing 2/3"},
	} {
		require.Eventually(t, func() bool { return strings.Contains(stderr.String(), tt.waiting) }, 30*time.Second, 10*time.Millisecond, "merge never waited for %s: %s", tt.shard, stderr)
		shardFile(t, dir, "", tt.shard, nil)
	}
	select {
	case code := <-done:
		require.Equal(t, exitOK, code, stderr.String())
	case <-ctx.Done():
		t.Fatalf("merge did not end: %s", stderr)
	}
	assert.Contains(t, stdout.String(), "shard 0/3,1/3,2/3")
	assert.Equal(t, 1, strings.Count(stderr.String(), "1 of 3, missing"), "said the same state twice")
}

func TestReportMergeWaitEnds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := shardFile(t, dir, "", "0/2", nil)
	missing := filepath.Join(dir, "shard1of2.json")
	for _, tt := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"a named file never written", []string{"--wait", "1500ms", a, missing}, exitUsage, "incomplete set: 1 of 2 shards, missing 1/2"},
		{"a named file never written, allowed", []string{"--wait", "1500ms", "--allow-partial", a, missing}, exitOK, "merged all the same (--allow-partial): incomplete set"},
		{"nothing ever written", []string{"--wait", "1500ms", missing}, exitUsage, "no load results in " + missing + " (waited 1.5s)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runReportCmd(t, append([]string{"merge", "-o", filepath.Join(t.TempDir(), "m.json")}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Contains(t, stderr, tt.wantStderr)
			assert.Contains(t, stderr, "waiting up to")
		})
	}
}

// shardFile writes a load result of the shard s, with PushRate 100
// and a fixed push start, changed by edit if given, to dir as
// NAMEshardKofN.json, and returns its path.
func shardFile(t *testing.T, dir, name, s string, edit func(*load.Result)) string {
	t.Helper()
	l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Intervals: []load.Interval{}}
	l.Config.Shard, l.Config.PushRate = s, 100
	l.Meta.PushStart = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	if edit != nil {
		edit(l)
	}
	var buf bytes.Buffer
	require.NoError(t, writeLoadJSON(&buf, l))
	return writeTestFile(t, dir, name+"shard"+strings.ReplaceAll(s, "/", "of")+".json", buf.String())
}

// rateResult is a load result whose pushing seconds each sent rate+j.
func rateResult(t *testing.T, dir, name string, rate int64, jitter []int64) string {
	t.Helper()
	l := &load.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind}
	for i, j := range jitter {
		l.Intervals = append(l.Intervals, load.Interval{T: float64(i + 1), Phase: loadresult.PhasePushing, Sent: uint64(rate + j), Accepted: uint64(rate + j)})
	}
	l.Pushes.AchievedRate = float64(rate)
	var buf bytes.Buffer
	require.NoError(t, writeLoadJSON(&buf, l))
	return writeTestFile(t, dir, name, buf.String())
}

func TestReportCompareStatuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	jitter := []int64{-2, 3, 0, 1, -1, 2, -3, 0}
	slow := rateResult(t, dir, "slow.json", 100, jitter)
	slow2 := rateResult(t, dir, "slow2.json", 100, []int64{1, -1, 0, 2, -2, 3, 0, -3})
	fast := rateResult(t, dir, "fast.json", 400, jitter)
	bad := writeTestFile(t, dir, "bad.json", "[")
	var rep bytes.Buffer
	require.NoError(t, reports.ContractJSON(&rep, &contract.Report{SchemaVersion: contract.SchemaVersion, Target: "http://127.0.0.1:1",
		Results: []contract.Result{{Check: contract.Check{ID: "HS-001", Title: "t", Group: "handshake", Level: contract.LevelMust}, Status: contract.StatusPass}}}))
	contractOnly := writeTestFile(t, dir, "contract.json", rep.String())
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantLine   string // the throughput line holds this
		wantStderr string
	}{
		{name: "faster", args: []string{slow, fast}, wantCode: exitOK, wantLine: "+300.00%"},
		{name: "same", args: []string{slow, slow2}, wantCode: exitOK, wantLine: "~"},
		{name: "one file", args: []string{slow}, wantCode: exitUsage, wantStderr: "want OLD.json and NEW.json"},
		{name: "bad json", args: []string{slow, bad}, wantCode: exitUsage, wantStderr: "bad.json"},
		{name: "no load result", args: []string{contractOnly, slow}, wantCode: exitUsage, wantStderr: "holds no load result"},
		{name: "help", args: []string{"-h"}, wantCode: exitOK, wantStderr: "Mann-Whitney"},
		{name: "gate tripped", args: []string{"--fail-if", "rate>+100%", "--fail-if", "push.p99>+10%", slow, fast}, wantCode: exitFail,
			wantLine: "+300.00%", wantStderr: "wstrigger report compare: regression: rate>+100% tripped\n"},
		{name: "gate held", args: []string{"--fail-if", "rate<-5%", slow, fast}, wantCode: exitOK, wantLine: "+300.00%"},
		{name: "gate within the noise", args: []string{"--fail-if", "rate>+0%", slow, slow2}, wantCode: exitOK, wantLine: "~"},
		{name: "gate of an unknown metric", args: []string{"--fail-if", "p99>+10%", slow, fast}, wantCode: exitUsage,
			wantStderr: `unknown metric "p99": want one of rate, accepted, delivered, push.p50`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runReportCmd(t, append([]string{"compare"}, tt.args...)...)
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Contains(t, stderr, tt.wantStderr)
			if tt.wantLine != "" {
				var line string
				for _, l := range strings.Split(stdout, "\n") {
					if strings.HasPrefix(l, "throughput achieved") {
						line = l
					}
				}
				assert.Contains(t, line, tt.wantLine, stdout)
			}
		})
	}
}

// TestReportCompareRealRuns compares two load runs against the mock at
// different push rates: the throughput change is significant.
func TestReportCompareRealRuns(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("two load runs")
	}
	dir := t.TempDir()
	var slow, fast string
	t.Run("runs", func(t *testing.T) {
		t.Run("slow", func(t *testing.T) { t.Parallel(); slow = loadRunFile(t, dir, "rate40.json", nil, "40") })
		t.Run("fast", func(t *testing.T) { t.Parallel(); fast = loadRunFile(t, dir, "rate160.json", nil, "160") })
	})
	require.False(t, t.Failed(), "a load run failed")
	code, stdout, stderr := runReportCmd(t, "compare", slow, fast)
	require.Equal(t, exitOK, code, stderr)
	t.Logf("\n%s", stdout)
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "throughput achieved") {
			assert.NotContains(t, l, " ~ ", "a fourfold rate is a significant change")
			assert.Contains(t, l, "+")
			return
		}
	}
	t.Fatalf("no throughput line in\n%s", stdout)
}

// loadRunFile runs "load" for 10 s at rate pushes per second against a
// mock of its own (started with opts), so that runs side by side do not
// see each other's sessions, and returns the path of its --json file,
// name in dir. Ten seconds, because the comparison adjusts its p-values
// for the twenty-odd figures it tests: with the five or so per-second
// samples a busy machine leaves of a 6 s run, a change of one figure
// alone (the rate) cannot reach significance.
func loadRunFile(t *testing.T, dir, name string, opts *mockserver.Options, rate string) string {
	t.Helper()
	srv := mocktest.Start(t, opts)
	path := filepath.Join(dir, name)
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, []string{"load", "--target", srv.URL, "--subscriptions", "20", "--push-rate", rate,
		"--duration", "10s", "--quiet", "--json", path}, demoEnv(&out, &errOut))
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	return path
}

// TestReportCompareGateTripsOnSlowerTarget compares a run against the
// mock with a run against a mock delaying every frame: --fail-if
// 'push.p99>+50%' trips (exit 1), and a rule on the unchanged rate
// holds. The delay is 200ms, not the 20ms, so that it stands
// out of the driver's own latency on a busy machine under -race.
func TestReportCompareGateTripsOnSlowerTarget(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("two load runs")
	}
	dir := t.TempDir()
	var quick, slow string
	t.Run("runs", func(t *testing.T) {
		t.Run("quick", func(t *testing.T) { t.Parallel(); quick = loadRunFile(t, dir, "quick.json", nil, "100") })
		t.Run("slow", func(t *testing.T) {
			t.Parallel()
			slow = loadRunFile(t, dir, "slow.json", &mockserver.Options{Faults: mockserver.Faults{Latency: 200 * time.Millisecond}}, "100")
		})
	})
	require.False(t, t.Failed(), "a load run failed")
	code, stdout, stderr := runReportCmd(t, "compare", "--fail-if", "push.p99>+50%", "--fail-if", "rate<-50%", quick, slow)
	t.Logf("\n%s", stdout)
	assert.Equal(t, exitFail, code, stderr)
	assert.Contains(t, stderr, "regression: push.p99>+50% tripped\n")
	assert.Contains(t, stdout, "\n  push.p99>+50%: TRIPPED: push end-to-end p99 ")
	assert.Contains(t, stdout, "\n  rate<-50%: held: throughput achieved ")
}
