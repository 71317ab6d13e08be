// Package reports turns results into what people read: a console table,
// JSON, JUnit XML for CI systems, and Markdown for a job summary or a
// pull-request comment. Each writer takes an io.Writer and returns an
// error, so a command chooses where the output goes:
//
//	rep, err := contract.Run(ctx, target, nil)
//	if err != nil { ... }
//	_ = reports.ContractText(os.Stdout, rep)
//	f, _ := os.Create("junit.xml")
//	_ = reports.ContractJUnit(f, rep)
//
// The writers never print credentials or session ids themselves; they
// write the evidence the results carry, which the suite has redacted.
//
// # Concurrency
//
// The writers only read the report; several may run at once on the same
// report.
package reports
