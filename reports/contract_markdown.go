package reports

import (
	"io"
	"strings"

	"github.com/wstrigger/wstrigger/contractreport"
)

// ContractMarkdown writes a compact summary of a contract run, fit for a
// CI job summary or a pull-request comment: the verdict (an interrupted
// run's says so, not a pass or a fail), the failures with their evidence
// and the commands that reproduce them folded, every check in a table,
// and the spec coverage.
func ContractMarkdown(w io.Writer, r *contractreport.Report) error {
	ew := &errWriter{w: w}
	s := r.Summary
	ew.printf("## wstrigger contract: %s %s\n\n", contractOutcome(r).mdMark(), mdInline(ContractVerdict(r)))
	ew.printf("Target %s · %d checks · %d passed · %d failed · %d skipped", mdTarget(r.Target, r.TargetName), s.Total, s.Passed, s.Failed, s.Skipped)
	if s.NotRun > 0 {
		ew.printf(" · %d not run (interrupted)", s.NotRun)
	}
	ew.printf(" · %s\n\n", roundDuration(r.Duration))
	if s.Failed > 0 {
		ew.printf("### Failures\n\n")
		for _, res := range r.Results {
			if res.Status == contractreport.StatusFail {
				writeMarkdownFailure(ew, "", res, true)
			}
		}
		ew.printf("\n")
	}
	ew.printf("### Checks\n\n| | id | level | check | section | note |\n|---|---|---|---|---|---|\n")
	for _, res := range r.Results {
		note := ""
		if res.Status != contractreport.StatusPass {
			note = res.Reason
		}
		ew.printf("| %s | %s | %s | %s | %s | %s |\n", mdStatus(res.Status), res.ID, res.Level,
			mdCell(res.Title), mdCitation(res.Section), mdCell(note))
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

func mdStatus(s contractreport.Status) string {
	switch s {
	case contractreport.StatusPass:
		return "✅"
	case contractreport.StatusFail:
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

// writeMarkdownFailure writes a failed check as a list item, mark
// first, with the sections it cites linked, its evidence (when withEvidence) and the commands that
// reproduce it folded under it.
func writeMarkdownFailure(ew *errWriter, mark string, res contractreport.Result, withEvidence bool) {
	ew.printf("- %s**%s** (%s, %s) %s — %s\n", mark, res.ID, res.Level, mdCitation(res.Section), mdInline(res.Title), mdInline(res.Reason))
	cmds := reproducers(res.Evidence)
	if !withEvidence || len(res.Evidence) == 0 {
		if len(cmds) > 0 {
			ew.printf("  <details><summary>reproduce</summary>\n\n%s  </details>\n", mdFence("sh", strings.Join(cmds, "\n")))
		}
		return
	}
	ew.printf("  <details><summary>evidence</summary>\n\n%s", mdFence("text", contractreport.FormatEvidence(res.Evidence, false)))
	if len(cmds) > 0 {
		ew.printf("\n  reproduce:\n\n%s", mdFence("sh", strings.Join(cmds, "\n")))
	}
	ew.printf("  </details>\n")
}

// mdFence is text as a fenced code block indented under a list item;
// a fence inside the text is broken.
func mdFence(lang, text string) string {
	text = strings.TrimRight(strings.ReplaceAll(text, "```", "'''"), "\n")
	return "  ```" + lang + "\n  " + strings.ReplaceAll(text, "\n", "\n  ") + "\n  ```\n"
}
