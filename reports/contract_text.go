package reports

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/docs"
)

// ContractText writes the console summary of a contract run: one line per
// check in run order, the reason under each failure and skip, the spec
// coverage, and the verdict.
func ContractText(w io.Writer, r *contractreport.Report) error {
	ew := &errWriter{w: w}
	ew.printf("Contract suite against %s (%d checks, %s)\n\n", targetText(r.Target, r.TargetName), r.Summary.Total, roundDuration(r.Duration))
	for _, res := range r.Results {
		writeResultLine(ew, res)
	}
	writeFooter(ew, r)
	return ew.err
}

// ContractLine writes the console line of one check, its reason when it
// did not pass and, under a failure, the rule it cites and the commands
// that reproduce its steps (at most a few): what a command prints as each check finishes.
func ContractLine(w io.Writer, res contractreport.Result) error {
	ew := &errWriter{w: w}
	writeResultLine(ew, res)
	return ew.err
}

// ContractFooter writes the end of the console summary: coverage, the
// counts and the verdict (ContractVerdict), for a command that printed
// the lines as they came.
func ContractFooter(w io.Writer, r *contractreport.Report) error {
	ew := &errWriter{w: w}
	writeFooter(ew, r)
	return ew.err
}

func writeResultLine(ew *errWriter, res contractreport.Result) {
	ew.printf("%s  %-9s %-6s %s (%s)\n", statusWord(res.Status), res.ID, res.Level, res.Title, roundDuration(res.Duration))
	if res.Reason != "" && res.Status != contractreport.StatusPass {
		ew.printf("      %s\n", indent(res.Reason, "      "))
	}
	if res.Status != contractreport.StatusFail {
		return
	}
	if cited := docs.Cited(res.Section); len(cited) > 0 {
		ew.printf("      rule: %s (wstrigger spec protocol %s prints it)\n", res.Section, strings.Join(cited, " "))
	}
	cmds := reproducers(res.Evidence)
	for i, cmd := range cmds {
		if i == maxReproducers {
			ew.printf("      (%d more in the JSON, Markdown, HTML and JUnit reports)\n", len(cmds)-i)
			break
		}
		ew.printf("      reproduce: %s\n", indent(cmd, "        "))
	}
}

func writeFooter(ew *errWriter, r *contractreport.Report) {
	ew.printf("\n")
	writeCoverageText(ew, r.Coverage)
	s := r.Summary
	ew.printf("\n%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
	if s.NotRun > 0 {
		ew.printf(", %d not run", s.NotRun)
	}
	ew.printf("\nVerdict: %s\n", ContractVerdict(r))
}

func writeCoverageText(ew *errWriter, c contractreport.Coverage) {
	cov := summarizeCoverage(c)
	ew.printf("Spec coverage: %d/%d declared statuses, %d/%d message types, %d/%d close codes exercised\n",
		cov.statusesSeen, cov.statuses, cov.messagesSeen, cov.messages, cov.closeSeen, cov.closeCodes)
	if len(cov.missing) > 0 {
		ew.printf("  not exercised: %s\n", strings.Join(cov.missing, ", "))
	}
	if len(cov.undeclared) > 0 {
		ew.printf("  seen but not declared by the spec: %s\n", strings.Join(cov.undeclared, ", "))
	}
}

// coverageSummary condenses a Coverage into counts and lists of names.
type coverageSummary struct {
	statuses, statusesSeen int
	messages, messagesSeen int
	closeCodes, closeSeen  int
	missing, undeclared    []string
}

func summarizeCoverage(c contractreport.Coverage) coverageSummary {
	var s coverageSummary
	for _, op := range c.Operations {
		for _, st := range op.Statuses {
			name := fmt.Sprintf("%s %d", op.ID, st.Status)
			switch {
			case !st.Declared:
				s.undeclared = append(s.undeclared, name)
			case st.Exercised:
				s.statuses++
				s.statusesSeen++
			default:
				s.statuses++
				s.missing = append(s.missing, name)
			}
		}
	}
	for _, m := range c.Messages {
		switch {
		case !m.Declared:
			s.undeclared = append(s.undeclared, "message "+m.Type)
		case m.Seen > 0:
			s.messages++
			s.messagesSeen++
		default:
			s.messages++
			s.missing = append(s.missing, "message "+m.Type)
		}
	}
	for _, cc := range c.CloseCodes {
		switch {
		case !cc.Declared:
			s.undeclared = append(s.undeclared, fmt.Sprintf("close %d", cc.Code))
		case cc.Seen > 0:
			s.closeCodes++
			s.closeSeen++
		default:
			s.closeCodes++
			s.missing = append(s.missing, fmt.Sprintf("close %d", cc.Code))
		}
	}
	return s
}

func statusWord(s contractreport.Status) string {
	switch s {
	case contractreport.StatusPass:
		return "PASS"
	case contractreport.StatusFail:
		return "FAIL"
	case contractreport.StatusSkip:
		return "SKIP"
	}
	return strings.ToUpper(string(s))
}

// roundDuration keeps durations readable: ms below a minute.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// errWriter keeps the first write error so writers can print freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
