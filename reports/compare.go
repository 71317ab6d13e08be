package reports

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Figure is one line of a comparison: a figure of the old and the new
// run, and what its change can be tested on: the per-second samples
// behind it, or, for a share of counts, the counts.
type Figure struct {
	Name     string
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
	N1, N2 int     // samples of each run (Mann-Whitney), or the counts the shares are of
	// TooFew is set when the samples are too few for any difference
	// to be significant.
	TooFew bool
}

// Methods of Significance.
const (
	MethodMannWhitney = "mann-whitney"
	MethodProportions = "two-proportion"
)

// Significant reports whether the change is significant at level Alpha.
func (s Significance) Significant() bool { return s.Method != "" && s.P < Alpha && !s.TooFew }

// Test tests the figure's change: a two-sided Mann-Whitney U test of the
// per-second samples, or a two-proportion z-test of the counts behind a
// share.
func (f Figure) Test() Significance {
	switch {
	case f.OldOf > 0 || f.NewOf > 0:
		return Significance{Method: MethodProportions, P: twoProportionP(f.OldHits, f.OldOf, f.NewHits, f.NewOf),
			N1: int(f.OldOf), N2: int(f.NewOf)}
	case f.OldSamples != nil || f.NewSamples != nil:
		m := MannWhitneyU(f.OldSamples, f.NewSamples)
		return Significance{Method: MethodMannWhitney, P: m.P, N1: m.N1, N2: m.N2, TooFew: m.TooFew()}
	}
	return Significance{P: 1}
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
// the errors and the push latency kinds, the pushing seconds (whole
// seconds from the warmup's end, the last one ending with the schedule;
// warmup, drain and joins left out, as from the run's own figures),
// counts taken per second of the interval's length; for connect and first frame, every interval that recorded one.
// A latency percentile is sampled only in the intervals that recorded
// that kind.
func CompareFigures(old, cur *loadresult.Result) []Figure {
	pushing := func(iv *loadresult.Interval) bool { return iv.Phase == loadresult.PhasePushing }
	series := func(r *loadresult.Result, keep func(*loadresult.Interval) bool, v func(*loadresult.Interval) float64) []float64 {
		var out []float64 // nil when no second qualifies
		for i := range r.Intervals {
			if iv := &r.Intervals[i]; keep(iv) {
				out = append(out, v(iv))
			}
		}
		return out
	}
	fig := func(name, unit string, v func(*loadresult.Result) float64, keep func(*loadresult.Interval) bool, s func(*loadresult.Interval) float64) Figure {
		f := Figure{Name: name, Unit: unit, Old: v(old), New: v(cur)}
		if s != nil {
			f.OldSamples, f.NewSamples = series(old, keep, s), series(cur, keep, s)
		}
		return f
	}
	figs := []Figure{
		fig("throughput achieved", "/s", func(r *loadresult.Result) float64 { return r.Pushes.AchievedRate },
			pushing, func(iv *loadresult.Interval) float64 { return iv.PerSecond(iv.Sent) }),
		fig("pushes accepted", "/s", func(r *loadresult.Result) float64 { return r.Pushes.AcceptedRate },
			pushing, func(iv *loadresult.Interval) float64 { return iv.PerSecond(iv.Accepted) }),
		{Name: "delivered", Unit: "%", Old: old.Delivery.DeliveredPercent, New: cur.Delivery.DeliveredPercent,
			OldHits: old.Delivery.Received, OldOf: old.Delivery.Accepted, NewHits: cur.Delivery.Received, NewOf: cur.Delivery.Accepted},
	}
	for _, k := range latencyKindList {
		pct := func(p string, v func(loadresult.Summary) int64) Figure {
			keep := func(iv *loadresult.Interval) bool {
				s := *k.of(&iv.Latency)
				// A percentile of 0 is unknown (p90 of schema 1 intervals):
				// recorded latencies are at least 1 µs.
				return (!k.push || pushing(iv)) && s.Count > 0 && v(s) > 0
			}
			return fig(k.name+" "+p, "µs", func(r *loadresult.Result) float64 { return float64(v(*k.of(&r.Latency))) },
				keep, func(iv *loadresult.Interval) float64 { return float64(v(*k.of(&iv.Latency))) })
		}
		figs = append(figs,
			pct("p50", func(s loadresult.Summary) int64 { return s.P50Us }),
			pct("p90", func(s loadresult.Summary) int64 { return s.P90Us }),
			pct("p99", func(s loadresult.Summary) int64 { return s.P99Us }),
			pct("max", func(s loadresult.Summary) int64 { return s.MaxUs }),
		)
	}
	return append(figs, fig("errors", "", func(r *loadresult.Result) float64 {
		var n uint64
		for _, c := range r.Errors {
			n += c.Count
		}
		return float64(n)
	}, pushing, func(iv *loadresult.Interval) float64 { return iv.PerSecond(iv.Errors) }))
}

// Compare writes a benchstat-style table of two load runs: each figure
// old and new, the change in percent, and whether it is significant at
// level Alpha, with the p-value: "~" in place of the change when it is
// not. Figures kept per second are tested with a two-sided Mann-Whitney
// U test of their per-second samples ("n=" the samples of each run); the
// delivered share with a two-proportion z-test of the counts behind it
// ("of" the pushes accepted in each run). Samples too few for any
// difference to be significant (fewer than about four seconds each) are
// marked so.
//
// When the runs were configured differently, a note before the table
// says how (ConfigDifferences): their changes may come from that.
func Compare(w io.Writer, old, cur *loadresult.Result) error {
	if diffs := ConfigDifferences(old, cur); len(diffs) > 0 {
		if _, err := fmt.Fprintf(w, "note: the runs differ in configuration (%s): the changes below may come from that\n\n", strings.Join(diffs, "; ")); err != nil {
			return fmt.Errorf("reports: compare: %w", err)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\told\tnew\tdelta\ttest")
	for _, f := range CompareFigures(old, cur) {
		delta := "n/a"
		if d := f.Delta(); !math.IsNaN(d) {
			delta = fmt.Sprintf("%+.2f%%", d)
		}
		verdict := "(no samples)"
		s := f.Test()
		switch s.Method {
		case MethodMannWhitney:
			verdict = fmt.Sprintf("(p=%.3f n=%d+%d)", s.P, s.N1, s.N2)
			if s.TooFew {
				verdict = fmt.Sprintf("(p=%.3f n=%d+%d: too few samples to tell)", s.P, s.N1, s.N2)
			}
		case MethodProportions:
			verdict = fmt.Sprintf("(p=%.3f of %d+%d)", s.P, s.N1, s.N2)
		}
		if s.Method != "" && !s.Significant() {
			delta = "~"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, formatFigure(f.Old, f.Unit), formatFigure(f.New, f.Unit), delta, verdict)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("reports: compare: %w", err)
	}
	return nil
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
