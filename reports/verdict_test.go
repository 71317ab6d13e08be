package reports_test

import (
	"bytes"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/reports"
)

// skipped is a skipped result of the given level and cause.
func skipped(id string, level contractreport.Level, cause, reason string) contractreport.Result {
	return contractreport.Result{Check: contractreport.Check{ID: id, Title: id, Group: "g", Level: level}, Status: contractreport.StatusSkip, Cause: cause, Reason: reason}
}

func TestContractVerdict(t *testing.T) {
	passed := contractreport.Result{Check: contractreport.Check{ID: "P-1", Title: "p", Group: "g", Level: contractreport.LevelMust}, Status: contractreport.StatusPass}
	failed := contractreport.Result{Check: contractreport.Check{ID: "F-1", Title: "f", Group: "g", Level: contractreport.LevelMust}, Status: contractreport.StatusFail}
	report := func(change func(r *contractreport.Report), results ...contractreport.Result) *contractreport.Report {
		r := &contractreport.Report{SchemaVersion: contractreport.SchemaVersion, Target: "http://127.0.0.1:1", Results: results}
		for _, res := range results {
			r.Summary.Total++
			switch res.Status {
			case contractreport.StatusPass:
				r.Summary.Passed++
			case contractreport.StatusFail:
				r.Summary.Failed++
				if res.Level == contractreport.LevelMust {
					r.Summary.MustFailed++
				}
			case contractreport.StatusSkip:
				r.Summary.Skipped++
				if res.Level == contractreport.LevelMust {
					r.Summary.MustSkipped++
				}
			}
		}
		if change != nil {
			change(r)
		}
		return r
	}
	must, should := contractreport.LevelMust, contractreport.LevelShould
	tests := []struct {
		name   string
		report *contractreport.Report
		want   string
	}{
		{"all passed", report(nil, passed), "every MUST check passed"},
		{"skips grouped by cause, largest first", report(nil, passed,
			skipped("S-1", must, "blocked by SESS-001", "SESS-001 failed"),
			skipped("S-2", must, "no trigger observed", "nothing in 3s"),
			skipped("S-3", should, "no trigger observed", "nothing in 3s"),
			skipped("S-4", must, "no trigger observed", "nothing in 2s"),
			skipped("S-5", should, "no trigger observed", "nothing"),
			skipped("S-6", must, "blocked by SESS-001", "SESS-001 failed")),
			"every MUST check that ran passed, 6 checks skipped (4 MUST): no trigger observed (4), blocked by SESS-001 (2)"},
		{"older reports group by reason", report(nil, passed,
			skipped("S-1", must, "", "no second tenant: set --other-access-token"),
			skipped("S-2", must, "", "no second tenant: set --other-access-token")),
			"every MUST check that ran passed, 2 MUST checks skipped: no second tenant: set --other-access-token (2)"},
		{"only SHOULD checks skipped", report(nil, passed, skipped("S-1", should, "no forbidden account", "")),
			"every MUST check passed, 1 SHOULD check skipped: no forbidden account (1)"},
		{"failed with skips", report(nil, failed, skipped("S-1", must, "blocked by F-1", "")),
			"NOT CONFORMANT: 1 MUST check failed; 1 MUST check skipped: blocked by F-1 (1)"},
		{"strict", report(func(r *contractreport.Report) { r.Strict = true }, failed),
			"NOT CONFORMANT: 1 MUST check failed (strict: a skipped MUST check fails)"},
		{"strict pass", report(func(r *contractreport.Report) { r.Strict = true }, passed),
			"every MUST check passed (strict: a skipped MUST check fails)"},
		{"interrupted", report(func(r *contractreport.Report) { r.Interrupted, r.Summary.NotRun = true, 46 }, passed, passed),
			"interrupted after 2 of 48 checks — not a verdict"},
		{"interrupted after a failure", report(func(r *contractreport.Report) { r.Interrupted, r.Summary.NotRun = true, 1 }, failed),
			"interrupted after 1 of 2 checks — not a verdict; 1 MUST check had failed by then"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, reports.ContractVerdict(tt.report))
			var buf bytes.Buffer
			require.NoError(t, reports.ContractFooter(&buf, tt.report))
			assert.Contains(t, buf.String(), "\nVerdict: "+tt.want+"\n")
			buf.Reset()
			require.NoError(t, reports.ContractMarkdown(&buf, tt.report))
			assert.Contains(t, strings.SplitN(buf.String(), "\n", 2)[0], tt.want, "the Markdown's first line")
		})
	}
}

// interruptedReport is sampleReport cut short after its four checks,
// with 44 not run, against the embedded mock.
func interruptedReport() *contractreport.Report {
	r := sampleReport()
	r.Interrupted, r.Summary.NotRun = true, 44
	r.TargetName = "embedded mock"
	return r
}

// interruptedLoad is sampleLoad cut short 4.5 s into its pushes.
func interruptedLoad(t *testing.T) *loadresult.Result {
	l := sampleLoad(t)
	l.Interrupted, l.Meta.CutoffSeconds = true, 4.5
	l.Meta.TargetName = "embedded mock"
	for i := range l.SLOs {
		l.SLOs[i].Passed = false
	}
	return l
}

func TestInterruptedWritersGolden(t *testing.T) {
	contractOnly := func(w *bytes.Buffer, _ *testing.T) *contractreport.Report { return interruptedReport() }
	writers := []struct {
		name  string
		write func(w *bytes.Buffer, t *testing.T) error
	}{
		{"contract-interrupted.txt", func(w *bytes.Buffer, t *testing.T) error { return reports.ContractText(w, contractOnly(w, t)) }},
		{"contract-interrupted.md", func(w *bytes.Buffer, t *testing.T) error { return reports.ContractMarkdown(w, contractOnly(w, t)) }},
		{"contract-interrupted.junit.xml", func(w *bytes.Buffer, t *testing.T) error { return reports.ContractJUnit(w, contractOnly(w, t)) }},
		{"load-interrupted.txt", func(w *bytes.Buffer, t *testing.T) error { return reports.LoadText(w, interruptedLoad(t)) }},
		{"check-load-interrupted.md", func(w *bytes.Buffer, t *testing.T) error {
			return reports.CheckMarkdown(w, reports.NewCheckResult(sampleReport(), interruptedLoad(t)))
		}},
		{"check-load-interrupted.junit.xml", func(w *bytes.Buffer, t *testing.T) error {
			return reports.CheckJUnit(w, reports.NewCheckResult(sampleReport(), interruptedLoad(t)))
		}},
		{"check-contract-interrupted.md", func(w *bytes.Buffer, t *testing.T) error {
			c := reports.NewCheckResult(interruptedReport(), nil)
			c.Interrupted, c.NotRun = true, []string{"load"}
			return reports.CheckMarkdown(w, c)
		}},
	}
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, wr.write(&buf, t))
			golden(t, wr.name, buf.Bytes())
		})
	}
}

// TestInterruptedIsMarkedEverywhere: every output of an interrupted run
// says so, and none reads as a pass.
func TestInterruptedIsMarkedEverywhere(t *testing.T) {
	const verdict = "✘ interrupted after 4 of 48 checks, before the load run — not a verdict; 1 MUST check had failed by then"
	c := reports.NewCheckResult(interruptedReport(), nil)
	c.Interrupted, c.NotRun = true, []string{"load"}
	tests := []struct {
		name  string
		write func(w *bytes.Buffer) error
		want  []string
	}{
		{"html", func(w *bytes.Buffer) error { return reports.CheckHTML(w, c) },
			[]string{"<title>wstrigger check: interrupted</title>", `<p class="verdict interrupted">` + verdict, "Not run: the run was interrupted before it.", "44 not run (interrupted)", "embedded mock at <code>http://127.0.0.1:8080</code>"}},
		{"markdown", func(w *bytes.Buffer) error { return reports.CheckMarkdown(w, c) },
			[]string{"## wstrigger check: " + verdict + "\n", "not run: the run was interrupted before it"}},
		{"console", func(w *bytes.Buffer) error { return reports.CheckVerdict(w, c, "dir") }, []string{"marked interrupted", "\n" + verdict + "\n"}},
		{"json", func(w *bytes.Buffer) error { return reports.CheckJSON(w, c) },
			[]string{"\"interrupted\": true,\n  \"notRun\": [\n    \"load\"\n  ],", `"notRun": 44`}},
		{"junit", func(w *bytes.Buffer) error { return reports.CheckJUnit(w, c) },
			[]string{`errors="1"`, `<error message="interrupted after 4 of 48 checks, before the load run — not a verdict; 1 MUST check had failed by then" type="interrupted">`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, tt.write(&buf))
			for _, want := range tt.want {
				assert.Contains(t, buf.String(), want)
			}
			for _, never := range []string{"PASS", "Passed", "✅", "passed:"} {
				assert.NotContains(t, buf.String(), never)
			}
		})
	}
	var buf bytes.Buffer
	require.NoError(t, reports.CheckJSON(&buf, c))
	back, err := reports.ReadAny(&buf)
	require.NoError(t, err)
	assert.True(t, back.IsInterrupted())
	assert.False(t, back.Passed())
}

func TestInterruptedJUnitIsAnError(t *testing.T) {
	for name, write := range map[string]func(w *bytes.Buffer) error{
		"contract": func(w *bytes.Buffer) error { return reports.ContractJUnit(w, interruptedReport()) },
		"load": func(w *bytes.Buffer) error {
			return reports.CheckJUnit(w, reports.NewCheckResult(nil, interruptedLoad(t)))
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, write(&buf))
			suites, err := junit.Ingest(buf.Bytes())
			require.NoError(t, err)
			statuses := map[junit.Status]int{}
			for _, s := range suites {
				for _, tc := range s.Tests {
					statuses[tc.Status]++
					if tc.Classname == "load.slo" {
						assert.Equal(t, junit.StatusSkipped, tc.Status, "an interrupted run's SLO is not judged: %s", tc.Name)
					}
				}
			}
			assert.Equal(t, 1, statuses[junit.StatusError], "one error: the interruption")
			assert.Contains(t, buf.String(), `type="interrupted"`)
		})
	}
}

func TestConsoleReproducers(t *testing.T) {
	var evs []contractreport.Evidence
	for i := range 5 {
		evs = append(evs, contractreport.Evidence{Step: "step", Reproduce: "curl -si 'http://127.0.0.1:1/" + strings.Repeat("x", i) + "'"})
	}
	evs = append(evs, contractreport.Evidence{Step: "no command"})
	res := contractreport.Result{Check: contractreport.Check{ID: "F-1", Title: "f", Level: contractreport.LevelMust}, Status: contractreport.StatusFail, Reason: "why", Evidence: evs}
	var buf bytes.Buffer
	require.NoError(t, reports.ContractLine(&buf, res))
	out := buf.String()
	assert.Equal(t, 3, strings.Count(out, "reproduce: curl"), out)
	assert.Contains(t, out, "(2 more in the JSON, Markdown, HTML and JUnit reports)")
	assert.Less(t, strings.Index(out, "why"), strings.Index(out, "reproduce:"), "the reason first")

	res.Status = contractreport.StatusPass
	buf.Reset()
	require.NoError(t, reports.ContractLine(&buf, res))
	assert.NotContains(t, buf.String(), "reproduce", "passing checks print no reproducer")
}

func TestTargetNameShown(t *testing.T) {
	r := sampleReport()
	r.TargetName = "embedded mock"
	l := sampleLoad(t)
	l.Meta.TargetName = "embedded mock"
	for name, write := range map[string]func(w *bytes.Buffer) error{
		"contract text": func(w *bytes.Buffer) error { return reports.ContractText(w, r) },
		"load text":     func(w *bytes.Buffer) error { return reports.LoadText(w, l) },
		"markdown":      func(w *bytes.Buffer) error { return reports.CheckMarkdown(w, reports.NewCheckResult(r, l)) },
		"html":          func(w *bytes.Buffer) error { return reports.CheckHTML(w, reports.NewCheckResult(r, l)) },
		"junit":         func(w *bytes.Buffer) error { return reports.CheckJUnit(w, reports.NewCheckResult(r, l)) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, write(&buf))
			assert.Contains(t, buf.String(), "embedded mock")
			assert.Contains(t, buf.String(), "http://127.0.0.1:8080", "the URL too")
		})
	}
}
