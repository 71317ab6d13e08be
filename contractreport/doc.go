// Package contractreport is the report of a contract run as plain data:
// what "wstrigger contract --format json" writes and "wstrigger report"
// reads. It holds the Report document, each check's Result with its
// Evidence, the Coverage of the spec documents and the Summary, and
// FormatEvidence, the one plain-text rendering of evidence that the
// suite's test logs and the report writers share.
//
// It imports no engine: the suite (package contract, which names these
// types too) fills a Report; the renderers (package reports) read one
// without linking the suite, its websocket client or the OpenAPI
// validators.
//
//	rep := &contractreport.Report{SchemaVersion: contractreport.SchemaVersion, Results: results}
//	rep.Summary = contractreport.Summarize(rep.Results)
//	fmt.Println(rep.Passed())
//
// # Concurrency
//
// The types are plain values with no locks. Summarize, FormatEvidence
// and Report.Passed only read: several goroutines may call them on the
// same report at once (TestReadersShareReport). Writing a report needs
// the caller's exclusion.
package contractreport
