package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/wstrigger/wstrigger/contractreport"
)

// JUnit XML elements, in the shape most CI systems read (the Ant/Maven
// Surefire dialect): testsuites > testsuite > testcase >
// failure|error|skipped. An interrupted run is an error, neither a
// failure nor a pass.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	dur        time.Duration
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText keeps line breaks readable in the file.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

// ContractJUnit writes a contract run as JUnit XML: one testsuite per
// group of checks, one testcase per check. A failed check is a failure
// whose type is its level (MUST or SHOULD); the rule it cites, linked
// to the repository's protocol reference, then its evidence with the
// commands that reproduce it, is the failure's text, and a passing
// check's evidence goes to system-out. An interrupted run adds a
// "wstrigger.run" suite whose one testcase is an error saying so.
func ContractJUnit(w io.Writer, r *contractreport.Report) error {
	doc := contractSuites(r, "wstrigger contract")
	if r.Interrupted {
		addSuite(&doc, interruptedSuite(ContractVerdict(r), r.Started))
	}
	return writeJUnit(w, doc)
}

// interruptedSuite is the suite that marks an interrupted run: one
// testcase, an error whose message is the run's verdict.
func interruptedSuite(verdict string, started time.Time) junitSuite {
	return junitSuite{
		Name: "wstrigger.run", Tests: 1, Errors: 1, Time: "0.000",
		Timestamp:  started.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{{Name: "interrupted", Value: "true"}},
		Cases: []junitCase{{Name: "run interrupted", Classname: "wstrigger.run", Time: "0.000",
			Error: &junitMessage{Message: verdict, Type: "interrupted",
				Text: "The run was interrupted (Ctrl-C, SIGTERM) before it finished: the other testcases are those that finished; this is not a verdict on the target."}}},
	}
}

// addSuite appends s to doc and adds its counts to the document's.
func addSuite(doc *junitSuites, s junitSuite) {
	doc.Suites = append(doc.Suites, s)
	doc.Tests += s.Tests
	doc.Failures += s.Failures
	doc.Errors += s.Errors
	doc.Skipped += s.Skipped
}

// contractSuites builds the JUnit document of a contract run.
func contractSuites(r *contractreport.Report, name string) junitSuites {
	doc := junitSuites{Name: name, Time: seconds(r.Duration)}
	index := map[string]int{}
	for _, res := range r.Results {
		i, ok := index[res.Group]
		if !ok {
			i = len(doc.Suites)
			index[res.Group] = i
			doc.Suites = append(doc.Suites, junitSuite{
				Name:       "contract." + res.Group,
				Timestamp:  r.Started.UTC().Format("2006-01-02T15:04:05"),
				Properties: contractProperties(r),
			})
		}
		s := &doc.Suites[i]
		c := junitCase{
			Name:      res.ID + ": " + res.Title,
			Classname: "contract." + res.Group,
			Time:      seconds(res.Duration),
		}
		switch res.Status {
		case contractreport.StatusFail:
			c.Failure = &junitMessage{Message: res.Reason, Type: string(res.Level), Text: junitRule(res.Section) + contractreport.FormatEvidence(res.Evidence, true)}
			s.Failures++
		case contractreport.StatusSkip:
			c.Skipped = &junitMessage{Message: res.Reason}
			s.Skipped++
		default:
			if len(res.Evidence) > 0 {
				c.SystemOut = &junitText{Text: contractreport.FormatEvidence(res.Evidence, false)}
			}
		}
		s.Tests++
		s.dur += res.Duration
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(s.dur)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	return doc
}

// contractProperties are the properties of a contract run's suites.
func contractProperties(r *contractreport.Report) []junitProperty {
	props := []junitProperty{{Name: "target", Value: r.Target}}
	if r.TargetName != "" {
		props = append(props, junitProperty{Name: "targetName", Value: r.TargetName})
	}
	props = append(props, junitProperty{Name: "schemaVersion", Value: fmt.Sprint(r.SchemaVersion)})
	if r.Strict {
		props = append(props, junitProperty{Name: "strict", Value: "true"})
	}
	return props
}

// writeJUnit writes doc with the XML header.
func writeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
