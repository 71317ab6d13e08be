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
// A "wstrigger check" run is a CheckResult (a contract report and a load
// result); CheckJSON, CheckMarkdown, CheckJUnit and CheckHTML write it,
// LoadText writes a load run's console summary, IntervalLine its plain
// per-second progress line and CheckVerdict the last lines of a check,
// so the summaries the commands print come from here (the live progress
// bars are the command's own); Compare writes the comparison of two
// load runs. CheckHTML is one
// self-contained page whose load plots are drawn with gonum.org/v1/plot
// and inlined as SVG; browsercheck/check.sh renders it in headless
// Chromium.
//
// The writers read plain data only: contractreport.Report (which
// contract.Run returns as contract.Report) and loadresult.Result (load.Run's
// load.Result), so this package links neither the suite nor the driver,
// their websocket client or the OpenAPI validators; a test holds it to
// that. Every writer marks an interrupted run (Report.Interrupted,
// Result.Interrupted) as such: its verdict says how far it got and
// that it is not a verdict, JUnit counts it as an error, and an
// interrupted load run's SLOs are not judged. Verdicts of runs that
// skipped checks count them by cause (ContractVerdict), and failed
// checks show the shell commands that reproduce their steps.
//
// The writers never print credentials or session ids themselves; they
// write the evidence the results carry, which the suite has redacted.
//
// # Concurrency
//
// The writers only read the report; several may run at once on the same
// report (TestCheckWritersGolden runs them so, under -race).
package reports
