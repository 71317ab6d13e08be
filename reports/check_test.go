package reports_test

import (
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	junit "github.com/joshdk/go-junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

// sampleSummary records n latencies drawn from a fixed seed: a body
// around base microseconds and a tail ten times slower.
func sampleSummary(t *testing.T, seed uint64, n int, base float64) loadresult.Summary {
	t.Helper()
	h := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range n {
		v := base * (0.5 + rng.ExpFloat64())
		if i%100 == 0 {
			v *= 10
		}
		require.NoError(t, h.RecordValue(int64(v)+1))
	}
	return loadresult.Summarize(h, true)
}

// sampleLoad is a ten-second run with a dip and a burst of errors at
// second six, and one missed SLO.
func sampleLoad(t *testing.T) *loadresult.Result {
	t.Helper()
	started := time.Date(2026, 11, 26, 12, 0, 5, 0, time.UTC)
	r := &loadresult.Result{
		SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind,
		Meta: loadresult.Meta{Version: "v0.0.0-test", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", NumCPU: 2, GOMAXPROCS: 2,
			Host: "ci", Target: "http://127.0.0.1:8080", Started: started, PushStart: started.Add(time.Second), Ended: started.Add(12 * time.Second), CutoffSeconds: 10.5},
		Config: loadresult.Config{Subscriptions: 200, ShardSubscriptions: 200, ConnectRate: 500, Patterns: []string{"{}"}, PushRate: 500,
			DurationSeconds: 10, PayloadSize: 256, Skew: "uniform", PushTimeoutMs: 5000, Workers: 128, Reconnect: true, Shard: "0/1", LateSendMs: 50, SourceAddrs: 1},
		Subscriptions: loadresult.SubscriptionFigures{Requested: 200, Joined: 200, OpenAtEnd: 199, Sessions: 201, JoinAttempts: 201, Reconnects: 1, JoinSeconds: 0.4,
			TriggersReceived: 400, TriggersPerSubscription: []uint64{1, 2, 3}, PushFrames: 4990},
		Pushes: loadresult.Pushes{Scheduled: 5000, Sent: 5000, Accepted: 4990, Rejected: 10, TargetRate: 500, AchievedRate: 500, AcceptedRate: 499, MeasuredPushes: 5000},
		Delivery: loadresult.Delivery{Accepted: 4990, Received: 4989, ExactlyOnce: 4989, Lost: 1, LostAcrossReconnect: 1, DeliveredPercent: 99.98,
			InvariantHolds: true, Invariant: "accepted 4990 = received 4989 + lost 1 + in flight 0: holds"},
		Latency: loadresult.Latencies{
			Connect:      sampleSummary(t, 1, 201, 400),
			FirstFrame:   sampleSummary(t, 2, 200, 300_000),
			PushResponse: sampleSummary(t, 3, 5000, 200),
			PushEndToEnd: sampleSummary(t, 4, 4989, 800),
			PushService:  sampleSummary(t, 5, 4989, 150),
		},
		Errors: []loadresult.ErrorClass{{Kind: "push", Key: "503 unavailable", Count: 10, Examples: []string{"503 unavailable"}}},
		SLOs: []loadresult.SLOResult{
			{SLO: "delivered>=99.99%", Actual: "99.9800%", Passed: false},
			{SLO: "push.p99<250ms", Actual: "9.1ms", Passed: true},
		},
	}
	for i := range 12 {
		iv := loadresult.Interval{T: float64(i + 1), Seconds: 1, Phase: loadresult.PhasePushing, Sent: 500, Accepted: 500, Frames: 540, Open: 200, Joined: 200, TargetRate: 500,
			Latency: loadresult.Latencies{PushEndToEnd: loadresult.Summary{Count: 500, P50Us: 780 + int64(i)*7, P99Us: 2900 + int64(i%3)*400, MaxUs: 9000 + int64(i)*100}}}
		switch i {
		case 0:
			iv = loadresult.Interval{T: 1, Seconds: 1, Phase: loadresult.PhaseJoining, Open: 200, Joined: 200}
		case 5:
			iv.Accepted, iv.Errors, iv.Open = 490, 10, 199
		case 11:
			iv.T, iv.Seconds, iv.Phase, iv.Sent, iv.Accepted, iv.Frames, iv.TargetRate = 11.4, 0.4, loadresult.PhaseClosing, 0, 0, 30, 0
		}
		r.Intervals = append(r.Intervals, iv)
	}
	return r
}

func sampleCheck(t *testing.T) *reports.CheckResult {
	return reports.NewCheckResult(sampleReport(), sampleLoad(t))
}

// TestCheckWritersGolden runs every writer at once on one result: under
// -race, that holds the package's promise that writers only read.
func TestCheckWritersGolden(t *testing.T) {
	t.Parallel()
	shared := sampleCheck(t)
	writers := []struct {
		name  string
		write func(w *bytes.Buffer, c *reports.CheckResult) error
	}{
		{"check.md", func(w *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckMarkdown(w, c) }},
		{"check.junit.xml", func(w *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckJUnit(w, c) }},
		{"check.json", func(w *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckJSON(w, c) }},
		{"check.html", func(w *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckHTML(w, c) }},
		{"load.txt", func(w *bytes.Buffer, c *reports.CheckResult) error { return reports.LoadText(w, c.Load) }},
		{"check-contract-only.md", func(w *bytes.Buffer, c *reports.CheckResult) error {
			return reports.CheckMarkdown(w, reports.NewCheckResult(c.Contract, nil))
		}},
		{"check-load-only.html", func(w *bytes.Buffer, c *reports.CheckResult) error {
			return reports.CheckHTML(w, reports.NewCheckResult(nil, c.Load))
		}},
	}
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, wr.write(&buf, shared))
			golden(t, wr.name, buf.Bytes())
		})
	}
}

func TestCheckVerdict(t *testing.T) {
	passing := sampleLoad(t)
	passing.SLOs = passing.SLOs[1:]
	cases := []struct {
		name             string
		c                *reports.CheckResult
		passed           bool
		mustFail, sloBad int
	}{
		{"both fail", sampleCheck(t), false, 1, 1},
		{"contract skipped, SLO missed", reports.NewCheckResult(nil, sampleLoad(t)), false, 0, 1},
		{"load passes", reports.NewCheckResult(nil, passing), true, 0, 0},
		{"nothing run", reports.NewCheckResult(nil, nil), true, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.passed, tc.c.Passed())
			assert.Equal(t, tc.mustFail, tc.c.MustFailed())
			assert.Equal(t, tc.sloBad, tc.c.SLOsFailed())
		})
	}
}

func TestCheckJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	want := sampleCheck(t)
	require.NoError(t, reports.CheckJSON(&buf, want))
	assert.True(t, strings.HasPrefix(buf.String(), "{\n  \"schemaVersion\": 1,\n  \"kind\": \"wstrigger.check\""), buf.String()[:80])
	got, err := reports.ReadCheck(&buf)
	require.NoError(t, err)
	assert.Equal(t, want.Load.Latency, got.Load.Latency)
	assert.Equal(t, want.Contract.Summary, got.Contract.Summary)
	h, err := got.Load.Latency.PushEndToEnd.Histogram()
	require.NoError(t, err)
	assert.Equal(t, int64(4989), h.TotalCount())

	for _, bad := range []string{`{"schemaVersion":1,"kind":"wstrigger.load.result"}`, `{"schemaVersion":2,"kind":"wstrigger.check"}`, `nope`} {
		_, err := reports.ReadCheck(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

func TestCheckJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, reports.CheckJUnit(&buf, sampleCheck(t)))
	suites, err := junit.Ingest(buf.Bytes())
	require.NoError(t, err)
	byName := map[string]junit.Test{}
	for _, s := range suites {
		for _, tc := range s.Tests {
			byName[tc.Name] = tc
		}
	}
	assert.Len(t, byName, 4+2, "four checks and two SLOs")
	assert.Equal(t, junit.StatusFailed, byName["delivered>=99.99%"].Status)
	assert.Contains(t, byName["delivered>=99.99%"].Message, "99.9800%")
	assert.Equal(t, junit.StatusPassed, byName["push.p99<250ms"].Status)
	assert.Equal(t, junit.StatusFailed, byName["AUTH-003: wrong secret key on the join gets 401 | unauthorized"].Status)
}

func TestCheckJUnitWithoutSLOs(t *testing.T) {
	l := sampleLoad(t)
	l.SLOs = nil
	var buf bytes.Buffer
	require.NoError(t, reports.CheckJUnit(&buf, reports.NewCheckResult(nil, l)))
	suites, err := junit.Ingest(buf.Bytes())
	require.NoError(t, err)
	require.Len(t, suites, 1)
	require.Len(t, suites[0].Tests, 1, "a run without SLOs is one skipped case, not zero tests")
	assert.Equal(t, junit.StatusSkipped, suites[0].Tests[0].Status)
	assert.Contains(t, buf.String(), `<testsuites name="wstrigger load" tests="1" failures="0" errors="0" skipped="1" time="12.000">`,
		"the document's time is the load run's, from its start to its end")
}

func TestCheckHTMLSelfContained(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, reports.CheckHTML(&a, sampleCheck(t)))
	require.NoError(t, reports.CheckHTML(&b, sampleCheck(t)))
	assert.Equal(t, a.String(), b.String(), "the page depends only on the result")
	page := a.String()
	// XML namespaces name, they do not fetch; a link to follow fetches
	// nothing either.
	offline := strings.NewReplacer(`xmlns="http://www.w3.org/2000/svg"`, "", `xmlns:xlink="http://www.w3.org/1999/xlink"`, "").Replace(page)
	offline = regexp.MustCompile(`<a href="https://[^"]*">`).ReplaceAllString(offline, "")
	for _, banned := range []string{"<script", "src=", "href=\"http", "@import", "url(", "<link rel=\"stylesheet\""} {
		assert.False(t, strings.Contains(offline, banned), "the page refers to %q", banned)
	}
	assert.Equal(t, 5, strings.Count(page, "<svg"), "five plots")
	for _, title := range []string{"Latency by percentile", "Throughput over time", "Subscriptions over time", "Errors over time", "push end-to-end", "first frame", "99.9%"} {
		assert.Contains(t, page, title)
	}
	// Failures come first: the failing auth group before the passing handshake group.
	assert.Less(t, strings.Index(page, "<h3>auth"), strings.Index(page, "<h3>handshake"))
	assert.Contains(t, page, "<details open><summary>evidence")
	// Well-formed enough for an XML parser, as XHTML-ish output should be.
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	for {
		if _, err := dec.Token(); err != nil {
			assert.ErrorContains(t, err, "EOF")
			break
		}
	}
}

func TestCheckHTMLEmptyLoad(t *testing.T) {
	// A run that measured nothing (cut short before the first second)
	// still gives a page with its five, empty, plots.
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, reports.NewCheckResult(nil, &loadresult.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind})))
	assert.Equal(t, 5, strings.Count(buf.String(), "<svg"))
}

func TestCheckHTMLInChromium(t *testing.T) {
	// Opt in: it needs Chromium (and, for the fuller check, Node with
	// playwright-core in browsercheck/); see browsercheck/README.md.
	if os.Getenv("WSTRIGGER_BROWSERCHECK") == "" {
		t.Skip("set WSTRIGGER_BROWSERCHECK=1 to render the page in headless Chromium")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, sampleCheck(t)))
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))
	out, err := exec.Command("browsercheck/check.sh", page, filepath.Join(dir, "report.png")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("%s", out)
}

// TestCheckReportsShowTheStorm: a run whose sessions ended has the
// reconnect storm's line in the HTML and Markdown reports, as in the
// text one; a run without has none.
func TestCheckReportsShowTheStorm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		storm bool
	}{{"sessions ended", true}, {"no session ended", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := sampleCheck(t)
			c.Load.Rejoins = nil
			if tc.storm {
				c.Load.Rejoins = &loadresult.Rejoins{Closes: map[int]uint64{1012: 200}, Back: 200, Refused: 3,
					Time: loadresult.Summary{Count: 200, P50Us: 61_000, P99Us: 120_000, MaxUs: 180_000}}
			}
			line := reports.RejoinsText(c.Load)
			for _, w := range []struct {
				name  string
				write func(*bytes.Buffer, *reports.CheckResult) error
			}{
				{"html", func(b *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckHTML(b, c) }},
				{"markdown", func(b *bytes.Buffer, c *reports.CheckResult) error { return reports.CheckMarkdown(b, c) }},
			} {
				var b bytes.Buffer
				require.NoError(t, w.write(&b, c))
				if tc.storm {
					assert.Contains(t, b.String(), "Rejoins: "+line, w.name)
				} else {
					assert.NotContains(t, b.String(), "Rejoins", w.name)
				}
			}
		})
	}
}
