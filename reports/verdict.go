package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/loadresult"
)

// outcome is what a verdict says of a run, for the marks renderers put
// before its words.
type outcome int

const (
	outcomePassed      outcome = iota // every MUST check passed, every SLO held
	outcomeSkipped                    // passed, but some MUST check did not run
	outcomeFailed                     // a MUST check or an SLO failed
	outcomeInterrupted                // cut short: not a verdict
)

// mdMark is the outcome's mark in Markdown.
func (o outcome) mdMark() string {
	return [...]string{"✅", "⚠️", "❌", "✘"}[o]
}

// htmlClass is the outcome's CSS class in the HTML page.
func (o outcome) htmlClass() string {
	return [...]string{"pass", "warn", "fail", "interrupted"}[o]
}

// htmlMark is the outcome's mark and heading word in the HTML page.
func (o outcome) htmlMark() string {
	return [...]string{"✔ Passed:", "✔ Passed:", "✘ Failed:", "✘"}[o]
}

// contractOutcome says what a contract run came to.
func contractOutcome(r *contractreport.Report) outcome {
	switch {
	case r.Interrupted:
		return outcomeInterrupted
	case r.Summary.MustFailed > 0:
		return outcomeFailed
	case r.Summary.MustSkipped > 0:
		return outcomeSkipped
	}
	return outcomePassed
}

// ContractVerdict says in one line what a contract run came to:
//
//	every MUST check passed
//	every MUST check that ran passed, 6 checks skipped (4 MUST): no trigger observed (4), blocked by SESS-001 (2)
//	NOT CONFORMANT: 2 MUST checks failed; 1 SHOULD check skipped: no second tenant (1)
//	interrupted after 12 of 48 checks — not a verdict
//
// A run that skipped checks says so, grouped by cause; an interrupted
// run gives no verdict, whatever its checks said so far.
func ContractVerdict(r *contractreport.Report) string {
	s := r.Summary
	strict := ""
	if r.Strict {
		strict = " (strict: a skipped MUST check fails)"
	}
	switch contractOutcome(r) {
	case outcomeInterrupted:
		v := fmt.Sprintf("interrupted after %d of %d checks — not a verdict", len(r.Results), len(r.Results)+s.NotRun)
		if s.MustFailed > 0 {
			v += fmt.Sprintf("; %s had failed by then", plural(s.MustFailed, "MUST check"))
		}
		return v
	case outcomeFailed:
		v := fmt.Sprintf("NOT CONFORMANT: %s failed%s", plural(s.MustFailed, "MUST check"), strict)
		if s.Skipped > 0 {
			v += "; " + skipsText(r)
		}
		return v
	}
	return contractPassText(r) + strict
}

// contractPassText is the verdict of a contract run in which no MUST
// check failed, with its skipped checks.
func contractPassText(r *contractreport.Report) string {
	switch {
	case r.Summary.Skipped == 0:
		return "every MUST check passed"
	case r.Summary.MustSkipped > 0:
		return "every MUST check that ran passed, " + skipsText(r)
	}
	return "every MUST check passed, " + skipsText(r)
}

// skipsText counts a run's skipped checks and groups them by cause:
// "6 checks skipped (4 MUST): no trigger observed (4), blocked by
// SESS-001 (2)".
func skipsText(r *contractreport.Report) string {
	s := r.Summary
	var head string
	switch s.MustSkipped {
	case s.Skipped:
		head = plural(s.Skipped, "MUST check") + " skipped"
	case 0:
		head = plural(s.Skipped, "SHOULD check") + " skipped"
	default:
		head = fmt.Sprintf("%s skipped (%d MUST)", plural(s.Skipped, "check"), s.MustSkipped)
	}
	causes := skipCauses(r.Results)
	if len(causes) == 0 {
		return head
	}
	parts := make([]string, len(causes))
	for i, c := range causes {
		parts[i] = fmt.Sprintf("%s (%d)", c.cause, c.n)
	}
	return head + ": " + strings.Join(parts, ", ")
}

// skipCause is one cause of skipped checks and how many it skipped.
type skipCause struct {
	cause string
	n     int
}

// skipCauses groups the skipped results by their Cause (by their Reason
// in reports written before causes were recorded), the largest group
// first and groups of one size in the order they first appear.
func skipCauses(results []contractreport.Result) []skipCause {
	var out []skipCause
	for _, r := range results {
		if r.Status != contractreport.StatusSkip {
			continue
		}
		cause := mdInline(r.Cause)
		if cause == "" {
			cause = mdInline(r.Reason)
		}
		if cause == "" {
			cause = "no reason given"
		}
		if i := slices.IndexFunc(out, func(c skipCause) bool { return c.cause == cause }); i >= 0 {
			out[i].n++
			continue
		}
		out = append(out, skipCause{cause, 1})
	}
	slices.SortStableFunc(out, func(a, b skipCause) int { return cmp.Compare(b.n, a.n) })
	return out
}

// loadInterruptedText says how far an interrupted load run got.
func loadInterruptedText(l *loadresult.Result) string {
	ran := max(l.Meta.CutoffSeconds, 0)
	return fmt.Sprintf("interrupted %.1fs into the load run's %gs — not a verdict", ran, l.Config.WarmupSeconds+l.Config.DurationSeconds)
}

// targetText names a target for people: its name and its URL when it
// has a name ("embedded mock at http://127.0.0.1:41234"), its URL
// otherwise.
func targetText(url, name string) string {
	if name == "" {
		return url
	}
	return fmt.Sprintf("%s at %s", name, url)
}

// mdTarget is targetText for Markdown, the URL as code.
func mdTarget(url, name string) string {
	if name == "" {
		return "`" + url + "`"
	}
	return fmt.Sprintf("%s at `%s`", mdInline(name), url)
}

// maxReproducers bounds the reproducers the console prints under a
// failed check; every one is in the JSON, Markdown, HTML and JUnit.
const maxReproducers = 3

// reproducers are the shell commands that repeat a check's steps, in
// order.
func reproducers(evs []contractreport.Evidence) []string {
	var out []string
	for _, ev := range evs {
		if cmd := strings.TrimSpace(ev.Reproduce); cmd != "" {
			out = append(out, cmd)
		}
	}
	return out
}
