package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/wstrigger/wstrigger/contract"
)

// JUnit XML elements, in the shape most CI systems read (the Ant/Maven
// Surefire dialect): testsuites > testsuite > testcase > failure|skipped.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
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
// whose type is its level (MUST or SHOULD); its evidence is the failure's
// text, and a passing check's evidence goes to system-out.
func ContractJUnit(w io.Writer, r *contract.Report) error {
	return writeJUnit(w, contractSuites(r, "wstrigger contract"))
}

// contractSuites builds the JUnit document of a contract run.
func contractSuites(r *contract.Report, name string) junitSuites {
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
				Properties: []junitProperty{{Name: "target", Value: r.Target}, {Name: "schemaVersion", Value: fmt.Sprint(r.SchemaVersion)}},
			})
		}
		s := &doc.Suites[i]
		c := junitCase{
			Name:      res.ID + ": " + res.Title,
			Classname: "contract." + res.Group,
			Time:      seconds(res.Duration),
		}
		switch res.Status {
		case contract.StatusFail:
			c.Failure = &junitMessage{Message: res.Reason, Type: string(res.Level), Text: formatEvidence(res.Evidence)}
			s.Failures++
		case contract.StatusSkip:
			c.Skipped = &junitMessage{Message: res.Reason}
			s.Skipped++
		default:
			if len(res.Evidence) > 0 {
				c.SystemOut = &junitText{Text: formatEvidence(res.Evidence)}
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
