package loadresult

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SLO is one objective such as "push.p99<50ms", "errors<0.1%" or
// "delivered>=99.99%", checked against a Result.
//
// Metrics, named as the reports name them: push (end-to-end), service,
// response, connect and first-frame,
// each with .p50 .p90 .p99 .p999 .max or .mean, compared with a
// duration (push and service count the pushes not received by the
// cut-off at their age then: Summary.Censored); errors (a count, or a percentage of joins and pushes
// attempted); delivered (percentage of accepted pushes received: a push
// never sent, rejected or without an answer is not in it); sent
// (percentage of the pushes due that were sent: a push due when its
// subscription had no open session was not, nor were those of a target
// gone mid-run); lost, duplicated, late and out-of-order (a count, or a
// percentage of accepted pushes); reconnects (a count); rate (achieved
// pushes per second). The spellings firstframe and outoforder of
// earlier versions are read too (MetricAliases).
type SLO struct {
	Text    string  `json:"slo"`
	Metric  string  `json:"metric"`
	Op      string  `json:"op"`
	Value   float64 `json:"value"` // microseconds for latencies
	Percent bool    `json:"percent"`
}

// SLOResult is an SLO's verdict on one run.
type SLOResult struct {
	SLO    string `json:"slo"`
	Actual string `json:"actual"`
	// Passed is false for every SLO of an interrupted run
	// (Result.Interrupted): a run cut short gives no verdict.
	Passed bool `json:"passed"`
}

var sloSyntax = regexp.MustCompile(`^\s*([a-z0-9._-]+)\s*(<=|>=|<|>)\s*(\S+)\s*$`)

// sloKinds says what each metric family is compared with.
var sloKinds = map[string]string{
	"push": "latency", "service": "latency", "response": "latency", "connect": "latency", "first-frame": "latency",
	"errors": "count", "lost": "count", "duplicated": "count", "late": "count", "out-of-order": "count",
	"reconnects": "number", "rate": "number", "delivered": "percent", "sent": "percent",
}

// MetricAliases are earlier spellings of SLO metrics, read as the
// metric they map to.
var MetricAliases = map[string]string{"firstframe": "first-frame", "outoforder": "out-of-order"}

// SLOMetrics lists the SLO metrics, latencies first, as an error
// message shows them.
const SLOMetrics = "push, service, response, connect, first-frame (latencies, with .p50 .p90 .p99 .p999 .max or .mean), " +
	"delivered, sent, errors, lost, duplicated, late, out-of-order, reconnects, rate"

// ParseSLO reads one objective.
func ParseSLO(s string) (SLO, error) {
	m := sloSyntax.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return SLO{}, fmt.Errorf("slo %q: want METRIC OP VALUE, such as push.p99<50ms, errors<0.1%% or delivered>=99.99%%", s)
	}
	family, stat, _ := strings.Cut(m[1], ".")
	if canon, ok := MetricAliases[family]; ok {
		family = canon
	}
	slo := SLO{Text: strings.TrimSpace(s), Metric: family, Op: m[2]}
	if stat != "" {
		slo.Metric += "." + stat
	}
	kind, ok := sloKinds[family]
	if _, err := quantile(family); !ok && err == nil {
		return SLO{}, fmt.Errorf("slo %q: %s is a statistic: name its metric, as in push.%s; the metrics are %s", s, family, family, SLOMetrics)
	}
	if !ok {
		return SLO{}, fmt.Errorf("slo %q: unknown metric %q; the metrics are %s", s, family, SLOMetrics)
	}
	if kind == "latency" {
		if _, err := quantile(stat); err != nil {
			return SLO{}, fmt.Errorf("slo %q: %v", s, err)
		}
		d, err := time.ParseDuration(m[3])
		if err != nil {
			return SLO{}, fmt.Errorf("slo %q: %q is not a duration such as 50ms", s, m[3])
		}
		slo.Value = float64(d) / float64(time.Microsecond)
		return slo, nil
	}
	if stat != "" {
		return SLO{}, fmt.Errorf("slo %q: %s takes no .%s", s, family, stat)
	}
	v := m[3]
	slo.Percent = strings.HasSuffix(v, "%")
	var err error
	if slo.Value, err = strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err != nil || slo.Value != slo.Value {
		return SLO{}, fmt.Errorf("slo %q: %q is not a number", s, v)
	}
	switch {
	case kind == "percent" && !slo.Percent:
		return SLO{}, fmt.Errorf("slo %q: %s is a percentage, such as 99.99%%", s, family)
	case kind == "number" && slo.Percent:
		return SLO{}, fmt.Errorf("slo %q: %s is not a percentage", s, family)
	}
	return slo, nil
}

// quantile turns "p99", "p999", "p99.9", "max", "mean" into a percentile
// (mean is -1).
func quantile(stat string) (float64, error) {
	switch stat {
	case "max":
		return 100, nil
	case "mean":
		return -1, nil
	case "p999":
		return 99.9, nil
	}
	if q, err := strconv.ParseFloat(strings.TrimPrefix(stat, "p"), 64); err == nil && strings.HasPrefix(stat, "p") && q > 0 && q <= 100 {
		return q, nil
	}
	return 0, fmt.Errorf("unknown statistic %q: want p50, p90, p99, p999, max or mean", stat)
}

// actual returns the SLO's metric in r, in the SLO's unit, and its text.
func (s SLO) actual(r *Result) (float64, string) {
	family, stat, _ := strings.Cut(s.Metric, ".")
	if sloKinds[family] == "latency" {
		v := latencyStat(sloLatency(r, family), stat)
		return v, (time.Duration(v) * time.Microsecond).String()
	}
	d := r.Delivery
	attempts := float64(r.Subscriptions.JoinAttempts + r.Pushes.Sent)
	count, of := map[string]float64{
		"errors": float64(errorCount(r)), "lost": float64(d.Lost), "duplicated": float64(d.Duplicated),
		"late": float64(d.Late), "out-of-order": float64(d.OutOfOrder), "reconnects": float64(r.Subscriptions.Reconnects),
		"rate": r.Pushes.AchievedRate, "delivered": d.DeliveredPercent, "sent": r.Pushes.SentPercent(),
	}[family], float64(d.Accepted)
	if family == "errors" {
		of = attempts
	}
	switch {
	case family == "delivered" || family == "sent":
		return count, strconv.FormatFloat(count, 'f', 4, 64) + "%"
	case s.Percent:
		p := 0.0
		if of > 0 {
			p = 100 * count / of
		}
		return p, strconv.FormatFloat(p, 'f', 4, 64) + "%"
	}
	return count, strconv.FormatFloat(count, 'f', -1, 64)
}

// sloLatency is the latency distribution an SLO metric family names.
func sloLatency(r *Result, family string) Summary {
	return map[string]Summary{"push": r.Latency.PushEndToEnd, "service": r.Latency.PushService,
		"response": r.Latency.PushResponse, "connect": r.Latency.Connect, "first-frame": r.Latency.FirstFrame}[family]
}

func latencyStat(s Summary, stat string) float64 {
	q, _ := quantile(stat)
	h, err := s.Histogram()
	if err != nil {
		return 0
	}
	if q < 0 {
		return h.Mean()
	}
	return float64(h.ValueAtQuantile(q))
}

func errorCount(r *Result) uint64 {
	var n uint64
	for _, c := range r.Errors {
		n += c.Count
	}
	return n
}

// noData says why r holds nothing to judge s by ("" when it does): a
// latency nobody measured, a share of no pushes. Such an SLO fails: an
// objective nothing was measured for was not met.
func (s SLO) noData(r *Result) string {
	family, _, _ := strings.Cut(s.Metric, ".")
	if sloKinds[family] == "latency" {
		if sloLatency(r, family).Count == 0 {
			return "no data: no " + family + " latency was measured"
		}
		return ""
	}
	switch {
	case family == "sent":
		if r.Pushes.Due() == 0 {
			return "no data: no push was due"
		}
	case family == "delivered" || (s.Percent && family != "errors" && sloKinds[family] == "count"):
		if r.Delivery.Accepted == 0 {
			return "no data: no push was accepted"
		}
	case family == "errors" && s.Percent:
		if r.Subscriptions.JoinAttempts+r.Pushes.Sent == 0 {
			return "no data: nothing was attempted"
		}
	}
	return ""
}

// Check returns the SLO's verdict on r. An SLO r holds no data for
// fails, its actual saying so.
func (s SLO) Check(r *Result) SLOResult {
	if why := s.noData(r); why != "" {
		return SLOResult{SLO: s.Text, Actual: why, Passed: false}
	}
	v, text := s.actual(r)
	var ok bool
	switch s.Op {
	case "<":
		ok = v < s.Value
	case "<=":
		ok = v <= s.Value
	case ">":
		ok = v > s.Value
	case ">=":
		ok = v >= s.Value
	}
	return SLOResult{SLO: s.Text, Actual: text, Passed: ok}
}

// CheckSLOs records the verdicts of slos in r.SLOs and reports whether
// all passed. No SLO of an interrupted run passes (Result.Interrupted),
// and such a run never reports true: its figures stop short, so an
// objective that held so far says nothing of the whole run.
func (r *Result) CheckSLOs(slos []SLO) bool {
	all := !r.Interrupted
	r.SLOs = r.SLOs[:0]
	for _, s := range slos {
		v := s.Check(r)
		v.Passed = v.Passed && !r.Interrupted
		all = all && v.Passed
		r.SLOs = append(r.SLOs, v)
	}
	return all
}
