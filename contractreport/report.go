package contractreport

import (
	"time"
)

// SchemaVersion is the version of the JSON shape of Report. It changes
// when a field is renamed or removed or its meaning changes; adding a
// field does not change it.
const SchemaVersion = 1

// Level is how strongly docs/protocol.md requires what a check enforces.
type Level string

// Levels, as in RFC 2119.
const (
	LevelMust   Level = "MUST"
	LevelShould Level = "SHOULD"
)

// Status is the outcome of a check.
type Status string

// Outcomes of a check.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Check is the static description of one check of the catalogue.
type Check struct {
	ID         string `json:"id"`    // stable, such as "AUTH-003"
	Title      string `json:"title"` // one line
	Group      string `json:"group"` // handshake, auth, join, session, push, isolation, pattern, liveness, aggressive
	Level      Level  `json:"level"`
	Section    string `json:"section"`           // such as "docs/protocol.md §2"
	SpecRef    string `json:"specRef,omitempty"` // a JSON pointer into a spec document
	Aggressive bool   `json:"aggressive,omitempty"`
}

// Evidence is one exchange a check made, with every credential and
// session id replaced by "***".
type Evidence struct {
	Step     string   `json:"step"`               // what was done
	Request  string   `json:"request,omitempty"`  // request line and headers, one per line
	Status   int      `json:"status,omitempty"`   // HTTP status of the answer
	Response string   `json:"response,omitempty"` // headers and a body excerpt (at most 2 KiB)
	Frames   []string `json:"frames,omitempty"`   // frames received, truncated
	Note     string   `json:"note,omitempty"`
	// Reproduce is a shell command that repeats this step against the
	// target: curl for HTTP requests, wstrigger or websocat for
	// websocket steps. Credentials appear as $WSTRIGGER_ACCESS_TOKEN and
	// $WSTRIGGER_SECRET_KEY (or the other tenants' variables), never as
	// values; session ids as $SESSION.
	Reproduce string `json:"reproduce,omitempty"`
}

// Result is the outcome of one check.
type Result struct {
	Check
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"` // why it failed or was skipped
	// Cause is a short phrase, shared by every check skipped for the same
	// reason, such as "no trigger observed" or "blocked by SESS-001";
	// verdicts group skipped checks by it. Empty for passed checks.
	Cause string `json:"cause,omitempty"`
	// BlockedBy is the id of the prerequisite check whose failure
	// skipped this one.
	BlockedBy string        `json:"blockedBy,omitempty"`
	Evidence  []Evidence    `json:"evidence,omitempty"`
	Duration  time.Duration `json:"durationNs"`
}

// Coverage says which parts of the spec documents the run exercised.
type Coverage struct {
	Operations []OperationCoverage `json:"operations"`
	Messages   []MessageCoverage   `json:"messages"`
	CloseCodes []CloseCodeCoverage `json:"closeCodes"`
}

// OperationCoverage lists the statuses of one OpenAPI operation and
// whether the run saw each of them.
type OperationCoverage struct {
	ID       string           `json:"id"`
	Method   string           `json:"method"`
	Path     string           `json:"path"`
	Statuses []StatusCoverage `json:"statuses"`
}

// StatusCoverage is one status of an operation. Statuses the server sent
// but the spec does not declare are listed with Declared false.
type StatusCoverage struct {
	Status    int  `json:"status"`
	Exercised bool `json:"exercised"`
	Declared  bool `json:"declared"`
	Seen      int  `json:"seen"`
}

// MessageCoverage is one AsyncAPI message type and how many frames of it
// the run received.
type MessageCoverage struct {
	Type     string `json:"type"`
	Seen     int    `json:"seen"`
	Declared bool   `json:"declared"`
}

// CloseCodeCoverage is one close code and how many times the server
// closed a session with it. Codes the spec does not declare are listed
// with Declared false.
type CloseCodeCoverage struct {
	Code     int  `json:"code"`
	Seen     int  `json:"seen"`
	Declared bool `json:"declared"`
}

// Summary counts the results.
type Summary struct {
	Total      int `json:"total"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	MustFailed int `json:"mustFailed"`
	// MustSkipped counts the skipped MUST checks: a verdict of a run
	// that skipped some must say so.
	MustSkipped int `json:"mustSkipped"`
	// NotRun counts the selected checks that never ran because the run
	// was interrupted.
	NotRun int `json:"notRun,omitempty"`
}

// Report is the outcome of a run. Its JSON encoding is the documented,
// versioned output of the suite (see the package documentation).
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Target        string `json:"target"` // redacted URL
	// TargetName names the target for people when the URL says little,
	// such as "embedded mock" (contract.Target.Name).
	TargetName string        `json:"targetName,omitempty"`
	Started    time.Time     `json:"started"`
	Duration   time.Duration `json:"durationNs"`
	Aggressive bool          `json:"aggressive"`
	// Strict is set when skipped MUST checks counted as failures
	// (contract.Options.Strict).
	Strict bool `json:"strict,omitempty"`
	// Interrupted is set when the run was cancelled (Ctrl-C, SIGTERM, a
	// deadline) before every selected check finished: the results are
	// those of the checks that finished, and Passed is false.
	Interrupted bool     `json:"interrupted,omitempty"`
	Results     []Result `json:"results"`
	Coverage    Coverage `json:"coverage"`
	Summary     Summary  `json:"summary"`
}

// Passed reports whether no MUST check failed and the run was not
// interrupted.
func (r *Report) Passed() bool { return r.Summary.MustFailed == 0 && !r.Interrupted }

// Summarize counts results by status, and the MUST checks that failed
// or were skipped.
func Summarize(results []Result) Summary {
	s := Summary{Total: len(results)}
	for _, r := range results {
		switch r.Status {
		case StatusPass:
			s.Passed++
		case StatusFail:
			s.Failed++
			if r.Level == LevelMust {
				s.MustFailed++
			}
		case StatusSkip:
			s.Skipped++
			if r.Level == LevelMust {
				s.MustSkipped++
			}
		}
	}
	return s
}
