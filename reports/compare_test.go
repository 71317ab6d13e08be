package reports_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

// rateRun is a run of two joining seconds and len(jitter) pushing
// seconds that sent rate±jitter each; its latencies wobble with the
// jitter around base, its delivery lost lost of the pushes.
func rateRun(rate uint64, jitter []int64, base, lost int64) *loadresult.Result {
	r := &loadresult.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind}
	summary := func(us, j int64) loadresult.Summary {
		return loadresult.Summary{Count: 100, P50Us: us + j, P90Us: 2*us + 3*j, P99Us: 4*us + 10*j, MaxUs: 9*us + 20*j}
	}
	for i := range 2 {
		r.Intervals = append(r.Intervals, loadresult.Interval{T: float64(i + 1), Phase: loadresult.PhaseJoining,
			Latency: loadresult.Latencies{Connect: summary(400, jitter[i]), FirstFrame: summary(90, jitter[i+1])}})
	}
	var sent uint64
	for i, j := range jitter {
		n := uint64(int64(rate) + j)
		sent += n
		r.Intervals = append(r.Intervals, loadresult.Interval{T: float64(i + 3), Phase: loadresult.PhasePushing, Sent: n, Accepted: n,
			Latency: loadresult.Latencies{PushEndToEnd: summary(base, j), PushService: summary(base-50, j), PushResponse: summary(base/2, j)}})
	}
	r.Pushes.AchievedRate = float64(sent) / float64(len(jitter))
	r.Pushes.AcceptedRate = r.Pushes.AchievedRate
	r.Delivery.Accepted = sent
	r.Delivery.Received = sent - uint64(lost)
	r.Delivery.DeliveredPercent = 100 * float64(r.Delivery.Received) / float64(sent)
	r.Latency = loadresult.Latencies{PushEndToEnd: summary(base, 0), PushService: summary(base-50, 0), PushResponse: summary(base/2, 0),
		Connect: summary(400, 0), FirstFrame: summary(90, 0)}
	return r
}

var (
	jitterA = []int64{-3, 1, 4, -2, 0, 2, -1, 3, -4, 0}
	jitterB = []int64{2, -1, 0, 3, -3, 1, -2, 4, -4, 0}
)

func TestCompare(t *testing.T) {
	tests := []struct {
		name          string
		old, new      *loadresult.Result
		wantLine      string // the throughput line holds this
		wantNotInLine string
		significant   []string // lines whose change is significant
		same          []string // lines that read "~"
	}{
		{name: "rate doubled", old: rateRun(500, jitterA, 800, 0), new: rateRun(1000, jitterB, 800, 0), wantLine: "+100.", wantNotInLine: " ~ ",
			significant: []string{"pushes accepted"}, same: []string{"delivered", "push end-to-end p99", "connect p50", "errors"}},
		{name: "rate halved", old: rateRun(1000, jitterA, 800, 0), new: rateRun(500, jitterB, 800, 0), wantLine: "-50.", wantNotInLine: " ~ "},
		{name: "same configuration", old: rateRun(500, jitterA, 800, 0), new: rateRun(500, jitterB, 800, 0), wantLine: " ~ ",
			same: []string{"pushes accepted", "delivered", "push end-to-end p50", "push end-to-end p90", "push service max", "push response p99", "connect p99", "first frame max"}},
		{name: "slower", old: rateRun(500, jitterA, 800, 0), new: rateRun(500, jitterB, 1200, 0), wantLine: " ~ ",
			significant: []string{"push end-to-end p50", "push end-to-end p90", "push end-to-end p99", "push service max", "push response p50"},
			same:        []string{"connect p50", "first frame p99"}},
		{name: "deliveries lost", old: rateRun(500, jitterA, 800, 0), new: rateRun(500, jitterB, 800, 40), wantLine: " ~ ",
			significant: []string{"delivered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, reports.Compare(&buf, tt.old, tt.new))
			out := buf.String()
			line := lineWith(t, out, "throughput achieved")
			assert.Contains(t, line, tt.wantLine)
			assert.Contains(t, line, "p=")
			assert.Contains(t, line, "n=10+10")
			if tt.wantNotInLine != "" {
				assert.NotContains(t, line, tt.wantNotInLine)
			}
			assert.Contains(t, lineWith(t, out, "delivered"), " of ", "a two-proportion test of the pushes accepted")
			assert.Contains(t, lineWith(t, out, "connect p50"), "n=2+2", "connect is sampled in the seconds that joined")
			for _, f := range tt.significant {
				assert.NotContains(t, lineWith(t, out, f), " ~ ", "%s: want a significant change\n%s", f, out)
			}
			for _, f := range tt.same {
				assert.Contains(t, lineWith(t, out, f), " ~ ", "%s: want no significant change\n%s", f, out)
			}
			assert.NotContains(t, out, "no samples", "every figure of these runs has something to test on")
		})
	}
}

func TestCompareGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, reports.Compare(&buf, rateRun(500, jitterA, 800, 0), rateRun(1000, jitterB, 1200, 3)))
	golden(t, "compare.txt", buf.Bytes())
}

func TestCompareFigureVerdicts(t *testing.T) {
	figs := reports.CompareFigures(rateRun(500, jitterA, 800, 0), rateRun(1000, jitterB, 800, 0))
	byName := map[string]reports.Figure{}
	for _, f := range figs {
		byName[f.Name] = f
	}
	assert.True(t, byName["throughput achieved"].Test().Significant())
	assert.Equal(t, reports.MethodMannWhitney, byName["throughput achieved"].Test().Method)
	assert.InDelta(t, 100, byName["throughput achieved"].Delta(), 1)
	assert.False(t, byName["push end-to-end p50"].Test().Significant(), "same latency samples")
	assert.Len(t, byName["connect p50"].OldSamples, 2, "joining seconds only")
	assert.Len(t, byName["push service p50"].OldSamples, 10, "pushing seconds only")
	assert.Equal(t, reports.MethodProportions, byName["delivered"].Test().Method)
}

func TestCompareSchema1Intervals(t *testing.T) {
	// A schema 1 file kept the end-to-end count, p50, p99 and max per
	// second; its p90 is unknown and must not be sampled as zero.
	old, err := reports.ReadLoad(strings.NewReader(`{"schemaVersion":1,"kind":"wstrigger.load.result","intervals":[
		{"t":1,"phase":"pushing","sent":10,"endToEndCount":10,"endToEndP50Us":700,"endToEndP99Us":900,"endToEndMaxUs":1000},
		{"t":2,"phase":"pushing","sent":11,"endToEndCount":11,"endToEndP50Us":710,"endToEndP99Us":950,"endToEndMaxUs":1100}]}`))
	require.NoError(t, err)
	e2e := old.Intervals[1].Latency.PushEndToEnd
	assert.Equal(t, loadresult.Summary{Count: 11, P50Us: 710, P99Us: 950, MaxUs: 1100}, e2e)
	byName := map[string]reports.Figure{}
	for _, f := range reports.CompareFigures(old, rateRun(500, jitterA, 800, 0)) {
		byName[f.Name] = f
	}
	assert.Equal(t, []float64{700, 710}, byName["push end-to-end p50"].OldSamples)
	assert.Empty(t, byName["push end-to-end p90"].OldSamples)
}

func TestConfigDifferences(t *testing.T) {
	base := func() *loadresult.Result {
		r := rateRun(500, jitterA, 800, 0)
		r.Config = loadresult.Config{Subscriptions: 100, Patterns: []string{"{}"}, ConnectRate: 500, PushRate: 300, DurationSeconds: 10,
			PayloadSize: 256, Skew: "uniform", PushTimeoutMs: 5000, Workers: 128, Shard: "0/1", Reconnect: true}
		r.Meta.Target = "http://127.0.0.1:8080"
		return r
	}
	tests := []struct {
		name   string
		change func(r *loadresult.Result)
		want   []string
	}{
		{"same", func(*loadresult.Result) {}, nil},
		{"rate and subscriptions", func(r *loadresult.Result) { r.Config.PushRate, r.Config.Subscriptions = 100, 40 },
			[]string{"subscriptions 100 → 40", "push rate 300/s → 100/s"}},
		{"merged shards", func(r *loadresult.Result) { r.Config.Shard = "0/2,1/2" }, []string{"shards 1 process → 2 of 2 shards"}},
		{"stages", func(r *loadresult.Result) {
			r.Config.PushRate, r.Config.Stages = 0, []loadresult.Stage{{Duration: time.Second, Rate: 10}}
		},
			[]string{"push rate 300/s → 1s:10/s"}},
		{"target", func(r *loadresult.Result) { r.Meta.Target = "http://127.0.0.1:9090" }, []string{"target http://127.0.0.1:8080 → http://127.0.0.1:9090"}},
		{"the mock on another port", func(r *loadresult.Result) { r.Meta.Target, r.Mock = "http://127.0.0.1:9090", &loadresult.MockCheck{} }, []string{"target http://127.0.0.1:8080 → the mock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := base()
			tt.change(cur)
			assert.Equal(t, tt.want, reports.ConfigDifferences(base(), cur))
			bothMocks, otherMock := base(), base()
			bothMocks.Mock, otherMock.Mock = &loadresult.MockCheck{}, &loadresult.MockCheck{}
			otherMock.Meta.Target = "http://127.0.0.1:9999"
			assert.Empty(t, reports.ConfigDifferences(bothMocks, otherMock), "two runs against a mock on different ports")
			var buf bytes.Buffer
			require.NoError(t, reports.Compare(&buf, base(), cur))
			if tt.want == nil {
				assert.True(t, strings.HasPrefix(buf.String(), "figure"), "no note when the runs match")
			} else {
				assert.True(t, strings.HasPrefix(buf.String(), "note: the runs differ in configuration ("+tt.want[0]))
			}
		})
	}
}

func TestCompareRunsWithoutSamples(t *testing.T) {
	idle := func() *loadresult.Result {
		return &loadresult.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind,
			Intervals: []loadresult.Interval{{T: 1, Phase: loadresult.PhaseHolding, Open: 10}}}
	}
	var buf bytes.Buffer
	require.NoError(t, reports.Compare(&buf, idle(), idle()))
	for _, f := range []string{"throughput achieved", "delivered", "push end-to-end p50", "connect max", "errors"} {
		assert.Contains(t, lineWith(t, buf.String(), f), "(no samples)", f)
	}
}

func TestTwoProportionVerdicts(t *testing.T) {
	tests := []struct {
		name                           string
		oldHits, oldOf, newHits, newOf uint64
		wantSignificant                bool
		wantP                          float64 // NaN: do not check
	}{
		{"all delivered on both", 1000, 1000, 2000, 2000, false, 1},
		{"none accepted", 0, 0, 0, 0, false, 1},
		{"two lost of 1600", 1600, 1600, 1598, 1600, false, math.NaN()},
		{"one percent lost", 10000, 10000, 9900, 10000, true, math.NaN()},
		// 50/100 against 60/100: z = 1.4213, p = 0.1552
		{"textbook", 50, 100, 60, 100, false, 0.1552},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := reports.Figure{Name: "delivered", Unit: "%", OldHits: tt.oldHits, OldOf: tt.oldOf, NewHits: tt.newHits, NewOf: tt.newOf}
			s := f.Test()
			assert.Equal(t, tt.wantSignificant, s.Significant())
			if !math.IsNaN(tt.wantP) {
				assert.InDelta(t, tt.wantP, s.P, 1e-3)
			}
		})
	}
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
