package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

func TestParseGate(t *testing.T) {
	tests := []struct {
		in      string
		want    reports.Gate
		wantErr string
	}{
		{in: "push.p99>+10%", want: reports.Gate{Text: "push.p99>+10%", Metric: "push.p99", Op: ">", Percent: 10}},
		{in: " rate < -5% ", want: reports.Gate{Text: "rate < -5%", Metric: "rate", Op: "<", Percent: -5}},
		{in: "Delivered<=-0.01%", want: reports.Gate{Text: "Delivered<=-0.01%", Metric: "delivered", Op: "<=", Percent: -0.01}},
		{in: "first-frame.max>=50%", want: reports.Gate{Text: "first-frame.max>=50%", Metric: "first-frame.max", Op: ">=", Percent: 50}},
		{in: "firstframe.max>=50%", want: reports.Gate{Text: "firstframe.max>=50%", Metric: "first-frame.max", Op: ">=", Percent: 50}},
		{in: "errors>0%", want: reports.Gate{Text: "errors>0%", Metric: "errors", Op: ">", Percent: 0}},
		{in: "latency>+10%", wantErr: `unknown metric "latency": want one of rate, accepted, delivered, push.p50, push.p90, push.p99, push.max, service.p50`},
		{in: "push.p999>+10%", wantErr: `unknown metric "push.p999"`},
		{in: "first frame.p99>+10%", wantErr: "want METRIC OP CHANGE"},
		{in: "push.p99>10ms", wantErr: `"10ms" is not a change in percent, such as +10% or -5%`},
		{in: "push.p99>+10", wantErr: "not a change in percent"},
		{in: "push.p99>nan%", wantErr: "not a change in percent"},
		{in: "push.p99=+10%", wantErr: "want METRIC OP CHANGE"},
		{in: "", wantErr: "want METRIC OP CHANGE"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := reports.ParseGate(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "\n", "one line")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, g)
		})
	}
}

func TestGateMetricsAreSLONames(t *testing.T) {
	for _, m := range reports.GateMetrics() {
		if m == "accepted" { // pushes accepted per second: a row with no SLO
			continue
		}
		slo := m + ">1"
		if strings.Contains(m, ".") {
			slo = m + "<1ms"
		} else if m == "delivered" {
			slo = m + ">1%"
		}
		_, err := loadresult.ParseSLO(slo)
		assert.NoError(t, err, "gate metric %s is not an SLO metric", m)
	}
	assert.Len(t, reports.GateMetrics(), len(reports.CompareFigures(&loadresult.Result{}, &loadresult.Result{})), "one per row")
}

func TestGateCheck(t *testing.T) {
	steady := rateRun(500, jitterA, 800, 0)
	tests := []struct {
		name        string
		gate        string
		old, new    *loadresult.Result
		wantTripped bool
		wantText    string
	}{
		{"slower past the rule", "push.p99>+10%", steady, rateRun(500, jitterB, 1200, 0), true,
			"push.p99>+10%: TRIPPED: push end-to-end p99 3.2ms → 4.8ms (+50.00%, p=0.000 q=0.000 n=10+10)"},
		{"slower, within the rule", "push.p99>+60%", steady, rateRun(500, jitterB, 1200, 0), false, "push.p99>+60%: held: push end-to-end p99"},
		{"faster: the rule is one-sided", "push.p99>+10%", rateRun(500, jitterB, 1200, 0), steady, false, "held"},
		{"throughput dropped", "rate<-5%", steady, rateRun(400, jitterB, 800, 0), true, "rate<-5%: TRIPPED: throughput achieved 500.0/s → 400.0/s (-20.00%"},
		// jitter only: the p99 of the second run is up 3 %, past a rule
		// of +1 %, but its seconds differ no more than two runs of one
		// configuration do by chance.
		{"past the rule within the noise", "push.p99>+1%", steady, withP99(rateRun(500, jitterB, 800, 0), 3296), false,
			"not significant (q ≥ 0.05), within the noise of two runs"},
		{"too few samples", "connect.p99>+10%", steady, withConnect(rateRun(500, jitterB, 800, 0), 5), false, "held, untested"},
		{"delivered dropped", "delivered<-0.5%", steady, rateRun(500, jitterB, 800, 100), true, "delivered<-0.5%: TRIPPED: delivered 100.0000% → 98.0000%"},
		{"errors from none", "errors>+10%", steady, withErrors(rateRun(500, jitterB, 800, 0), 40), true, "errors>+10%: TRIPPED: errors 0 → 400 (+Inf%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := reports.ParseGate(tt.gate)
			require.NoError(t, err)
			res := g.Check(reports.CompareRows(tt.old, tt.new))
			assert.Equal(t, tt.wantTripped, res.Tripped, res.Text)
			assert.Contains(t, res.Text, tt.wantText)
		})
	}
}

// withP99 sets the run's push end-to-end p99 to us.
func withP99(r *loadresult.Result, us int64) *loadresult.Result {
	r.Latency.PushEndToEnd.P99Us = us
	return r
}

// withConnect multiplies the connect latencies of r's joining seconds
// by k.
func withConnect(r *loadresult.Result, k int64) *loadresult.Result {
	for i := range r.Intervals {
		c := &r.Intervals[i].Latency.Connect
		c.P50Us, c.P90Us, c.P99Us, c.MaxUs = k*c.P50Us, k*c.P90Us, k*c.P99Us, k*c.MaxUs
	}
	r.Latency.Connect.P99Us *= k
	return r
}

// withErrors has each pushing second of r fail n pushes.
func withErrors(r *loadresult.Result, n uint64) *loadresult.Result {
	var total uint64
	for i := range r.Intervals {
		if r.Intervals[i].Phase == loadresult.PhasePushing {
			r.Intervals[i].Errors = n
			total += n
		}
	}
	r.Errors = []loadresult.ErrorClass{{Kind: "push", Key: "timeout", Count: total}}
	return r
}

func TestCompareGates(t *testing.T) {
	parse := func(rules ...string) []reports.Gate {
		var out []reports.Gate
		for _, s := range rules {
			g, err := reports.ParseGate(s)
			require.NoError(t, err)
			out = append(out, g)
		}
		return out
	}
	tests := []struct {
		name        string
		gates       []reports.Gate
		newWarnings []string
		wantTripped []bool
		wantLines   []string
	}{
		{name: "no gates", wantLines: nil},
		{name: "one tripped of two", gates: parse("push.p99>+10%", "rate<-5%"), wantTripped: []bool{true, false},
			wantLines: []string{"\ngates:\n  push.p99>+10%: TRIPPED: ", "\n  rate<-5%: held: throughput achieved"}},
		{name: "a busy driver is named", gates: parse("push.p99>+10%"), newWarnings: []string{"the driver process was busy"}, wantTripped: []bool{true},
			wantLines: []string{"; a run's driver warned (above): the change may be the driver's\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := rateRun(500, jitterB, 1200, 0)
			cur.Driver.Warnings = tt.newWarnings
			var buf bytes.Buffer
			res, err := reports.CompareGates(&buf, rateRun(500, jitterA, 800, 0), cur, tt.gates)
			require.NoError(t, err)
			var tripped []bool
			for _, r := range res {
				tripped = append(tripped, r.Tripped)
			}
			assert.Equal(t, tt.wantTripped, tripped)
			for _, l := range tt.wantLines {
				assert.Contains(t, buf.String(), l)
			}
			if tt.gates == nil {
				assert.NotContains(t, buf.String(), "gates:")
			}
		})
	}
}
