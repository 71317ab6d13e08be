package reports_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
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

// TestCompareSameConfigurationRuns compares five pairs of real runs of
// one configuration (testdata/sameconfig: 5 s each, 200 subscriptions,
// 200 pushes/s against the embedded mock, on a 2-core machine shared
// with other work): at least 90 % of the rows must read "~". Tested one
// by one at 0.05, 13 of their 120 rows read as changed (8 in one pair).
func TestCompareSameConfigurationRuns(t *testing.T) {
	var rows, flagged int
	for i := 0; i < 10; i += 2 {
		old, cur := readLoadFile(t, fmt.Sprintf("sameconfig/run%d.json", i)), readLoadFile(t, fmt.Sprintf("sameconfig/run%d.json", i+1))
		require.Empty(t, reports.ConfigDifferences(old, cur))
		for _, r := range reports.CompareRows(old, cur) {
			rows++
			if r.Test.Significant() {
				flagged++
				t.Logf("pair %d-%d: %s %g → %g (p=%.4f q=%.4f)", i, i+1, r.Name, r.Old, r.New, r.Test.P, r.Test.Q)
			}
		}
	}
	assert.LessOrEqual(t, 10*flagged, rows, "%d of %d rows of same-configuration runs read as changed", flagged, rows)
}

func readLoadFile(t *testing.T, name string) *loadresult.Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	r, err := reports.ReadLoad(f)
	require.NoError(t, err)
	return r
}

func TestAdjustBH(t *testing.T) {
	mw := func(p float64) reports.Significance {
		return reports.Significance{Method: reports.MethodMannWhitney, P: p, Q: p}
	}
	tooFew := reports.Significance{Method: reports.MethodMannWhitney, P: 0.01, Q: 0.01, TooFew: true}
	untested := reports.Significance{P: 1, Q: 1}
	tests := []struct {
		name  string
		in    []reports.Significance
		wantQ []float64
	}{
		{"one test keeps its p", []reports.Significance{mw(0.03)}, []float64{0.03}},
		// p·m/rank, then the running minimum from the largest down:
		// 0.01·4/1 = 0.04, 0.02·4/2 = 0.04, 0.03·4/3 = 0.04, 0.5·4/4 = 0.5.
		{"step-up", []reports.Significance{mw(0.5), mw(0.02), mw(0.01), mw(0.03)}, []float64{0.5, 0.04, 0.04, 0.04}},
		// 0.04·2/1 = 0.08 is lowered to 0.045·2/2 = 0.045 by the larger one.
		{"monotone", []reports.Significance{mw(0.04), mw(0.045)}, []float64{0.045, 0.045}},
		{"capped at 1", []reports.Significance{mw(0.9), mw(0.8), mw(0.7)}, []float64{0.9, 0.9, 0.9}},
		{"too few and untested are not counted", []reports.Significance{mw(0.02), tooFew, untested, mw(0.01)}, []float64{0.02, 0.01, 1, 0.02}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			reports.AdjustBH(in)
			for i, s := range in {
				assert.InDelta(t, tt.wantQ[i], s.Q, 1e-12, "test %d", i)
				assert.Equal(t, tt.in[i].P, s.P, "p is kept")
			}
		})
	}
}

// stalledRun is a run whose first pushing seconds delivered at about
// base µs, whose later pushing seconds received nothing (the driver
// stalled), and whose draining seconds, as many as drained, received
// everything else seconds late; then idle draining seconds that
// recorded nothing.
func stalledRun(base int64, delivered, stalled, drained, idle int) *loadresult.Result {
	r := &loadresult.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind}
	lat := func(us int64) loadresult.Latencies {
		s := loadresult.Summary{Count: 200, P50Us: us, P90Us: us * 2, P99Us: us * 3, MaxUs: us * 4}
		return loadresult.Latencies{PushEndToEnd: s, PushService: s, PushResponse: s}
	}
	add := func(phase string, sent uint64, l loadresult.Latencies) {
		r.Intervals = append(r.Intervals, loadresult.Interval{T: float64(len(r.Intervals) + 1), Seconds: 1, Phase: phase, Sent: sent, Accepted: sent, Latency: l})
	}
	for i := range delivered {
		add(loadresult.PhasePushing, 200, lat(base+int64(i*7)))
	}
	for range stalled {
		add(loadresult.PhasePushing, 0, loadresult.Latencies{})
	}
	for i := range drained {
		add(loadresult.PhaseDraining, 300, lat(4_000_000+int64(i*50_000)))
	}
	for range idle {
		add(loadresult.PhaseDraining, 0, loadresult.Latencies{})
	}
	return r
}

func TestCompareSamplesTheDrain(t *testing.T) {
	steady, stalled := stalledRun(881, 10, 0, 0, 0), stalledRun(881, 2, 8, 10, 0)
	tests := []struct {
		name     string
		old, new *loadresult.Result
		row      string
		wantN    string // the samples of each run
		changed  bool   // whether the row must read as changed, or as "~"
	}{
		// 881µs → 4.383s read "~": only the pushing seconds were
		// sampled, and those of the stalled run that received anything
		// were as quick as the old run's.
		{"a stalled driver's late frames", steady, stalled, "push end-to-end p50", "n=10+12", true},
		{"late frames' service time", steady, stalled, "push service p99", "n=10+12", true},
		// The late sends are samples of the throughput too (that their
		// rate makes up for the stalled seconds is no change).
		{"late sends count in the throughput", steady, stalled, "throughput achieved", "n=10+20", false},
		// A drain that received nothing is how long the run waited, not
		// a second of throughput: left out.
		{"an idle drain is left out", steady, stalledRun(881, 10, 0, 0, 6), "throughput achieved", "n=10+10", false},
		{"an idle drain has no latency", steady, stalledRun(881, 10, 0, 0, 6), "push service p99", "n=10+10", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, reports.Compare(&buf, tt.old, tt.new))
			line := lineWith(t, buf.String(), tt.row)
			assert.Contains(t, line, tt.wantN, buf.String())
			if tt.changed {
				assert.NotContains(t, line, " ~ ", buf.String())
			} else {
				assert.Contains(t, line, " ~ ", buf.String())
			}
		})
	}
}

func TestCompareDriverWarnings(t *testing.T) {
	busy := "the driver process was busy (CPU over 90% of GOMAXPROCS or scheduler p99 over 10ms) for 4 of 10 seconds"
	tests := []struct {
		name     string
		old, new []string
		want     []string
	}{
		{"none", nil, nil, nil},
		{"new run busy", nil, []string{busy}, []string{"warning: new run: " + busy}},
		{"both", []string{"50 of 1000 pushes started late"}, []string{busy},
			[]string{"warning: old run: 50 of 1000 pushes started late", "warning: new run: " + busy}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, cur := rateRun(500, jitterA, 800, 0), rateRun(500, jitterB, 800, 0)
			old.Driver.Warnings, cur.Driver.Warnings = tt.old, tt.new
			assert.Equal(t, tt.want, reports.DriverWarnings(old, cur))
			var buf bytes.Buffer
			require.NoError(t, reports.Compare(&buf, old, cur))
			head, _, _ := strings.Cut(buf.String(), "figure ")
			for _, w := range tt.want {
				assert.Contains(t, head, w+"\n", "the warning is above the table")
			}
			if tt.want == nil {
				assert.Empty(t, head)
			}
		})
	}
}
