package reports

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Gate is a regression rule for a comparison of two load runs, such as
// "push.p99>+10%" (push end-to-end p99 up by more than 10 %) or
// "rate<-5%" (throughput achieved down by more than 5 %): a metric of
// GateMetrics, an operator (<, <=, >, >=) and a change in percent of the
// old run's figure.
type Gate struct {
	Text    string
	Metric  string
	Op      string
	Percent float64
}

var gateSyntax = regexp.MustCompile(`^\s*([a-z0-9._-]+)\s*(<=|>=|<|>)\s*(\S+)\s*$`)

// GateMetrics are the metrics a Gate may name, in the comparison
// table's order: the names --slo uses for the table's rows.
func GateMetrics() []string {
	var out []string
	for _, f := range CompareFigures(&loadresult.Result{}, &loadresult.Result{}) {
		out = append(out, f.Metric)
	}
	return out
}

// ParseGate reads one rule, such as "push.p99>+10%".
func ParseGate(s string) (Gate, error) {
	m := gateSyntax.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return Gate{}, fmt.Errorf("gate %q: want METRIC OP CHANGE, such as push.p99>+10%% or rate<-5%%", s)
	}
	metric := m[1]
	if family, stat, ok := strings.Cut(metric, "."); ok {
		if canon, ok := loadresult.MetricAliases[family]; ok { // firstframe, as --slo reads it
			metric = canon + "." + stat
		}
	}
	g := Gate{Text: strings.TrimSpace(s), Metric: metric, Op: m[2]}
	metrics := GateMetrics()
	if !slices.Contains(metrics, g.Metric) {
		return Gate{}, fmt.Errorf("gate %q: unknown metric %q: want one of %s", s, g.Metric, strings.Join(metrics, ", "))
	}
	v, ok := strings.CutSuffix(m[3], "%")
	p, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
		return Gate{}, fmt.Errorf("gate %q: %q is not a change in percent, such as +10%% or -5%%", s, m[3])
	}
	g.Percent = p
	return g, nil
}

// GateResult is a gate's verdict on a comparison.
type GateResult struct {
	Gate    Gate
	Tripped bool
	// Text says in one line what the gate found: the figure, its change
	// and its test, and why it tripped or held.
	Text string
}

// Check judges the gate on the rows of a comparison (CompareRows). It
// trips when its figure changed past the rule and the change is
// significant (Row.Test: q below Alpha): a change past the rule that is
// not significant is one two runs of one configuration can show by
// chance, and a gate for CI that failed on it would fail builds on
// noise. Such a change, and a figure with too few samples to test,
// holds, the text saying so. A figure whose old value is zero changed
// by +∞ % when the new one is not.
func (g Gate) Check(rows []Row) GateResult {
	res := GateResult{Gate: g}
	i := slices.IndexFunc(rows, func(r Row) bool { return r.Metric == g.Metric })
	if i < 0 {
		res.Text = fmt.Sprintf("%s: held: no %s in the comparison", g.Text, g.Metric)
		return res
	}
	r := rows[i]
	d := r.Delta()
	if math.IsNaN(d) { // old zero, new not
		d = math.Copysign(math.Inf(1), r.New)
	}
	past := map[string]bool{"<": d < g.Percent, "<=": d <= g.Percent, ">": d > g.Percent, ">=": d >= g.Percent}[g.Op]
	change := fmt.Sprintf("%s %s → %s (%+.2f%%, %s)", r.Name, formatFigure(r.Old, r.Unit), formatFigure(r.New, r.Unit), d, strings.Trim(r.Test.text(), "()"))
	switch {
	case !past:
		res.Text = fmt.Sprintf("%s: held: %s", g.Text, change)
	case r.Test.Method == "" || r.Test.TooFew:
		res.Text = fmt.Sprintf("%s: held, untested: %s: too few samples to tell a change from noise; run longer", g.Text, change)
	case !r.Test.Significant():
		res.Text = fmt.Sprintf("%s: held: %s: not significant (q ≥ %g), within the noise of two runs", g.Text, change, Alpha)
	default:
		res.Tripped = true
		res.Text = fmt.Sprintf("%s: TRIPPED: %s", g.Text, change)
	}
	return res
}

// CompareGates writes Compare's table of old and cur, then, when gates
// are given, each gate's verdict on it (Gate.Check), one line each, and
// returns the verdicts. A tripped gate's line adds, when either run's
// driver warned, that the change may be the driver's.
func CompareGates(w io.Writer, old, cur *loadresult.Result, gates []Gate) ([]GateResult, error) {
	rows := CompareRows(old, cur)
	if err := writeCompare(w, old, cur, rows); err != nil {
		return nil, err
	}
	if len(gates) == 0 {
		return nil, nil
	}
	out := make([]GateResult, len(gates))
	lines := []string{"\ngates:"}
	for i, g := range gates {
		out[i] = g.Check(rows)
		if out[i].Tripped && len(DriverWarnings(old, cur)) > 0 {
			out[i].Text += "; a run's driver warned (above): the change may be the driver's"
		}
		lines = append(lines, "  "+out[i].Text)
	}
	if _, err := fmt.Fprintln(w, strings.Join(lines, "\n")); err != nil {
		return nil, fmt.Errorf("reports: compare: %w", err)
	}
	return out, nil
}
