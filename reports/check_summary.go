package reports

import (
	"fmt"
	"strings"

	"github.com/wstrigger/wstrigger/loadresult"
)

// summaryItem is one figure of the summary a report page opens with:
// "push rate 500.0/s, of 500.0/s target (100.0%)".
type summaryItem struct {
	Label  string
	Value  string
	Detail string
	// Class is "fail" when an SLO on the figure failed, "pass" when
	// every SLO on it held, "warn" for a figure that needs a look (a
	// failed MUST check is "fail"), "" when nothing judged it.
	Class string
	Href  string // the section with the details
}

// checkSummary is the summary of a check run: the figures that answer
// "did it pass, and how did it do" before any detail, and the driver's
// warnings, which say whether the load figures are the target's at all.
type checkSummary struct {
	Items    []summaryItem
	Warnings []string
}

// summarize sums a check run up for the top of the report page: the
// contract's counts, then the load run's achieved rate against its
// target, delivered share, push end-to-end p50 and p99, errors and SLOs
// (an idle run's subscriptions held instead of the push figures). A
// part that did not run says so in one item.
func summarize(c *CheckResult) checkSummary {
	var s checkSummary
	if r := c.Contract; r != nil {
		sum := r.Summary
		item := summaryItem{Label: "contract checks", Href: "#contract",
			Value:  fmt.Sprintf("%d of %d passed", sum.Passed, sum.Total),
			Detail: fmt.Sprintf("%d failed, %d skipped", sum.Failed, sum.Skipped)}
		switch contractOutcome(r) {
		case outcomeFailed:
			item.Class, item.Detail = "fail", item.Detail+"; "+plural(sum.MustFailed, "MUST check")+" failed"
		case outcomeInterrupted:
			item.Class, item.Detail = "warn", item.Detail+fmt.Sprintf(", %d not run (interrupted)", sum.NotRun)
		case outcomeSkipped:
			item.Class, item.Detail = "warn", item.Detail+" ("+fmt.Sprint(sum.MustSkipped)+" MUST)"
		default:
			item.Class = "pass"
		}
		s.Items = append(s.Items, item)
	} else {
		s.Items = append(s.Items, summaryItem{Label: "contract", Value: partNotRun(c, "contract"), Href: "#contract"})
	}
	l := c.Load
	if l == nil {
		s.Items = append(s.Items, summaryItem{Label: "load", Value: partNotRun(c, "load"), Href: "#load"})
		return s
	}
	s.Items = append(s.Items, loadSummary(l)...)
	s.Warnings = l.Driver.Warnings
	return s
}

// loadSummary is a load run's part of the summary.
func loadSummary(l *loadresult.Result) []summaryItem {
	slo := sloClasses(l)
	soFar := ""
	if l.Interrupted {
		soFar = " so far"
	}
	var items []summaryItem
	if l.Config.Idle {
		s := l.Subscriptions
		items = append(items, summaryItem{Label: "subscriptions held" + soFar, Href: "#load", Class: slo["reconnects"],
			Value:  fmt.Sprintf("%d of %d", s.OpenAtEnd, s.Requested),
			Detail: fmt.Sprintf("joined %d; %s", s.Joined, plural(int(s.Reconnects), "reconnect"))})
	} else {
		p, d, e2e := l.Pushes, l.Delivery, l.Latency.PushEndToEnd
		rate := summaryItem{Label: "push rate" + soFar, Href: "#load", Class: worst(slo["rate"], slo["sent"]),
			Value: fmt.Sprintf("%.1f/s", p.AchievedRate), Detail: fmt.Sprintf("of %.1f/s target", p.TargetRate)}
		if p.TargetRate > 0 {
			rate.Detail += fmt.Sprintf(" (%.1f%%)", 100*p.AchievedRate/p.TargetRate)
		}
		delivered := summaryItem{Label: "delivered" + soFar, Href: "#load", Class: worst(slo["delivered"], slo["lost"]),
			Value:  fmt.Sprintf("%.4f%%", d.DeliveredPercent),
			Detail: fmt.Sprintf("%d of %d accepted pushes received", d.Received, d.Accepted)}
		if d.Lost > 0 {
			delivered.Detail += fmt.Sprintf(", %d lost", d.Lost)
		}
		if d.InFlight > 0 {
			delivered.Detail += fmt.Sprintf(", %d in flight", d.InFlight)
		}
		latency := summaryItem{Label: "push end-to-end p50 / p99" + soFar, Href: "#latency", Class: slo["push"], Value: "not measured"}
		if e2e.Count > 0 {
			latency.Value = fmt.Sprintf("%v / %v", usDuration(e2e.P50Us), usDuration(e2e.P99Us))
			latency.Detail = fmt.Sprintf("of %d pushes; max %v", e2e.Count, usDuration(e2e.MaxUs))
		}
		items = append(items, rate, delivered, latency)
	}
	var errs uint64
	for _, e := range l.Errors {
		errs += e.Count
	}
	errItem := summaryItem{Label: "errors" + soFar, Href: "#errors", Class: slo["errors"], Value: fmt.Sprint(errs),
		Detail: fmt.Sprintf("of %d joins and pushes attempted", l.Subscriptions.JoinAttempts+l.Pushes.Sent)}
	if errs == 0 {
		errItem.Href = "#load"
	} else if errItem.Class == "" {
		errItem.Class = "warn"
	}
	items = append(items, errItem)
	if len(l.SLOs) > 0 {
		items = append(items, sloSummary(l))
	}
	return items
}

// sloSummary counts a run's SLOs held, and names those that failed.
func sloSummary(l *loadresult.Result) summaryItem {
	item := summaryItem{Label: "SLOs", Href: "#slos"}
	var failed []string
	for _, v := range l.SLOs {
		if !v.Passed {
			failed = append(failed, fmt.Sprintf("%s (actual %s)", v.SLO, v.Actual))
		}
	}
	switch {
	case l.Interrupted:
		item.Value, item.Class, item.Detail = "not judged", "warn", "the run was interrupted"
	case len(failed) > 0:
		item.Value, item.Class = fmt.Sprintf("%d of %d held", len(l.SLOs)-len(failed), len(l.SLOs)), "fail"
		item.Detail = "failed: " + strings.Join(failed, ", ")
	default:
		item.Value, item.Class = fmt.Sprintf("%d of %d held", len(l.SLOs), len(l.SLOs)), "pass"
	}
	return item
}

// sloClasses says, for each metric family an SLO of l names ("push",
// "delivered"), "fail" when one of them failed and "pass" when all held;
// nothing for an interrupted run, whose SLOs were not judged.
func sloClasses(l *loadresult.Result) map[string]string {
	out := map[string]string{}
	if l.Interrupted {
		return out
	}
	for _, v := range l.SLOs {
		s, err := loadresult.ParseSLO(v.SLO)
		if err != nil {
			continue
		}
		family, _, _ := strings.Cut(s.Metric, ".")
		switch {
		case !v.Passed:
			out[family] = "fail"
		case out[family] == "":
			out[family] = "pass"
		}
	}
	return out
}

// worst is the worse of two classes: fail, then pass, then none.
func worst(a, b string) string {
	if a == "fail" || b == "fail" {
		return "fail"
	}
	return max(a, b) // "pass" or ""
}
