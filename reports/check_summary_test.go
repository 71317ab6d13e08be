package reports_test

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

// summaryOf renders c as a page and returns its summary block, failing
// unless the block comes before the first section.
func summaryOf(t *testing.T, c *reports.CheckResult) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, c))
	page := buf.String()
	start, end := strings.Index(page, `<nav class="summary"`), strings.Index(page, "</nav>")
	require.True(t, start >= 0 && end > start, "the page has a summary block")
	assert.Less(t, start, strings.Index(page, `<h2 id="contract">`), "the summary leads the page")
	block := page[start:end]
	// The driver's warnings follow the block, before the first section.
	if w := strings.Index(page, `<p class="driver">`); w >= 0 && w < strings.Index(page, `<h2 id="contract">`) {
		block += page[w:strings.Index(page, `<h2 id="contract">`)]
	}
	return block
}

func TestCheckHTMLSummary(t *testing.T) {
	passing := func(t *testing.T) *loadresult.Result {
		l := sampleLoad(t)
		l.SLOs = []loadresult.SLOResult{{SLO: "delivered>=99.9%", Actual: "99.9800%", Passed: true}, {SLO: "push.p99<250ms", Actual: "9.1ms", Passed: true}}
		return l
	}
	tests := []struct {
		name   string
		check  func(t *testing.T) *reports.CheckResult
		want   []string
		absent []string
	}{
		{"contract and load", sampleCheck, []string{
			`<a class="fail" href="#contract"><div class="label">contract checks</div><div class="value">1 of 4 passed</div><div class="detail">2 failed, 1 skipped; 1 MUST check failed</div></a>`,
			`<div class="label">push rate</div><div class="value">500.0/s</div><div class="detail">of 500.0/s target (100.0%)</div>`,
			// delivered>=99.99% failed: its figure is marked.
			`<a class="fail" href="#load"><div class="label">delivered</div><div class="value">99.9800%</div><div class="detail">4989 of 4990 accepted pushes received, 1 lost</div>`,
			// push.p99<250ms held.
			`<a class="pass" href="#latency"><div class="label">push end-to-end p50 / p99</div><div class="value">`,
			`<a class="warn" href="#errors"><div class="label">errors</div><div class="value">10</div><div class="detail">of 5201 joins and pushes attempted</div>`,
			`<a class="fail" href="#slos"><div class="label">SLOs</div><div class="value">1 of 2 held</div><div class="detail">failed: delivered&gt;=99.99% (actual 99.9800%)</div>`,
		}, []string{`class="driver"`}},
		{"load only, passing, with a busy driver", func(t *testing.T) *reports.CheckResult {
			l := passing(t)
			l.Errors = nil
			l.Driver.Warnings = []string{"the driver process was busy for 4 of 10 seconds"}
			return reports.NewCheckResult(nil, l)
		}, []string{
			`<a class="" href="#contract"><div class="label">contract</div><div class="value">skipped</div></a>`,
			`<a class="pass" href="#load"><div class="label">delivered</div>`,
			`<a class="" href="#load"><div class="label">errors</div><div class="value">0</div>`,
			`<a class="pass" href="#slos"><div class="label">SLOs</div><div class="value">2 of 2 held</div></a>`,
			`<p class="driver"><strong>Driver warning:</strong> the driver process was busy for 4 of 10 seconds</p>`,
		}, nil},
		{"contract only, load not run", func(t *testing.T) *reports.CheckResult {
			c := reports.NewCheckResult(sampleReport(), nil)
			c.NotRun = []string{"load"}
			return c
		}, []string{
			`<div class="label">load</div><div class="value">not run: the run was interrupted before it</div>`,
		}, []string{"push rate", "delivered", "SLOs"}},
		{"a passing contract", func(t *testing.T) *reports.CheckResult {
			r := sampleReport()
			r.Results = r.Results[:1]
			r.Summary = contractreport.Summarize(r.Results)
			return reports.NewCheckResult(r, nil)
		}, []string{`<a class="pass" href="#contract"><div class="label">contract checks</div><div class="value">1 of 1 passed</div><div class="detail">0 failed, 0 skipped</div>`}, nil},
		{"interrupted load", func(t *testing.T) *reports.CheckResult {
			l := sampleLoad(t)
			l.Interrupted = true
			return reports.NewCheckResult(nil, l)
		}, []string{
			`<div class="label">push rate so far</div>`,
			// Its SLOs were not judged: no figure is marked by them.
			`<a class="" href="#load"><div class="label">delivered so far</div>`,
			`<a class="warn" href="#slos"><div class="label">SLOs</div><div class="value">not judged</div>`,
		}, nil},
		{"idle run", func(t *testing.T) *reports.CheckResult {
			l := sampleLoad(t)
			l.Config.Idle, l.Errors, l.SLOs = true, nil, nil
			return reports.NewCheckResult(nil, l)
		}, []string{`<div class="label">subscriptions held</div><div class="value">199 of 200</div><div class="detail">joined 200; 1 reconnect</div>`},
			[]string{"push rate", "delivered", "p50 / p99", "SLOs"}},
		{"nothing measured", func(t *testing.T) *reports.CheckResult {
			return reports.NewCheckResult(nil, &loadresult.Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind})
		}, []string{`<div class="label">push end-to-end p50 / p99</div><div class="value">not measured</div>`, `of 0.0/s target</div>`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block := summaryOf(t, tt.check(t))
			for _, w := range tt.want {
				assert.Contains(t, block, w)
			}
			for _, a := range tt.absent {
				assert.NotContains(t, block, a)
			}
		})
	}
}

// svgText is one <text> of a plot: where it starts and what it says.
type svgText struct {
	x, y float64
	s    string
}

var svgTextRE = regexp.MustCompile(`<text x="([-0-9.e]+)" y="([-0-9.e]+)"[^>]*>([^<]*)</text>`)

// plotTexts returns the texts of the page's plots, one slice per plot.
func plotTexts(t *testing.T, page string) [][]svgText {
	t.Helper()
	var out [][]svgText
	for _, svg := range strings.Split(page, "<svg")[1:] {
		var texts []svgText
		for _, m := range svgTextRE.FindAllStringSubmatch(svg, -1) {
			x, err := strconv.ParseFloat(m[1], 64)
			require.NoError(t, err)
			y, err := strconv.ParseFloat(m[2], 64)
			require.NoError(t, err)
			texts = append(texts, svgText{x, y, m[3]})
		}
		out = append(out, texts)
	}
	return out
}

func TestCheckHTMLPlots(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, sampleCheck(t)))
	page := buf.String()
	plots := plotTexts(t, page)
	require.Len(t, plots, 5)
	legends := [][]string{
		{"push end-to-end", "push service", "push response", "connect", "first frame"},
		{"p50", "p99", "max"},
		{"target", "pushes sent", "pushes accepted", "frames received"},
		{"open", "joined"},
		{"errors"},
	}
	for i, texts := range plots {
		// The legend lies right of every other text of the plot (tick
		// labels, axis labels): it can cover none of them, nor a line.
		legendX, otherX := 1e9, -1e9
		for _, tx := range texts {
			if slices.Contains(legends[i], tx.s) {
				legendX = min(legendX, tx.x)
			} else {
				otherX = max(otherX, tx.x)
			}
		}
		assert.Greater(t, legendX, otherX, "plot %d: legend %v", i, legends[i])
	}
	// The time axis is labelled every second of the 11.4 s run.
	// (the x axis's labels: the largest row of numbers at one height).
	rows := map[float64][]string{}
	var seconds []string
	for _, tx := range plots[2] {
		if _, err := strconv.Atoi(tx.s); err == nil {
			rows[tx.y] = append(rows[tx.y], tx.s)
			if len(rows[tx.y]) > len(seconds) {
				seconds = rows[tx.y]
			}
		}
	}
	assert.Subset(t, seconds, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}, "%v", plots[2])
	// Lines that may coincide are told apart by their dashes.
	assert.GreaterOrEqual(t, strings.Count(page, "stroke-dasharray"), 3+1+2, "dashed lines")
	// The plots' text is sans-serif, in the page's font.
	assert.NotContains(t, page, "Liberation Serif")
	assert.Contains(t, page, "font-family:Liberation Sans")
	assert.Contains(t, page, "figure svg text{font-family:inherit!important}")
}

func TestSecondTicks(t *testing.T) {
	tests := []struct {
		name     string
		min, max float64
		want     []string // the labels
	}{
		{"ten seconds", 0, 10.4, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
		{"a minute", 0, 61, []string{"0", "10", "20", "30", "40", "50", "60"}},
		{"two minutes from 3 s", 3, 125, []string{"10", "20", "30", "40", "50", "60", "70", "80", "90", "100", "110", "120"}},
		{"two minutes and a half", 0, 150, []string{"0", "15", "30", "45", "60", "75", "90", "105", "120", "135", "150"}},
		{"ten minutes", 0, 600, []string{"0", "60", "120", "180", "240", "300", "360", "420", "480", "540", "600"}},
		{"half a second", 0.2, 0.7, nil}, // gonum's own ticks
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var labels []string
			for _, tk := range reports.SecondTicks.Ticks(tt.min, tt.max) {
				assert.True(t, tk.Value >= tt.min && tk.Value <= tt.max, "tick %g outside the range", tk.Value)
				if tk.Label != "" {
					labels = append(labels, tk.Label)
				}
			}
			if tt.want != nil {
				assert.Equal(t, tt.want, labels)
			} else {
				assert.NotEmpty(t, labels)
			}
		})
	}
}
