package reports

import (
	"fmt"
	"io"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
)

// CheckJUnit writes a check run as JUnit XML: the contract's suites (one
// testcase per check, as ContractJUnit writes them) and a "load.slo"
// suite with one testcase per SLO, failed when the run missed it, or
// one skipped testcase when no SLO was set. The SLOs of an interrupted
// load run are skipped, not judged, and an interrupted run adds a
// "wstrigger.run" suite whose one testcase is an error saying how far it
// got. The document's time is the contract run's and the load run's
// together.
func CheckJUnit(w io.Writer, c *CheckResult) error {
	doc := junitSuites{Name: c.Title()}
	var total time.Duration
	var started time.Time
	if c.Contract != nil {
		doc = contractSuites(c.Contract, c.Title())
		total += c.Contract.Duration
		started = c.Contract.Started
	}
	if c.Load != nil {
		addSuite(&doc, sloSuite(c.Load))
		total += loadDuration(c.Load)
		if started.IsZero() {
			started = c.Load.Meta.Started
		}
	}
	if c.IsInterrupted() {
		addSuite(&doc, interruptedSuite(c.Verdict(), started))
	}
	doc.Time = seconds(total)
	return writeJUnit(w, doc)
}

// loadDuration is how long the load run took, joins and drain included.
func loadDuration(l *loadresult.Result) time.Duration {
	if d := l.Meta.Ended.Sub(l.Meta.Started); d > 0 {
		return d
	}
	return time.Duration(l.Config.DurationSeconds * float64(time.Second))
}

func sloSuite(l *loadresult.Result) junitSuite {
	s := junitSuite{
		Name:       "load.slo",
		Time:       seconds(loadDuration(l)),
		Timestamp:  l.Meta.Started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{{Name: "target", Value: l.Meta.Target}},
		Cases:      []junitCase{},
	}
	if l.Meta.TargetName != "" {
		s.Properties = append(s.Properties, junitProperty{Name: "targetName", Value: l.Meta.TargetName})
	}
	s.Properties = append(s.Properties, junitProperty{Name: "schemaVersion", Value: fmt.Sprint(l.SchemaVersion)},
		junitProperty{Name: "subscriptions", Value: fmt.Sprint(l.Config.Subscriptions)}, junitProperty{Name: "pushRate", Value: fmt.Sprint(l.Config.PushRate)})
	if len(l.SLOs) == 0 {
		s.Cases = append(s.Cases, junitCase{Name: "SLOs", Classname: "load.slo", Time: "0.000",
			Skipped: &junitMessage{Message: "no SLO was set for this run (--slo)"}})
		s.Tests, s.Skipped = 1, 1
	}
	for _, r := range l.SLOs {
		c := junitCase{Name: r.SLO, Classname: "load.slo", Time: "0.000", SystemOut: &junitText{Text: "actual: " + r.Actual}}
		switch {
		case l.Interrupted:
			c.Skipped = &junitMessage{Message: fmt.Sprintf("not judged: the load run was interrupted (actual so far %s)", r.Actual)}
			s.Skipped++
		case !r.Passed:
			c.Failure = &junitMessage{Message: fmt.Sprintf("SLO %s missed: actual %s", r.SLO, r.Actual), Type: "SLO", Text: "actual: " + r.Actual}
			c.SystemOut = nil
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	return s
}
