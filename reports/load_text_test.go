package reports_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/reports"
)

func TestLoadTextVariants(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *load.Result)
		want   []string
		absent []string
	}{
		{name: "idle", change: func(r *load.Result) { r.Config.Idle, r.Config.PushRate, r.Config.DurationSeconds = true, 0, 1.5 },
			want: []string{"held idle for 1.5s: no pushes"}, absent: []string{"pushes 0/s"}},
		{name: "stages", change: func(r *load.Result) {
			r.Config.PushRate = 0
			r.Config.Stages = []load.Stage{{Duration: 5 * time.Second, Rate: 100}, {Duration: 10 * time.Second, Rate: 400}}
		}, want: []string{"pushes 5s:100/s,10s:400/s for"}},
		{name: "no errors, no SLOs", change: func(r *load.Result) { r.Errors, r.SLOs = nil, nil },
			want: []string{"Errors         none"}, absent: []string{"SLO "}},
		{name: "memory", change: func(r *load.Result) {
			r.Driver.Memory = load.Memory{Source: "VmRSS", HeldBytes: 50 << 20, BaselineBytes: 10 << 20, SubscriptionsHeld: 40, Goroutines: 45}
			r.Driver.MemoryPerSubscriptionBytes = float64(40<<20) / 40
		}, want: []string{"memory (VmRSS) 50.0 MB with 40 subscriptions held, 10.0 MB before the first join: 1024.0 KB per subscription"}},
		{name: "mock differs", change: func(r *load.Result) {
			r.Mock = &load.MockCheck{Match: false, PushFramesSent: 10, PushFramesReceived: 9, Notes: []string{"one frame short"}}
		}, want: []string{"Mock stats     differs: push frames sent 10 / read 9", "note: one frame short"}},
		{name: "driver warning", change: func(r *load.Result) { r.Driver.Warnings = []string{"driver CPU at 97%"} },
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
	second := load.Interval{T: 3.04, Seconds: 1, Phase: load.PhasePushing, Joined: 50, Open: 49, Sent: 199, TargetRate: 200, Accepted: 198, Frames: 220,
		Errors: 1, DriverCPU: 12.4, Latency: load.Latencies{PushEndToEnd: load.Summary{Count: 198, P50Us: 950, P99Us: 12345}}}
	last := second
	last.T, last.Seconds, last.Phase, last.Sent, last.Accepted, last.Frames, last.TargetRate = 3.24, 0.2, load.PhaseDraining, 0, 10, 40, 0
	unknown := second
	unknown.Seconds = 0
	tests := []struct {
		name string
		iv   load.Interval
		want string
	}{
		{"a second", second, "   3.0s pushing   joined 50 open 49  pushes 199/s (target 200/s) accepted 198/s  frames 220/s  e2e p50 950µs p99 12.3ms  errors 1  cpu 12%"},
		{"a fifth of a second", last, "   3.2s draining  joined 50 open 49  pushes 0/s (target 0/s) accepted 50/s  frames 200/s  e2e p50 950µs p99 12.3ms  errors 1  cpu 12%"},
		{"length unknown (schema 1)", unknown, "   3.0s pushing   joined 50 open 49  pushes 199/s (target 200/s) accepted 198/s  frames 220/s  e2e p50 950µs p99 12.3ms  errors 1  cpu 12%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, reports.IntervalLine(tt.iv))
		})
	}
}

func TestCheckVerdictText(t *testing.T) {
	tests := []struct {
		name string
		res  *reports.CheckResult
		want string
	}{
		{name: "failed", res: sampleCheck(t), want: "FAIL: 1 MUST check(s) and 1 SLO(s) failed"},
		{name: "passed", res: reports.NewCheckResult(nil, nil), want: "PASS: every MUST check passed and every SLO held"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, reports.CheckVerdict(&buf, tt.res, "out/dir"))
			assert.Contains(t, buf.String(), "Report written to out/dir (report.html, report.md, results.json, junit.xml)")
			assert.Contains(t, buf.String(), tt.want)
		})
	}
}
