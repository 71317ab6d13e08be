package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Plot size, in points.
const (
	plotWidth  = 11 * vg.Inch
	plotHeight = 3.4 * vg.Inch
)

// palette holds the line colours, distinct in print and for most kinds of
// colour blindness (Okabe–Ito).
var palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, {0xd5, 0x5e, 0x00, 0xff}, {0x00, 0x9e, 0x73, 0xff},
	{0xcc, 0x79, 0xa7, 0xff}, {0xe6, 0x9f, 0x00, 0xff}, {0x56, 0xb4, 0xe9, 0xff},
}

// series is one named line of a plot.
type series struct {
	name string
	xys  plotter.XYs
}

// namedPlot is a plot rendered to SVG, ready to inline.
type namedPlot struct {
	Title string
	SVG   string
}

// loadPlots draws the plots of a load run.
func loadPlots(r *loadresult.Result) ([]namedPlot, error) {
	type build struct {
		title string
		make  func(*loadresult.Result) (*plot.Plot, error)
	}
	builds := []build{
		{"Latency by percentile", percentilePlot},
		{"Push end-to-end latency over time", latencyOverTime},
		{"Throughput over time", throughputOverTime},
		{"Subscriptions over time", subscriptionsOverTime},
		{"Errors over time", errorsOverTime},
	}
	out := make([]namedPlot, 0, len(builds))
	for _, b := range builds {
		p, err := b.make(r)
		if err != nil {
			return nil, fmt.Errorf("reports: plot %q: %w", b.title, err)
		}
		svg, err := renderSVG(p)
		if err != nil {
			return nil, fmt.Errorf("reports: plot %q: %w", b.title, err)
		}
		out = append(out, namedPlot{Title: b.title, SVG: svg})
	}
	return out, nil
}

// plotFont is the plots' typeface: a sans-serif, as the page's is.
// Its metrics lay the text out; the page's CSS draws the text in the
// page's own font (Arial's metrics, which Liberation Sans shares, are
// close to those of the common sans-serif UI fonts).
var plotFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// legendGap is the room between the plot and its legend, beside it.
const legendGap = 10 * vg.Millimeter / 4

// legendSlack widens the legend's room beyond its text's width in
// plotFont, for a page font that is wider (DejaVu Sans is about 12 %
// wider than Arial).
const legendSlack = 1.25

// renderSVG draws p on an SVG canvas, its legend to the right of the
// axes where it can cover neither a line nor a tick label, and returns
// the <svg> element, without the XML prolog, to inline in HTML.
func renderSVG(p *plot.Plot) (string, error) {
	c := vgsvg.New(plotWidth, plotHeight)
	dc := draw.New(c)
	for _, sty := range []*text.Style{&p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		sty.Font = font.Font{Typeface: plotFont.Typeface, Variant: plotFont.Variant, Size: sty.Font.Size}
	}
	legend := p.Legend
	p.Legend = plot.NewLegend() // empty: drawn beside the plot instead
	width := legend.Rectangle(dc).Size().X * legendSlack
	if width > 0 {
		width += legendGap
	}
	p.Draw(draw.Crop(dc, 0, -width, 0, 0))
	legend.Top, legend.Left = true, true
	legend.Draw(draw.Crop(dc, plotWidth-width+legendGap, 0, 0, 0))
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return s, nil
}

// dashes are the lines' patterns, one per series in order, so that
// lines that coincide (the target under pushes sent and accepted, open
// under joined subscriptions) still show each other through their gaps:
// solid, dashed, dotted, dash-dotted, and so on.
var dashes = [][]vg.Length{
	nil, {vg.Points(7), vg.Points(4)}, {vg.Points(2), vg.Points(3)}, {vg.Points(9), vg.Points(3), vg.Points(2), vg.Points(3)},
	{vg.Points(4), vg.Points(2)}, {vg.Points(12), vg.Points(4)},
}

// addLines adds one line per non-empty series, with a legend entry.
// The first line is drawn widest, under the others, so that it shows on
// either side of a dashed line lying on it.
func addLines(p *plot.Plot, ss []series) error {
	p.Add(plotter.NewGrid())
	for i, s := range ss {
		if len(s.xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.xys)
		if err != nil {
			return err
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(1.75)
		if i == 0 && len(ss) > 1 {
			l.Width = vg.Points(3.5)
		}
		l.Dashes = dashes[i%len(dashes)]
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.TextStyle.Font.Size = vg.Points(11)
	p.Legend.ThumbnailWidth = vg.Points(32)
	p.Legend.Padding = vg.Points(3)
	return nil
}

// headroom raises the top of the y axis a little, so that a line at the
// maximum is not drawn on the plot's edge: by factor on a log axis, by
// (factor-1) of the range on a linear one.
func headroom(p *plot.Plot, factor float64, log bool) {
	if math.IsInf(p.Y.Max, 0) || p.Y.Max <= p.Y.Min {
		return
	}
	if log {
		p.Y.Max *= factor
		return
	}
	p.Y.Max += (p.Y.Max - p.Y.Min) * (factor - 1)
}

// Percentiles whose ticks label the 1/(1-p) axis.
var percentileTicks = []struct {
	p     float64
	label string
}{{0, "0%"}, {50, "50%"}, {90, "90%"}, {99, "99%"}, {99.9, "99.9%"}, {99.99, "99.99%"}, {99.999, "99.999%"}}

// percentilePlot draws each latency kind's value at percentile p against
// 1/(1-p) on a log axis, as HdrHistogram's plots do: the tail gets as
// much room as the median.
func percentilePlot(r *loadresult.Result) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (ms)"
	p.X.Scale = plot.LogScale{}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	var ss []series
	maxX := 10.0
	for _, k := range latencyKinds(&r.Latency) {
		h, err := k.s.Histogram()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		xys := percentileCurve(h)
		if n := len(xys); n > 0 {
			maxX = math.Max(maxX, xys[n-1].X)
		}
		ss = append(ss, series{k.name, xys})
	}
	var ticks []plot.Tick
	for _, t := range percentileTicks {
		if x := 1 / (1 - t.p/100); x <= maxX*1.0001 {
			ticks = append(ticks, plot.Tick{Value: x, Label: t.label})
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = 1, maxX
	if maxX == 10 { // nothing measured: a log axis still needs a range
		p.Y.Min, p.Y.Max = 0.1, 10
	}
	if err := addLines(p, ss); err != nil {
		return nil, err
	}
	headroom(p, 1.5, true)
	return p, nil
}

// percentileCurve samples h at percentiles spaced evenly on the
// 1/(1-p) scale, ten per decade, up to the resolution of its count.
func percentileCurve(h *hdrhistogram.Histogram) plotter.XYs {
	n := h.TotalCount()
	if n == 0 {
		return nil
	}
	var xys plotter.XYs
	for i := 0; ; i++ {
		x := math.Pow(10, float64(i)/10)
		if x > float64(n) || x > 1e6 {
			break
		}
		q := 100 * (1 - 1/x)
		xys = append(xys, plotter.XY{X: x, Y: math.Max(float64(h.ValueAtQuantile(q))/1000, 0.001)})
	}
	// The maximum, at the percentile of the last value.
	xys = append(xys, plotter.XY{X: float64(n), Y: math.Max(float64(h.Max())/1000, 0.001)})
	return xys
}

// overTime builds a plot against the run's seconds.
func overTime(r *loadresult.Result, ylabel string, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "seconds since start"
	p.Y.Label.Text = ylabel
	p.X.Min, p.Y.Min = 0, 0
	p.X.Tick.Marker = secondTicks
	p.Y.Tick.Marker = plainTicks
	if len(r.Intervals) == 0 {
		p.X.Max, p.Y.Max = 1, 1
	}
	if err := addLines(p, ss); err != nil {
		return nil, err
	}
	headroom(p, 1.06, false)
	return p, nil
}

// secondSteps are the spacings of the time axis's labelled ticks, in
// seconds: round numbers of seconds and minutes.
var secondSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400}

// maxSecondTicks bounds the labelled ticks of the time axis.
const maxSecondTicks = 12

// secondTicks label the time axis at the smallest round step that
// gives at most maxSecondTicks labels (11 for a 10 s run, 7 for a
// minute), with an unlabelled tick halfway between labels.
var secondTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	step := secondSteps[len(secondSteps)-1]
	for _, s := range secondSteps {
		if (math.Floor(max/s)-math.Ceil(min/s))+1 <= maxSecondTicks {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		if half := v + step/2; half <= max && step > 1 {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	if len(ticks) == 0 { // a range shorter than a second
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	return ticks
})

// plainTicks are gonum's default ticks labelled without trailing zeros
// ("250", not "250.00").
var plainTicks = plot.TickerFunc(func(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 10, 64)
		}
	}
	return ticks
})

// intervalSeries picks one value per interval; skip leaves an interval out.
func intervalSeries(r *loadresult.Result, v func(loadresult.Interval) float64, skip func(loadresult.Interval) bool) plotter.XYs {
	xys := plotter.XYs{}
	for _, iv := range r.Intervals {
		if skip != nil && skip(iv) {
			continue
		}
		xys = append(xys, plotter.XY{X: iv.T, Y: v(iv)})
	}
	return xys
}

func latencyOverTime(r *loadresult.Result) (*plot.Plot, error) {
	none := func(iv loadresult.Interval) bool { return iv.Latency.PushEndToEnd.Count == 0 }
	return overTime(r, "latency (ms)", []series{
		{"p50", intervalSeries(r, func(iv loadresult.Interval) float64 { return float64(iv.Latency.PushEndToEnd.P50Us) / 1000 }, none)},
		{"p99", intervalSeries(r, func(iv loadresult.Interval) float64 { return float64(iv.Latency.PushEndToEnd.P99Us) / 1000 }, none)},
		{"max", intervalSeries(r, func(iv loadresult.Interval) float64 { return float64(iv.Latency.PushEndToEnd.MaxUs) / 1000 }, none)},
	})
}

// sliver leaves out of the rate plots an interval too short for its
// rate to mean much (the last one of a run may be a few milliseconds).
func sliver(iv loadresult.Interval) bool { return iv.Seconds > 0 && iv.Seconds < 0.1 }

func throughputOverTime(r *loadresult.Result) (*plot.Plot, error) {
	return overTime(r, "per second", []series{
		{"target", intervalSeries(r, func(iv loadresult.Interval) float64 { return iv.TargetRate }, sliver)},
		{"pushes sent", intervalSeries(r, func(iv loadresult.Interval) float64 { return iv.PerSecond(iv.Sent) }, sliver)},
		{"pushes accepted", intervalSeries(r, func(iv loadresult.Interval) float64 { return iv.PerSecond(iv.Accepted) }, sliver)},
		{"frames received", intervalSeries(r, func(iv loadresult.Interval) float64 { return iv.PerSecond(iv.Frames) }, sliver)},
	})
}

func subscriptionsOverTime(r *loadresult.Result) (*plot.Plot, error) {
	return overTime(r, "subscriptions", []series{
		{"open", intervalSeries(r, func(iv loadresult.Interval) float64 { return float64(iv.Open) }, nil)},
		{"joined", intervalSeries(r, func(iv loadresult.Interval) float64 { return float64(iv.Joined) }, nil)},
	})
}

func errorsOverTime(r *loadresult.Result) (*plot.Plot, error) {
	p, err := overTime(r, "errors per second", []series{
		{"errors", intervalSeries(r, func(iv loadresult.Interval) float64 { return iv.PerSecond(iv.Errors) }, sliver)},
	})
	if p != nil && p.Y.Max < 1 {
		p.Y.Max = 1.2 // a flat zero line still reads as "no errors"
	}
	return p, err
}
