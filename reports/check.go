package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/loadresult"
)

// CheckSchemaVersion is the version of the JSON shape of CheckResult. It
// changes when a field is renamed or removed or changes meaning. The
// contract and load parts carry versions of their own
// (contractreport.SchemaVersion, loadresult.SchemaVersion), which change on their own.
const CheckSchemaVersion = 1

// CheckKind names a CheckResult document in its "kind" field.
const CheckKind = "wstrigger.check"

// CheckResult is the outcome of "wstrigger check": a contract run and a
// load run against one target. Either part is nil when it was skipped.
// Its JSON encoding is results.json of the report folder.
type CheckResult struct {
	SchemaVersion int    `json:"schemaVersion"`
	Kind          string `json:"kind"`
	// Interrupted is set when the run was cut short (Ctrl-C, SIGTERM):
	// a part was interrupted (its own "interrupted" field says which),
	// or the interruption came between the parts. Such a run has no
	// verdict; IsInterrupted also reads the parts' fields.
	Interrupted bool `json:"interrupted,omitempty"`
	// NotRun names the parts the interruption kept from running
	// ("load").
	NotRun   []string               `json:"notRun,omitempty"`
	Contract *contractreport.Report `json:"contract,omitempty"`
	Load     *loadresult.Result     `json:"load,omitempty"`
}

// NewCheckResult returns the versioned result of the two runs.
func NewCheckResult(c *contractreport.Report, l *loadresult.Result) *CheckResult {
	return &CheckResult{SchemaVersion: CheckSchemaVersion, Kind: CheckKind, Contract: c, Load: l}
}

// CheckVerdict writes the last lines "wstrigger check" prints: where
// the report went and the verdict, "PASS: ...", "FAIL: ..." or, for an
// interrupted run, "✘ interrupted ... — not a verdict".
func CheckVerdict(w io.Writer, c *CheckResult, dir string) error {
	files := "report.html, report.md, results.json, junit.xml"
	var verdict string
	switch c.outcome() {
	case outcomeInterrupted:
		files += ", marked interrupted"
		verdict = "✘ "
	case outcomeFailed:
		verdict = "FAIL: "
	default:
		verdict = "PASS: "
	}
	_, err := fmt.Fprintf(w, "\nReport written to %s (%s)\n%s%s\n", dir, files, verdict, c.Verdict())
	return err
}

// Passed reports whether no MUST check and no SLO failed and the run
// was not interrupted.
func (c *CheckResult) Passed() bool {
	return !c.IsInterrupted() && c.MustFailed() == 0 && c.SLOsFailed() == 0
}

// IsInterrupted reports whether the run was cut short: c.Interrupted, or
// either part's Interrupted.
func (c *CheckResult) IsInterrupted() bool {
	return c.Interrupted || len(c.NotRun) > 0 ||
		(c.Contract != nil && c.Contract.Interrupted) || (c.Load != nil && c.Load.Interrupted)
}

// outcome is what c's verdict says.
func (c *CheckResult) outcome() outcome {
	switch {
	case c.IsInterrupted():
		return outcomeInterrupted
	case !c.Passed():
		return outcomeFailed
	case c.Contract != nil && c.Contract.Summary.MustSkipped > 0:
		return outcomeSkipped
	}
	return outcomePassed
}

// MustFailed counts the MUST checks that failed.
func (c *CheckResult) MustFailed() int {
	if c.Contract == nil {
		return 0
	}
	return c.Contract.Summary.MustFailed
}

// SLOsFailed counts the SLOs the load run missed; an interrupted load
// run missed none (its SLOs were not judged).
func (c *CheckResult) SLOsFailed() int {
	if c.Load == nil || c.Load.Interrupted {
		return 0
	}
	n := 0
	for _, s := range c.Load.SLOs {
		if !s.Passed {
			n++
		}
	}
	return n
}

// CheckJSON writes c as indented JSON.
func CheckJSON(w io.Writer, c *CheckResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("reports: check json: %w", err)
	}
	return nil
}

// ReadCheck reads a CheckResult written by CheckJSON, refusing other
// kinds and newer schema versions.
func ReadCheck(r io.Reader) (*CheckResult, error) {
	var c CheckResult
	if err := json.NewDecoder(r).Decode(&c); err != nil {
		return nil, fmt.Errorf("reports: reading check result: %w", err)
	}
	if c.Kind != CheckKind {
		return nil, fmt.Errorf("reports: reading check result: kind %q, want %q", c.Kind, CheckKind)
	}
	if c.SchemaVersion > CheckSchemaVersion {
		return nil, fmt.Errorf("reports: reading check result: schema version %d is newer than %d", c.SchemaVersion, CheckSchemaVersion)
	}
	if c.Contract == nil && c.Load == nil {
		return nil, errors.New("reports: reading check result: it holds neither a contract nor a load part")
	}
	if c.Load != nil && c.Load.SchemaVersion > loadresult.SchemaVersion {
		return nil, fmt.Errorf("reports: reading check result: its load part has schema version %d, newer than %d", c.Load.SchemaVersion, loadresult.SchemaVersion)
	}
	return &c, nil
}

// latencyKind is one latency distribution of a load run.
type latencyKind struct {
	name  string
	short string // in the console's latency table
	of    func(*loadresult.Latencies) *loadresult.Summary
	push  bool // recorded per push (so warmup seconds are left out), not per join
}

// latencyKindList is the order reports show the latency kinds in.
var latencyKindList = []latencyKind{
	{"push end-to-end", "push e2e", func(l *loadresult.Latencies) *loadresult.Summary { return &l.PushEndToEnd }, true},
	{"push service", "push service", func(l *loadresult.Latencies) *loadresult.Summary { return &l.PushService }, true},
	{"push response", "push response", func(l *loadresult.Latencies) *loadresult.Summary { return &l.PushResponse }, true},
	{"connect", "connect", func(l *loadresult.Latencies) *loadresult.Summary { return &l.Connect }, false},
	{"first frame", "first frame", func(l *loadresult.Latencies) *loadresult.Summary { return &l.FirstFrame }, false},
}

// latencyKinds names the latency distributions of a load run, in the
// order reports show them.
func latencyKinds(l *loadresult.Latencies) []struct {
	name string
	s    loadresult.Summary
} {
	out := make([]struct {
		name string
		s    loadresult.Summary
	}, len(latencyKindList))
	for i, k := range latencyKindList {
		out[i].name, out[i].s = k.name, *k.of(l)
	}
	return out
}

func usDuration(v int64) time.Duration {
	d := time.Duration(v) * time.Microsecond
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d
}

// CensoredText says how many samples of each latency kind are of
// pushes not received by the cut-off, counted at their age then, or ""
// when none are.
func CensoredText(l *loadresult.Latencies) string {
	var parts []string
	for _, k := range latencyKindList {
		if n := k.of(l).Censored; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k.short, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "censored at the cut-off (pushes not received by then, counted at their age, a lower bound): " + strings.Join(parts, ", ")
}

// FloorText says what the driver floor of a calibrated run was, or ""
// for a run without one.
func FloorText(f *loadresult.DriverFloor) string {
	if f == nil {
		return ""
	}
	e := f.EndToEnd
	took := time.Duration(f.Seconds * float64(time.Second)).Round(time.Millisecond)
	return fmt.Sprintf("driver floor: push e2e p50 %v, p99 %v, max %v (%d subscriptions at %.0f/s for %v against an in-process target that does no work: this much of each latency is the driver's and the machine's)",
		usDuration(e.P50Us), usDuration(e.P99Us), usDuration(e.MaxUs), f.Subscriptions, f.PushRate, took)
}
