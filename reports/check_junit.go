package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/wstrigger/wstrigger/load"
)

// CheckJUnit writes a check run as JUnit XML: the contract's suites (one
// testcase per check, as ContractJUnit writes them) and a "load.slo"
// suite with one testcase per SLO, failed when the run missed it, or
// one skipped testcase when no SLO was set. The document's time is the
// contract run's and the load run's together.
func CheckJUnit(w io.Writer, c *CheckResult) error {
	doc := junitSuites{Name: c.Title()}
	var total time.Duration
	if c.Contract != nil {
		doc = contractSuites(c.Contract, c.Title())
		total += c.Contract.Duration
	}
	if c.Load != nil {
		s := sloSuite(c.Load)
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		total += loadDuration(c.Load)
	}
	doc.Time = seconds(total)
	return writeJUnit(w, doc)
}

// loadDuration is how long the load run took, joins and drain included.
func loadDuration(l *load.Result) time.Duration {
	if d := l.Meta.Ended.Sub(l.Meta.Started); d > 0 {
		return d
	}
	return time.Duration(l.Config.DurationSeconds * float64(time.Second))
}

func sloSuite(l *load.Result) junitSuite {
	s := junitSuite{
		Name:      "load.slo",
		Time:      seconds(loadDuration(l)),
		Timestamp: l.Meta.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{Name: "target", Value: l.Meta.Target}, {Name: "schemaVersion", Value: fmt.Sprint(l.SchemaVersion)},
			{Name: "subscriptions", Value: fmt.Sprint(l.Config.Subscriptions)}, {Name: "pushRate", Value: fmt.Sprint(l.Config.PushRate)},
		},
		Cases: []junitCase{},
	}
	if len(l.SLOs) == 0 {
		s.Cases = append(s.Cases, junitCase{Name: "SLOs", Classname: "load.slo", Time: "0.000",
			Skipped: &junitMessage{Message: "no SLO was set for this run (--slo)"}})
		s.Tests, s.Skipped = 1, 1
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
