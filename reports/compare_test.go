package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/reports"
)

// rateRun is a ten-second run whose pushing seconds sent rate±jitter.
func rateRun(rate uint64, jitter []int64) *load.Result {
	r := &load.Result{SchemaVersion: load.SchemaVersion, Kind: load.ResultKind}
	r.Intervals = []load.Interval{{T: 1, Phase: load.PhaseJoining}}
	var sent uint64
	for i, j := range jitter {
		n := uint64(int64(rate) + j)
		sent += n
		r.Intervals = append(r.Intervals, load.Interval{T: float64(i + 2), Phase: load.PhasePushing, Sent: n, Accepted: n,
			EndToEndP50Us: 800 + j, EndToEndP99Us: 3000 + 10*j, EndToEndMaxUs: 9000})
	}
	r.Pushes.AchievedRate = float64(sent) / float64(len(jitter))
	r.Pushes.AcceptedRate = r.Pushes.AchievedRate
	r.Delivery.DeliveredPercent = 100
	return r
}

var (
	jitterA = []int64{-3, 1, 4, -2, 0, 2, -1, 3, -4, 0}
	jitterB = []int64{2, -1, 0, 3, -3, 1, -2, 4, -4, 0}
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name          string
		old, new      *load.Result
		wantLine      string // the throughput line holds this
		wantNotInLine string
	}{
		{name: "rate doubled", old: rateRun(500, jitterA), new: rateRun(1000, jitterB), wantLine: "+100.", wantNotInLine: " ~ "},
		{name: "rate halved", old: rateRun(1000, jitterA), new: rateRun(500, jitterB), wantLine: "-50.", wantNotInLine: " ~ "},
		{name: "same configuration", old: rateRun(500, jitterA), new: rateRun(500, jitterB), wantLine: " ~ "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, reports.Compare(&buf, tt.old, tt.new))
			out := buf.String()
			t.Logf("\n%s", out)
			line := lineWith(t, out, "throughput achieved")
			assert.Contains(t, line, tt.wantLine)
			assert.Contains(t, line, "p=")
			assert.Contains(t, line, "n=10+10")
			if tt.wantNotInLine != "" {
				assert.NotContains(t, line, tt.wantNotInLine)
			}
			assert.Contains(t, lineWith(t, out, "delivered"), "(no per-second samples)")
			assert.Contains(t, lineWith(t, out, "errors"), "~", "no errors on either side")
			for _, f := range []string{"push end-to-end p50", "push end-to-end p90", "push end-to-end p99", "push end-to-end max", "connect p99", "first frame max"} {
				lineWith(t, out, f)
			}
		})
	}
}

func TestCompareFigureVerdicts(t *testing.T) {
	figs := reports.CompareFigures(rateRun(500, jitterA), rateRun(1000, jitterB))
	byName := map[string]reports.Figure{}
	for _, f := range figs {
		byName[f.Name] = f
	}
	assert.True(t, byName["throughput achieved"].Test().Significant())
	assert.InDelta(t, 100, byName["throughput achieved"].Delta(), 1)
	assert.False(t, byName["push end-to-end p50"].Test().Significant(), "same latency samples")
	assert.Nil(t, byName["connect p50"].OldSamples)
}

func lineWith(t *testing.T, out, prefix string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l + " "
		}
	}
	require.Failf(t, "no line", "no line starts with %q", prefix)
	return ""
}
