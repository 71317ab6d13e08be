package reports

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/wstrigger/wstrigger/load"
)

// Figure is one line of a comparison: a figure of the old and the new
// run, and the per-second samples behind it when the runs keep them.
type Figure struct {
	Name     string
	Unit     string // "/s", "%", "µs" or "" (a count)
	Old, New float64
	// OldSamples and NewSamples are the figure's per-second values over
	// the pushing phase; nil when the run keeps none for it.
	OldSamples, NewSamples []float64
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

// Test is the Mann-Whitney U test of the figure's samples.
func (f Figure) Test() MannWhitney { return MannWhitneyU(f.OldSamples, f.NewSamples) }

// CompareFigures lists every figure of two load runs in the order
// Compare prints them: throughput, accepted rate, delivery, each latency
// kind's p50, p90, p99 and max, and errors.
func CompareFigures(old, cur *load.Result) []Figure {
	series := func(r *load.Result, v func(load.Interval) float64) []float64 {
		var out []float64
		for _, iv := range r.Intervals {
			if iv.Phase == load.PhasePushing {
				out = append(out, v(iv))
			}
		}
		return out
	}
	fig := func(name, unit string, v func(*load.Result) float64, s func(load.Interval) float64) Figure {
		f := Figure{Name: name, Unit: unit, Old: v(old), New: v(cur)}
		if s != nil {
			f.OldSamples, f.NewSamples = series(old, s), series(cur, s)
		}
		return f
	}
	figs := []Figure{
		fig("throughput achieved", "/s", func(r *load.Result) float64 { return r.Pushes.AchievedRate },
			func(iv load.Interval) float64 { return float64(iv.Sent) }),
		fig("pushes accepted", "/s", func(r *load.Result) float64 { return r.Pushes.AcceptedRate },
			func(iv load.Interval) float64 { return float64(iv.Accepted) }),
		fig("delivered", "%", func(r *load.Result) float64 { return r.Delivery.DeliveredPercent }, nil),
	}
	for i, k := range latencyKinds(&old.Latency) {
		pick := func(r *load.Result) load.Summary { return latencyKinds(&r.Latency)[i].s }
		var p50, p99, pmax func(load.Interval) float64
		if i == 0 { // push end-to-end: the intervals keep its p50, p99 and max
			p50 = func(iv load.Interval) float64 { return float64(iv.EndToEndP50Us) }
			p99 = func(iv load.Interval) float64 { return float64(iv.EndToEndP99Us) }
			pmax = func(iv load.Interval) float64 { return float64(iv.EndToEndMaxUs) }
		}
		figs = append(figs,
			fig(k.name+" p50", "µs", func(r *load.Result) float64 { return float64(pick(r).P50Us) }, p50),
			fig(k.name+" p90", "µs", func(r *load.Result) float64 { return float64(pick(r).P90Us) }, nil),
			fig(k.name+" p99", "µs", func(r *load.Result) float64 { return float64(pick(r).P99Us) }, p99),
			fig(k.name+" max", "µs", func(r *load.Result) float64 { return float64(pick(r).MaxUs) }, pmax),
		)
	}
	return append(figs, fig("errors", "", func(r *load.Result) float64 {
		var n uint64
		for _, c := range r.Errors {
			n += c.Count
		}
		return float64(n)
	}, func(iv load.Interval) float64 { return float64(iv.Errors) }))
}

// Compare writes a benchstat-style table of two load runs: each figure
// old and new, the change in percent, and whether the per-second samples
// differ significantly (two-sided Mann-Whitney U test, alpha 0.05): "~"
// when they do not, with the p-value and the sample counts. Figures the
// intervals keep no samples of (delivery, latency kinds other than push
// end-to-end, p90) have no verdict.
func Compare(w io.Writer, old, cur *load.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\told\tnew\tdelta\t")
	for _, f := range CompareFigures(old, cur) {
		delta := "n/a"
		if d := f.Delta(); !math.IsNaN(d) {
			delta = fmt.Sprintf("%+.2f%%", d)
		}
		verdict := "(no per-second samples)"
		if f.OldSamples != nil || f.NewSamples != nil {
			m := f.Test()
			verdict = fmt.Sprintf("(p=%.3f n=%d+%d)", m.P, m.N1, m.N2)
			if !m.Significant() {
				delta = "~"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, formatFigure(f.Old, f.Unit), formatFigure(f.New, f.Unit), delta, verdict)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("reports: compare: %w", err)
	}
	return nil
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
