package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/wstrigger/wstrigger/contract"
)

// ContractMarkdown writes a compact summary of a contract run, fit for a
// CI job summary or a pull-request comment: the verdict, the failures
// with their evidence folded, every check in a table, and the spec
// coverage.
func ContractMarkdown(w io.Writer, r *contract.Report) error {
	ew := &errWriter{w: w}
	s := r.Summary
	verdict := "✅ every MUST check passed"
	if s.MustFailed > 0 {
		verdict = fmt.Sprintf("❌ %d MUST check(s) failed", s.MustFailed)
	}
	ew.printf("## wstrigger contract: %s\n\n", verdict)
	ew.printf("Target `%s` · %d checks · %d passed · %d failed · %d skipped · %s\n\n",
		r.Target, s.Total, s.Passed, s.Failed, s.Skipped, roundDuration(r.Duration))
	if s.Failed > 0 {
		ew.printf("### Failures\n\n")
		for _, res := range r.Results {
			if res.Status != contract.StatusFail {
				continue
			}
			ew.printf("- **%s** (%s) %s — %s\n", res.ID, res.Level, mdInline(res.Title), mdInline(res.Reason))
			if len(res.Evidence) > 0 {
				ew.printf("  <details><summary>evidence</summary>\n\n  ```text\n  %s\n  ```\n  </details>\n",
					strings.ReplaceAll(strings.TrimRight(strings.ReplaceAll(formatEvidence(res.Evidence), "```", "'''"), "\n"), "\n", "\n  "))
			}
		}
		ew.printf("\n")
	}
	ew.printf("### Checks\n\n| | id | level | check | section | note |\n|---|---|---|---|---|---|\n")
	for _, res := range r.Results {
		note := ""
		if res.Status != contract.StatusPass {
			note = res.Reason
		}
		ew.printf("| %s | %s | %s | %s | %s | %s |\n", mdStatus(res.Status), res.ID, res.Level,
			mdCell(res.Title), mdCell(res.Section), mdCell(note))
	}
	cov := summarizeCoverage(r.Coverage)
	ew.printf("\n### Spec coverage\n\n")
	ew.printf("- declared statuses exercised: %d/%d\n- message types seen: %d/%d\n- close codes seen: %d/%d\n",
		cov.statusesSeen, cov.statuses, cov.messagesSeen, cov.messages, cov.closeSeen, cov.closeCodes)
	if len(cov.missing) > 0 {
		ew.printf("- not exercised: %s\n", mdInline(strings.Join(cov.missing, ", ")))
	}
	if len(cov.undeclared) > 0 {
		ew.printf("- **seen but not declared by the spec**: %s\n", mdInline(strings.Join(cov.undeclared, ", ")))
	}
	return ew.err
}

func mdStatus(s contract.Status) string {
	switch s {
	case contract.StatusPass:
		return "✅"
	case contract.StatusFail:
		return "❌"
	default:
		return "⏭️"
	}
}

// mdCell makes text safe inside a table cell: no pipes, no line breaks.
func mdCell(s string) string {
	return strings.ReplaceAll(mdInline(s), "|", `\|`)
}

// mdInline keeps text on one line.
func mdInline(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
