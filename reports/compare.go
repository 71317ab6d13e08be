package reports

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Figure is one line of a comparison: a figure of the old and the new
// run, and what its change can be tested on: the per-second samples
// behind it, or, for a share of counts, the counts.
type Figure struct {
	Name string
	// Metric is the figure's name in --slo and --fail-if rules:
	// "rate", "accepted", "delivered", "errors", or a latency kind
	// (push, service, response, connect, first-frame) and a statistic
	// (.p50, .p90, .p99, .max), such as "push.p99".
	Metric   string
	Unit     string // "/s", "%", "µs" or "" (a count)
	Old, New float64
	// OldSamples and NewSamples are the figure's per-second values; nil
	// when the run keeps none for it (no second recorded it).
	OldSamples, NewSamples []float64
	// For a percentage of counts (delivered), OldOf and NewOf are the
	// counts it is a share of, and OldHits and NewHits the counts that
	// make it up.
	OldHits, OldOf, NewHits, NewOf uint64
}

// Delta is the relative change from Old to New in percent; NaN when Old
// is zero and New is not.
func (f Figure) Delta() float64 {
	switch {
	case f.Old == f.New:
		return 0
	case f.Old == 0:
		return math.NaN()
	}
	return 100 * (f.New - f.Old) / f.Old
}

// Significance is the verdict on a figure's change.
type Significance struct {
	// Method is MethodMannWhitney, MethodProportions, or "" when the
	// figure has nothing to test on.
	Method string
	P      float64 // two-sided p-value
	// Q is P adjusted for the other figures of the table it is one of
	// (AdjustBH); P itself for a figure tested alone.
	Q      float64
	N1, N2 int // samples of each run (Mann-Whitney), or the counts the shares are of
	// TooFew is set when the samples are too few for any difference
	// to be significant.
	TooFew bool
}

// Methods of Significance.
const (
	MethodMannWhitney = "mann-whitney"
	MethodProportions = "two-proportion"
)

// Significant reports whether the change is significant at level Alpha:
// its adjusted p-value Q is below it.
func (s Significance) Significant() bool { return s.Method != "" && s.Q < Alpha && !s.TooFew }

// Test tests the figure's change: a two-sided Mann-Whitney U test of the
// per-second samples, or a two-proportion z-test of the counts behind a
// share.
func (f Figure) Test() Significance {
	switch {
	case f.OldOf > 0 || f.NewOf > 0:
		p := twoProportionP(f.OldHits, f.OldOf, f.NewHits, f.NewOf)
		return Significance{Method: MethodProportions, P: p, Q: p, N1: int(f.OldOf), N2: int(f.NewOf)}
	case f.OldSamples != nil || f.NewSamples != nil:
		m := MannWhitneyU(f.OldSamples, f.NewSamples)
		return Significance{Method: MethodMannWhitney, P: m.P, Q: m.P, N1: m.N1, N2: m.N2, TooFew: m.TooFew()}
	}
	return Significance{P: 1, Q: 1}
}

// Row is one line of a comparison: a figure and its test, whose Q is
// adjusted for the table's other tests.
type Row struct {
	Figure
	Test Significance
}

// CompareRows are the lines of the comparison of two load runs: every
// figure of CompareFigures, tested, the p-values adjusted together
// (AdjustBH).
func CompareRows(old, cur *loadresult.Result) []Row {
	figs := CompareFigures(old, cur)
	rows := make([]Row, len(figs))
	tests := make([]Significance, len(figs))
	for i, f := range figs {
		tests[i] = f.Test()
	}
	AdjustBH(tests)
	for i, f := range figs {
		rows[i] = Row{Figure: f, Test: tests[i]}
	}
	return rows
}

// AdjustBH sets the Q of each test that could be significant (one with
// a method and enough samples) to its p-value adjusted by the
// Benjamini-Hochberg step-up procedure over those tests, so that of the
// changes a table calls significant, at most a share Alpha is expected
// to be noise; the others keep Q = P and are not counted.
//
// Why Benjamini-Hochberg rather than Holm: a comparison table tests two
// dozen figures at once, and tested one by one at 0.05 some read as
// changed by chance alone (a busy machine's two runs of one
// configuration had 7 of 24 flagged). Both corrections hold the chance
// of any false flag to Alpha when nothing changed, the case of two runs
// of one configuration (there the false discovery rate is the
// family-wise error rate), given the positive dependence these figures
// have: the percentiles of one latency kind move together. They differ
// when something did change: a real regression moves many figures at
// once (p50, p90, p99 and max of push end-to-end and service time), and
// Holm still tests the smallest p-value against Alpha divided by the
// figures tested (some twenty), which a short run's samples (five
// seconds: about six each) can never reach, whatever the change; Benjamini-Hochberg lets the figures that moved
// together carry each other (twelve p-values of 0.005 all pass). Tests
// that can never be significant (too few samples) are left out of the
// count, so that they do not dilute the others.
func AdjustBH(tests []Significance) {
	var idx []int
	for i, s := range tests {
		if s.Method != "" && !s.TooFew {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(tests[a].P, tests[b].P) })
	m, q := float64(len(idx)), 1.0
	for k := len(idx) - 1; k >= 0; k-- {
		i := idx[k]
		q = min(q, tests[i].P*m/float64(k+1))
		tests[i].Q = q
	}
}

// twoProportionP is the two-sided p-value of the pooled two-proportion
// z-test of x1 of n1 against x2 of n2; 1 when either count is zero or
// the pooled share is 0 or 1 (nothing varies).
func twoProportionP(x1, n1, x2, n2 uint64) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	p1, p2 := float64(x1)/float64(n1), float64(x2)/float64(n2)
	pool := float64(x1+x2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 || math.IsNaN(se) {
		return 1
	}
	return math.Erfc(math.Abs(p1-p2) / se / math.Sqrt2)
}

// CompareFigures lists every figure of two load runs in the order
// Compare prints them: throughput, accepted rate, delivery, each latency
// kind's p50, p90, p99 and max, and errors.
//
// The samples are one per interval of the series: for the push rates,
// the errors and the push latency kinds, every pushing second (whole
// seconds from the warmup's end, the last one ending with the schedule)
// and every draining second that recorded the figure (a push sent late,
// an error, a frame received), counts taken per second of the
// interval's length; for connect and first frame, every interval that
// recorded one. The drain belongs in: a driver or target that fell
// behind sends and delivers there, so that a run whose pushes all
// arrived after the schedule ended is compared on those arrivals, as
// its own percentiles are; a drain that recorded nothing is left out,
// its length being only how long the run waited. Warmup and joins are
// left out of the push figures, as from the run's own. A latency
// percentile is sampled only in the intervals that recorded that kind.
func CompareFigures(old, cur *loadresult.Result) []Figure {
	// sending keeps the pushing seconds and the draining seconds in
	// which n, the figure's count, is not zero.
	sending := func(n func(*loadresult.Interval) uint64) func(*loadresult.Interval) bool {
		return func(iv *loadresult.Interval) bool {
			return iv.Phase == loadresult.PhasePushing || iv.Phase == loadresult.PhaseDraining && n(iv) > 0
		}
	}
	series := func(r *loadresult.Result, keep func(*loadresult.Interval) bool, v func(*loadresult.Interval) float64) []float64 {
		var out []float64 // nil when no second qualifies
		for i := range r.Intervals {
			if iv := &r.Intervals[i]; keep(iv) {
				out = append(out, v(iv))
			}
		}
		return out
	}
	fig := func(name, metric, unit string, v func(*loadresult.Result) float64, keep func(*loadresult.Interval) bool, s func(*loadresult.Interval) float64) Figure {
		f := Figure{Name: name, Metric: metric, Unit: unit, Old: v(old), New: v(cur)}
		if s != nil {
			f.OldSamples, f.NewSamples = series(old, keep, s), series(cur, keep, s)
		}
		return f
	}
	sent := func(iv *loadresult.Interval) uint64 { return iv.Sent }
	accepted := func(iv *loadresult.Interval) uint64 { return iv.Accepted }
	figs := []Figure{
		fig("throughput achieved", "rate", "/s", func(r *loadresult.Result) float64 { return r.Pushes.AchievedRate },
			sending(sent), func(iv *loadresult.Interval) float64 { return iv.PerSecond(sent(iv)) }),
		fig("pushes accepted", "accepted", "/s", func(r *loadresult.Result) float64 { return r.Pushes.AcceptedRate },
			sending(accepted), func(iv *loadresult.Interval) float64 { return iv.PerSecond(accepted(iv)) }),
		{Name: "delivered", Metric: "delivered", Unit: "%", Old: old.Delivery.DeliveredPercent, New: cur.Delivery.DeliveredPercent,
			OldHits: old.Delivery.Received, OldOf: old.Delivery.Accepted, NewHits: cur.Delivery.Received, NewOf: cur.Delivery.Accepted},
	}
	for _, k := range latencyKindList {
		pct := func(p string, v func(loadresult.Summary) int64) Figure {
			count := func(iv *loadresult.Interval) uint64 { return uint64(max(k.of(&iv.Latency).Count, 0)) }
			keep := func(iv *loadresult.Interval) bool {
				// A percentile of 0 is unknown (p90 of schema 1 intervals):
				// recorded latencies are at least 1 µs.
				return (!k.push || sending(count)(iv)) && count(iv) > 0 && v(*k.of(&iv.Latency)) > 0
			}
			return fig(k.name+" "+p, compareLatencyMetrics[k.name]+"."+p, "µs", func(r *loadresult.Result) float64 { return float64(v(*k.of(&r.Latency))) },
				keep, func(iv *loadresult.Interval) float64 { return float64(v(*k.of(&iv.Latency))) })
		}
		figs = append(figs,
			pct("p50", func(s loadresult.Summary) int64 { return s.P50Us }),
			pct("p90", func(s loadresult.Summary) int64 { return s.P90Us }),
			pct("p99", func(s loadresult.Summary) int64 { return s.P99Us }),
			pct("max", func(s loadresult.Summary) int64 { return s.MaxUs }),
		)
	}
	errs := func(iv *loadresult.Interval) uint64 { return iv.Errors }
	return append(figs, fig("errors", "errors", "", func(r *loadresult.Result) float64 {
		var n uint64
		for _, c := range r.Errors {
			n += c.Count
		}
		return float64(n)
	}, sending(errs), func(iv *loadresult.Interval) float64 { return iv.PerSecond(errs(iv)) }))
}

// compareLatencyMetrics names the latency kinds as --slo and --fail-if
// rules do.
var compareLatencyMetrics = map[string]string{
	"push end-to-end": "push", "push service": "service", "push response": "response",
	"connect": "connect", "first frame": "first-frame",
}

// Compare writes a benchstat-style table of two load runs: each figure
// old and new, the change in percent, and whether it is significant at
// level Alpha, with the p-value and the adjusted one (q): "~" in place
// of the change when it is not. Figures kept per second are tested with
// a two-sided Mann-Whitney U test of their per-second samples ("n=" the
// samples of each run); the delivered share with a two-proportion
// z-test of the counts behind it ("of" the pushes accepted in each
// run). The p-values are adjusted for the number of figures tested
// (AdjustBH): a change is significant when q is below Alpha. Samples
// too few for any difference to be significant (fewer than about four
// seconds each) are marked so.
//
// Notes before the table say when the runs were configured differently
// (ConfigDifferences): their changes may come from that; and repeat
// each run's driver warnings (a driver busy or behind its schedule):
// its latencies may be the driver's.
func Compare(w io.Writer, old, cur *loadresult.Result) error {
	return writeCompare(w, old, cur, CompareRows(old, cur))
}

// writeCompare writes Compare's notes and table of rows.
func writeCompare(w io.Writer, old, cur *loadresult.Result, rows []Row) error {
	var notes []string
	if diffs := ConfigDifferences(old, cur); len(diffs) > 0 {
		notes = append(notes, fmt.Sprintf("note: the runs differ in configuration (%s): the changes below may come from that", strings.Join(diffs, "; ")))
	}
	notes = append(notes, DriverWarnings(old, cur)...)
	for _, n := range notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return fmt.Errorf("reports: compare: %w", err)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\told\tnew\tdelta\ttest")
	tested := 0
	for _, r := range rows {
		s := r.Test
		if s.Method != "" && !s.TooFew {
			tested++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, formatFigure(r.Old, r.Unit), formatFigure(r.New, r.Unit), r.deltaText(), s.text())
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("reports: compare: %w", err)
	}
	if tested > 0 {
		if _, err := fmt.Fprintf(w, "\nq: the p-value adjusted for the %d figures tested (Benjamini-Hochberg); a change is significant when q < %g, \"~\" otherwise.\n", tested, Alpha); err != nil {
			return fmt.Errorf("reports: compare: %w", err)
		}
	}
	return nil
}

// deltaText is the row's change as the table shows it: "+12.50%", "n/a"
// when the old figure is zero, "~" when the change is not significant.
func (r Row) deltaText() string {
	if r.Test.Method != "" && !r.Test.Significant() {
		return "~"
	}
	if d := r.Delta(); !math.IsNaN(d) {
		return fmt.Sprintf("%+.2f%%", d)
	}
	return "n/a"
}

// text is the test's column of the table.
func (s Significance) text() string {
	switch s.Method {
	case MethodMannWhitney:
		if s.TooFew {
			return fmt.Sprintf("(p=%.3f n=%d+%d: too few samples to tell)", s.P, s.N1, s.N2)
		}
		return fmt.Sprintf("(p=%.3f q=%.3f n=%d+%d)", s.P, s.Q, s.N1, s.N2)
	case MethodProportions:
		return fmt.Sprintf("(p=%.3f q=%.3f of %d+%d)", s.P, s.Q, s.N1, s.N2)
	}
	return "(no samples)"
}

// DriverWarnings repeats the driver warnings of two compared runs, one
// line each: "warning: old run: the driver process was busy ...".
func DriverWarnings(old, cur *loadresult.Result) []string {
	var out []string
	for _, r := range []struct {
		name string
		r    *loadresult.Result
	}{{"old", old}, {"new", cur}} {
		for _, w := range r.r.Driver.Warnings {
			out = append(out, fmt.Sprintf("warning: %s run: %s", r.name, w))
		}
	}
	return out
}

// ConfigDifferences lists how two load runs' configurations differ, as
// "push rate 300/s → 100/s"; nil when they match in everything that
// shapes the load (subscriptions, patterns, join rate, schedule, warmup,
// payload, skew, timeout, workers, shards, reconnects) and the target (any
// wstrigger mock counting as one target).
func ConfigDifferences(old, cur *loadresult.Result) []string {
	var out []string
	diff := func(name string, a, b any) {
		if as, bs := fmt.Sprint(a), fmt.Sprint(b); as != bs {
			out = append(out, fmt.Sprintf("%s %s → %s", name, as, bs))
		}
	}
	a, b := old.Config, cur.Config
	diff("subscriptions", a.Subscriptions, b.Subscriptions)
	diff("patterns", strings.Join(a.Patterns, " "), strings.Join(b.Patterns, " "))
	diff("join rate", fmt.Sprintf("%g/s", a.ConnectRate), fmt.Sprintf("%g/s", b.ConnectRate))
	diff("push rate", pushRateText(a), pushRateText(b))
	diff("duration", fmt.Sprintf("%gs", a.DurationSeconds), fmt.Sprintf("%gs", b.DurationSeconds))
	diff("warmup", fmt.Sprintf("%gs", a.WarmupSeconds), fmt.Sprintf("%gs", b.WarmupSeconds))
	diff("payload", fmt.Sprintf("%d B", a.PayloadSize), fmt.Sprintf("%d B", b.PayloadSize))
	diff("skew", a.Skew, b.Skew)
	diff("push timeout", fmt.Sprintf("%dms", a.PushTimeoutMs), fmt.Sprintf("%dms", b.PushTimeoutMs))
	diff("workers", a.Workers, b.Workers)
	diff("shards", shardCount(a.Shard), shardCount(b.Shard))
	diff("reconnect", a.Reconnect, b.Reconnect)
	diff("target", targetLabel(old), targetLabel(cur))
	return out
}

// targetLabel names a run's target for a comparison: "the mock" for any
// wstrigger mock (the embedded one listens on a new port each run), its
// URL otherwise.
func targetLabel(r *loadresult.Result) string {
	if r.Mock != nil {
		return "the mock"
	}
	return r.Meta.Target
}

func pushRateText(c loadresult.Config) string {
	switch {
	case c.Idle:
		return "idle"
	case len(c.Stages) > 0:
		return stagesText(c.Stages)
	}
	return fmt.Sprintf("%g/s", c.PushRate)
}

// shardCount is how a run was split: "1 process", or "2 of 3 shards".
func shardCount(shard string) string {
	parts := strings.Split(shard, ",")
	if shard == "" || shard == "0/1" {
		return "1 process"
	}
	_, n, _ := strings.Cut(parts[0], "/")
	return fmt.Sprintf("%d of %s shards", len(parts), n)
}

func formatFigure(v float64, unit string) string {
	switch unit {
	case "µs":
		return usDuration(int64(v)).String()
	case "%":
		return fmt.Sprintf("%.4f%%", v)
	case "/s":
		return fmt.Sprintf("%.1f/s", v)
	}
	return fmt.Sprintf("%.0f", v)
}
