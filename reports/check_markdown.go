package reports

import (
	"io"

	"github.com/wstrigger/wstrigger/contract"
)

// CheckMarkdown writes a compact summary of a check run, fit for a CI job
// summary: the verdict, the contract failures, the load run's accounting
// and latency table, and the SLO results.
func CheckMarkdown(w io.Writer, c *CheckResult) error {
	ew := &errWriter{w: w}
	verdict := "✅ passed"
	if !c.Passed() {
		verdict = "❌ failed"
	}
	ew.printf("## %s: %s: %s\n\n", c.Title(), verdict, c.Verdict())
	if r := c.Contract; r != nil {
		s := r.Summary
		ew.printf("### Contract\n\nTarget `%s` · %d checks · %d passed · %d failed · %d skipped · %s\n\n",
			r.Target, s.Total, s.Passed, s.Failed, s.Skipped, roundDuration(r.Duration))
		for _, res := range r.Results {
			if res.Status == contract.StatusFail {
				ew.printf("- ❌ **%s** (%s) %s — %s\n", res.ID, res.Level, mdInline(res.Title), mdInline(res.Reason))
			}
		}
		if s.Failed > 0 {
			ew.printf("\n")
		}
	} else {
		ew.printf("### Contract\n\nskipped\n\n")
	}
	l := c.Load
	if l == nil {
		ew.printf("### Load\n\nskipped\n")
		return ew.err
	}
	pu, d := l.Pushes, l.Delivery
	ew.printf("### Load\n\n%s · target `%s`\n\n", mdInline(LoadConfigText(l)), l.Meta.Target)
	ew.printf("| pushes sent | accepted | received | lost | duplicated | late | delivered | errors |\n|---|---|---|---|---|---|---|---|\n")
	var errs uint64
	for _, e := range l.Errors {
		errs += e.Count
	}
	ew.printf("| %d | %d | %d | %d | %d | %d | %.4f%% | %d |\n\n", pu.Sent, d.Accepted, d.Received, d.Lost, d.Duplicated, d.Late, d.DeliveredPercent, errs)
	ew.printf("Rate: target %.1f/s, achieved %.1f/s, accepted %.1f/s · invariant: %s\n\n", pu.TargetRate, pu.AchievedRate, pu.AcceptedRate, mdInline(d.Invariant))
	ew.printf("| latency | count | p50 | p90 | p99 | p99.9 | max | mean |\n|---|---|---|---|---|---|---|---|\n")
	for _, k := range latencyKinds(&l.Latency) {
		ew.printf("| %s | %d | %v | %v | %v | %v | %v | %v |\n", k.name, k.s.Count, usDuration(k.s.P50Us), usDuration(k.s.P90Us),
			usDuration(k.s.P99Us), usDuration(k.s.P999Us), usDuration(k.s.MaxUs), usMean(k.s.MeanUs))
	}
	if len(l.SLOs) > 0 {
		ew.printf("\n### SLOs\n\n| | objective | actual |\n|---|---|---|\n")
		for _, s := range l.SLOs {
			mark := "✅"
			if !s.Passed {
				mark = "❌"
			}
			ew.printf("| %s | `%s` | %s |\n", mark, s.SLO, mdCell(s.Actual))
		}
	}
	return ew.err
}
