package contract

import "github.com/wstrigger/wstrigger/contractreport"

// The suite's report is plain data, in package contractreport, so that
// renderers read it without linking the suite; these are its names here.
type (
	// Report is the outcome of a run (contractreport.Report). Its JSON
	// encoding is the documented, versioned output of the suite.
	Report = contractreport.Report
	// Check is the static description of one check of the catalogue.
	Check = contractreport.Check
	// Result is the outcome of one check.
	Result = contractreport.Result
	// Evidence is one exchange a check made, redacted.
	Evidence = contractreport.Evidence
	// Level is how strongly docs/protocol.md requires what a check enforces.
	Level = contractreport.Level
	// Status is the outcome of a check.
	Status = contractreport.Status
	// Summary counts the results.
	Summary = contractreport.Summary
	// Coverage says which parts of the spec documents the run exercised.
	Coverage          = contractreport.Coverage
	OperationCoverage = contractreport.OperationCoverage
	StatusCoverage    = contractreport.StatusCoverage
	MessageCoverage   = contractreport.MessageCoverage
	CloseCodeCoverage = contractreport.CloseCodeCoverage
)

// SchemaVersion is the version of the JSON shape of Report.
const SchemaVersion = contractreport.SchemaVersion

// Levels, as in RFC 2119.
const (
	LevelMust   = contractreport.LevelMust
	LevelShould = contractreport.LevelShould
)

// Outcomes of a check.
const (
	StatusPass = contractreport.StatusPass
	StatusFail = contractreport.StatusFail
	StatusSkip = contractreport.StatusSkip
)

func summarize(results []Result) Summary { return contractreport.Summarize(results) }
