package reports

import (
	"fmt"
	"io"

	"github.com/wstrigger/wstrigger/load"
)

// CheckJUnit writes a check run as JUnit XML: the contract's suites (one
// testcase per check, as ContractJUnit writes them) and a "load.slo"
// suite with one testcase per SLO, failed when the run missed it.
func CheckJUnit(w io.Writer, c *CheckResult) error {
	doc := junitSuites{Name: "wstrigger check", Time: "0.000"}
	if c.Contract != nil {
		doc = contractSuites(c.Contract, "wstrigger check")
	}
	if c.Load != nil {
		s := sloSuite(c.Load)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	return writeJUnit(w, doc)
}

func sloSuite(l *load.Result) junitSuite {
	s := junitSuite{
		Name:      "load.slo",
		Time:      fmt.Sprintf("%.3f", l.Config.DurationSeconds),
		Timestamp: l.Meta.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{Name: "target", Value: l.Meta.Target}, {Name: "schemaVersion", Value: fmt.Sprint(l.SchemaVersion)},
			{Name: "subscriptions", Value: fmt.Sprint(l.Config.Subscriptions)}, {Name: "pushRate", Value: fmt.Sprint(l.Config.PushRate)},
		},
		Cases: []junitCase{},
	}
	for _, r := range l.SLOs {
		c := junitCase{Name: r.SLO, Classname: "load.slo", Time: "0.000", SystemOut: &junitText{Text: "actual: " + r.Actual}}
		if !r.Passed {
			c.Failure = &junitMessage{Message: fmt.Sprintf("SLO %s missed: actual %s", r.SLO, r.Actual), Type: "SLO", Text: "actual: " + r.Actual}
			c.SystemOut = nil
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	return s
}
