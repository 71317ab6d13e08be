package reports

import (
	"io"
	"slices"

	"github.com/wstrigger/wstrigger/contractreport"
)

// CheckMarkdown writes a compact summary of a check run, fit for a CI job
// summary: the verdict (an interrupted run's says so first), the contract
// failures with the commands that reproduce them, the load run's
// accounting and latency table, and the SLO results.
func CheckMarkdown(w io.Writer, c *CheckResult) error {
	ew := &errWriter{w: w}
	o := c.outcome()
	if o == outcomeInterrupted {
		ew.printf("## %s: %s %s\n\n", c.Title(), o.mdMark(), mdInline(c.Verdict()))
	} else {
		verdict := "passed"
		if o == outcomeFailed {
			verdict = "failed"
		}
		ew.printf("## %s: %s %s: %s\n\n", c.Title(), o.mdMark(), verdict, mdInline(c.Verdict()))
	}
	if r := c.Contract; r != nil {
		s := r.Summary
		ew.printf("### Contract\n\nTarget %s · %d checks · %d passed · %d failed · %d skipped", mdTarget(r.Target, r.TargetName), s.Total, s.Passed, s.Failed, s.Skipped)
		if s.NotRun > 0 {
			ew.printf(" · %d not run (interrupted)", s.NotRun)
		}
		ew.printf(" · %s\n\n", roundDuration(r.Duration))
		for _, res := range r.Results {
			if res.Status == contractreport.StatusFail {
				writeMarkdownFailure(ew, "❌ ", res, false)
			}
		}
		if s.Failed > 0 {
			ew.printf("\n")
		}
	} else {
		ew.printf("### Contract\n\n%s\n\n", partNotRun(c, "contract"))
	}
	l := c.Load
	if l == nil {
		ew.printf("### Load\n\n%s\n", partNotRun(c, "load"))
		return ew.err
	}
	pu, d := l.Pushes, l.Delivery
	ew.printf("### Load\n\n")
	if l.Interrupted {
		ew.printf("**%s**: the figures are those of the run so far.\n\n", loadInterruptedText(l))
	}
	ew.printf("%s · target %s\n\n", mdInline(LoadConfigText(l)), mdTarget(l.Meta.Target, l.Meta.TargetName))
	ew.printf("| pushes sent | accepted | received | lost | duplicated | late | delivered | errors |\n|---|---|---|---|---|---|---|---|\n")
	var errs uint64
	for _, e := range l.Errors {
		errs += e.Count
	}
	ew.printf("| %d | %d | %d | %d | %d | %d | %.4f%% | %d |\n\n", pu.Sent, d.Accepted, d.Received, d.Lost, d.Duplicated, d.Late, d.DeliveredPercent, errs)
	ew.printf("Rate: target %.1f/s, achieved %.1f/s, accepted %.1f/s · invariant: %s\n\n", pu.TargetRate, pu.AchievedRate, pu.AcceptedRate, mdInline(d.Invariant))
	if rj := RejoinsText(l); rj != "" {
		ew.printf("Rejoins: %s\n\n", mdInline(rj))
	}
	ew.printf("| latency | count | p50 | p90 | p99 | p99.9 | max | mean |\n|---|---|---|---|---|---|---|---|\n")
	for _, k := range latencyKinds(&l.Latency) {
		ew.printf("| %s | %d | %v | %v | %v | %v | %v | %v |\n", k.name, k.s.Count, usDuration(k.s.P50Us), usDuration(k.s.P90Us),
			usDuration(k.s.P99Us), usDuration(k.s.P999Us), usDuration(k.s.MaxUs), usMean(k.s.MeanUs))
	}
	if c := CensoredText(&l.Latency); c != "" {
		ew.printf("\n%s\n", mdInline(c))
	}
	if f := FloorText(l.DriverFloor); f != "" {
		ew.printf("\n%s\n", mdInline(f))
	}
	if len(l.SLOs) > 0 {
		ew.printf("\n### SLOs\n\n| | objective | actual |\n|---|---|---|\n")
		for _, s := range l.SLOs {
			mark, actual := "✅", s.Actual
			switch {
			case l.Interrupted:
				mark, actual = "⏹️", s.Actual+" so far; not judged (interrupted)"
			case !s.Passed:
				mark = "❌"
			}
			ew.printf("| %s | `%s` | %s |\n", mark, s.SLO, mdCell(actual))
		}
	}
	return ew.err
}

// partNotRun says why a check result lacks a part: skipped, or not run
// because the run was interrupted.
func partNotRun(c *CheckResult, part string) string {
	if slices.Contains(c.NotRun, part) {
		return "not run: the run was interrupted before it"
	}
	return "skipped"
}
