package reports_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

func TestLoadTextVariants(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *loadresult.Result)
		want   []string
		absent []string
	}{
		{name: "idle", change: func(r *loadresult.Result) { r.Config.Idle, r.Config.PushRate, r.Config.DurationSeconds = true, 0, 1.5 },
			want: []string{"held idle for 1.5s: no pushes"}, absent: []string{"pushes 0/s"}},
		{name: "stages", change: func(r *loadresult.Result) {
			r.Config.PushRate = 0
			r.Config.Stages = []loadresult.Stage{{Duration: 5 * time.Second, Rate: 100}, {Duration: 10 * time.Second, Rate: 400}}
		}, want: []string{"pushes 5s:100/s,10s:400/s for"}},
		{name: "no errors, no SLOs", change: func(r *loadresult.Result) { r.Errors, r.SLOs = nil, nil },
			want: []string{"Errors         none"}, absent: []string{"SLO "}},
		{name: "memory", change: func(r *loadresult.Result) {
			r.Driver.Memory = loadresult.Memory{Source: "VmRSS", HeldBytes: 50 << 20, BaselineBytes: 10 << 20, SubscriptionsHeld: 40, Goroutines: 45}
			r.Driver.MemoryPerSubscriptionBytes = float64(40<<20) / 40
		}, want: []string{"memory (VmRSS) 50.0 MB with 40 subscriptions held, 10.0 MB before the first join: 1024.0 KB per subscription"}},
		{name: "memory fell", change: func(r *loadresult.Result) {
			r.Driver.Memory = loadresult.Memory{Source: "VmRSS", HeldBytes: 10 << 20, BaselineBytes: 50 << 20, SubscriptionsHeld: 40}
		}, want: []string{"before the first join: per subscription not measurable"}, absent: []string{"0.0 KB per subscription"}},
		{name: "mock differs", change: func(r *loadresult.Result) {
			r.Mock = &loadresult.MockCheck{Match: false, PushFramesSent: 10, PushFramesReceived: 9, Notes: []string{"one frame short"}}
		}, want: []string{"Mock stats     differs: push frames sent 10 / read 9", "note: one frame short"}},
		{name: "calibrated", change: func(r *loadresult.Result) {
			r.DriverFloor = &loadresult.DriverFloor{Seconds: 5, Subscriptions: 200, PushRate: 500, Received: 2500,
				EndToEnd: loadresult.Summary{Count: 2500, P50Us: 410, P99Us: 1200, MaxUs: 3000}}
		}, want: []string{"  driver floor: push e2e p50 410µs, p99 1.2ms, max 3ms (200 subscriptions at 500/s for 5s against an in-process target that does no work"}},
		{name: "not calibrated", change: func(r *loadresult.Result) {}, absent: []string{"driver floor"}},
		{name: "merged shards", change: func(r *loadresult.Result) { r.Config.Shard, r.Meta.PushStartSkewSeconds = "0/2,1/2", 0.0042 },
			want: []string{"  merged shards 0/2,1/2; their push starts spread over 4.2ms"}},
		{name: "no session ended", change: func(r *loadresult.Result) { r.Rejoins = nil }, absent: []string{"Rejoins"}},
		{name: "reconnect storm", change: func(r *loadresult.Result) {
			r.Rejoins = &loadresult.Rejoins{Closes: map[int]uint64{1012: 2000, 1006: 3}, Back: 2003, Refused: 7,
				Time: loadresult.Summary{Count: 2003, P50Us: 61_000, P99Us: 120_000, MaxUs: 180_000}}
			r.Intervals = append(r.Intervals, loadresult.Interval{T: 7, Closes: 1990}, loadresult.Interval{T: 8, Closes: 13})
			r.Delivery.LostAcrossReconnect = 42
		}, want: []string{"Rejoins        sessions dropped 2003 (1006: 3, 1012: 2000); largest storm 1990 in the second to 7.0s; back 2003, not back 0, joins refused on the way 7; rejoin time p50 61ms, p99 120ms, max 180ms; pushes lost with the sessions 42"}},
		{name: "driver warning", change: func(r *loadresult.Result) { r.Driver.Warnings = []string{"driver CPU at 97%"} },
			want: []string{"WARNING: driver CPU at 97%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleLoad(t)
			tt.change(r)
			var buf bytes.Buffer
			require.NoError(t, reports.LoadText(&buf, r))
			for _, w := range tt.want {
				assert.Contains(t, buf.String(), w)
			}
			for _, a := range tt.absent {
				assert.NotContains(t, buf.String(), a)
			}
		})
	}
}

func TestIntervalLine(t *testing.T) {
	second := loadresult.Interval{T: 3.04, Seconds: 1, Phase: loadresult.PhasePushing, Joined: 50, Open: 49, Sent: 199, TargetRate: 200, Accepted: 198, Frames: 220,
		Errors: 1, DriverCPU: 12.4, Latency: loadresult.Latencies{PushEndToEnd: loadresult.Summary{Count: 198, P50Us: 950, P99Us: 12345}}}
	last := second
	last.T, last.Seconds, last.Phase, last.Sent, last.Accepted, last.Frames, last.TargetRate = 3.24, 0.2, loadresult.PhaseDraining, 0, 10, 40, 0
	unknown := second
	unknown.Seconds = 0
	tests := []struct {
		name string
		iv   loadresult.Interval
		want string
	}{
		{"a second", second, "   3.0s pushing   joined 50 open 49  pushes 199/s (target 200/s) accepted 198/s  frames 220/s  e2e p50 950µs p99 12.35ms  errors 1  cpu 12%"},
		{"a fifth of a second", last, "   3.2s draining  joined 50 open 49  pushes 0/s (target 0/s) accepted 50/s  frames 200/s  e2e p50 950µs p99 12.35ms  errors 1  cpu 12%"},
		{"length unknown (schema 1)", unknown, "   3.0s pushing   joined 50 open 49  pushes 199/s (target 200/s) accepted 198/s  frames 220/s  e2e p50 950µs p99 12.35ms  errors 1  cpu 12%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, reports.IntervalLine(tt.iv))
		})
	}
}

func TestCheckVerdictText(t *testing.T) {
	noSLOs := sampleLoad(t)
	noSLOs.SLOs = nil
	passingSLOs := sampleLoad(t)
	passingSLOs.SLOs = passingSLOs.SLOs[1:]
	twoFailed := sampleLoad(t)
	twoFailed.SLOs = append(twoFailed.SLOs, loadresult.SLOResult{SLO: "errors<0.1%", Actual: "0.2000%"})
	interruptedLoad := sampleLoad(t)
	interruptedLoad.Interrupted, interruptedLoad.Meta.CutoffSeconds = true, 4.54
	for i := range interruptedLoad.SLOs {
		interruptedLoad.SLOs[i].Passed = false
	}
	// every MUST check ran and passed
	cleanContract := sampleReport()
	cleanContract.Results = cleanContract.Results[:3]
	cleanContract.Summary = contractreport.Summary{Total: 3, Passed: 1, Failed: 2}
	// every MUST check that ran passed; one was skipped
	skippedContract := sampleReport()
	skippedContract.Summary.MustFailed = 0
	interruptedContract := sampleReport()
	interruptedContract.Interrupted, interruptedContract.Summary.NotRun = true, 36
	interruptedCheck := reports.NewCheckResult(interruptedContract, nil)
	interruptedCheck.Interrupted, interruptedCheck.NotRun = true, []string{"load"}
	betweenParts := reports.NewCheckResult(cleanContract, nil)
	betweenParts.Interrupted, betweenParts.NotRun = true, []string{"load"}
	tests := []struct {
		name        string
		res         *reports.CheckResult
		wantTitle   string
		wantVerdict string // the last line
		wantSource  string
	}{
		{"both failed", sampleCheck(t), "wstrigger check", "FAIL: 1 MUST check and 1 SLO failed; 1 MUST check skipped: no second tenant (1)", "a contract report (schema version 1) and a load result"},
		{"two SLOs", reports.NewCheckResult(nil, twoFailed), "wstrigger load", "FAIL: 2 SLOs failed", "a load result (wstrigger.load.result, schema version 2)"},
		{"load without SLOs", reports.NewCheckResult(nil, noSLOs), "wstrigger load", "PASS: no SLO was set", "a load result"},
		{"load held its SLOs", reports.NewCheckResult(nil, passingSLOs), "wstrigger load", "PASS: every SLO held", "a load result"},
		{"contract passed", reports.NewCheckResult(cleanContract, nil), "wstrigger contract", "PASS: every MUST check passed", "a contract report"},
		{"contract passed with a skip", reports.NewCheckResult(skippedContract, nil), "wstrigger contract",
			"PASS: every MUST check that ran passed, 1 MUST check skipped: no second tenant (1)", "a contract report"},
		{"both passed", reports.NewCheckResult(cleanContract, passingSLOs), "wstrigger check", "PASS: every MUST check passed and every SLO held", "and a load result"},
		{"both passed with a skip", reports.NewCheckResult(skippedContract, passingSLOs), "wstrigger check",
			"PASS: every MUST check that ran passed, 1 MUST check skipped: no second tenant (1); every SLO held", "and a load result"},
		{"nothing", reports.NewCheckResult(nil, nil), "wstrigger check", "PASS: nothing was run", "an empty result"},
		{"contract interrupted", interruptedCheck, "wstrigger check",
			"✘ interrupted after 4 of 40 checks, before the load run — not a verdict; 1 MUST check had failed by then", "a contract report"},
		{"load interrupted", reports.NewCheckResult(cleanContract, interruptedLoad), "wstrigger check",
			"✘ interrupted 4.5s into the load run's 10s — not a verdict; the contract suite had finished: every MUST check passed", "and a load result"},
		{"interrupted between the parts", betweenParts, "wstrigger check",
			"✘ interrupted before the load run — not a verdict; the contract suite had finished: every MUST check passed", "a contract report"},
		{"load alone interrupted", reports.NewCheckResult(nil, interruptedLoad), "wstrigger load",
			"✘ interrupted 4.5s into the load run's 10s — not a verdict", "a load result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, reports.CheckVerdict(&buf, tt.res, "out/dir"))
			assert.Contains(t, buf.String(), "Report written to out/dir (report.html, report.md, results.json, junit.xml")
			assert.True(t, strings.HasSuffix(buf.String(), "\n"+tt.wantVerdict+"\n"), "%s", buf.String())
			assert.Equal(t, tt.wantTitle, tt.res.Title())
			assert.Contains(t, tt.res.Source(), tt.wantSource)
			interrupted := strings.HasPrefix(tt.wantVerdict, "✘")
			assert.Equal(t, interrupted, tt.res.IsInterrupted())
			assert.Equal(t, interrupted, strings.Contains(buf.String(), "marked interrupted"))
			assert.Equal(t, strings.HasPrefix(tt.wantVerdict, "PASS"), tt.res.Passed())
		})
	}
}

func TestLoadConfigText(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *loadresult.Result)
		want   string
	}{
		{"one process", func(*loadresult.Result) {}, "200 subscriptions at 500 joins/s; pushes 500/s for 10s, 256 B, uniform, timeout 5000ms, 128 workers"},
		{"warmup", func(r *loadresult.Result) { r.Config.WarmupSeconds = 2 }, "pushes 500/s for 10s after 2s warmup, 256 B"},
		{"one shard", func(r *loadresult.Result) {
			r.Config.Shard, r.Config.ShardSubscriptions, r.Pushes.TargetRate = "1/2", 100, 250
		}, "100 of 200 subscriptions (shard 1/2) at 500 joins/s; pushes 500/s over all shards (this one's share: 250.0/s) for 10s"},
		{"merged shards", func(r *loadresult.Result) { r.Config.Shard = "0/2,1/2" }, "200 subscriptions (shards 0/2,1/2) at 500 joins/s; pushes 500/s for 10s"},
		{"idle", func(r *loadresult.Result) { r.Config.Idle = true }, "200 subscriptions at 500 joins/s, held idle for 10s: no pushes"},
		{"one subscription", func(r *loadresult.Result) { r.Config.ShardSubscriptions = 1 }, "1 subscription at 500 joins/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleLoad(t)
			tt.change(r)
			assert.Contains(t, reports.LoadConfigText(r), tt.want)
		})
	}
}

// TestCensoredInEveryReport: a run whose pushes were not all received
// by the cut-off says, in every report of its latencies, how many
// samples were counted at their age then (issue 15, item 4).
func TestCensoredInEveryReport(t *testing.T) {
	t.Parallel()
	writers := []struct {
		name  string
		write func(w *bytes.Buffer, r *loadresult.Result) error
	}{
		{"text", func(w *bytes.Buffer, r *loadresult.Result) error { return reports.LoadText(w, r) }},
		{"markdown", func(w *bytes.Buffer, r *loadresult.Result) error {
			return reports.CheckMarkdown(w, reports.NewCheckResult(nil, r))
		}},
		{"html", func(w *bytes.Buffer, r *loadresult.Result) error {
			return reports.CheckHTML(w, reports.NewCheckResult(nil, r))
		}},
	}
	const want = "censored at the cut-off (pushes not received by then, counted at their age, a lower bound): push e2e 9022, push service 9022"
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			t.Parallel()
			r := sampleLoad(t)
			var buf bytes.Buffer
			require.NoError(t, wr.write(&buf, r))
			assert.NotContains(t, buf.String(), "censored", "none censored")
			r.Latency.PushEndToEnd.Censored, r.Latency.PushService.Censored = 9022, 9022
			buf.Reset()
			require.NoError(t, wr.write(&buf, r))
			assert.Contains(t, buf.String(), want)
		})
	}
}
