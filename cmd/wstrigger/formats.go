package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/reports"
)

// A format is one way of writing results, with every place the commands
// offer it: the file of check's report folder, the "report" subcommand
// that re-renders a saved run in it, and the flag of "contract" that
// writes a contract report in it.
type format struct {
	file     string // in check's report folder
	report   string // "report NAME"; "" for none
	flag     string // --FLAG of "contract"; "" for none
	usage    string // of --FLAG
	check    func(io.Writer, *reports.CheckResult) error
	contract func(io.Writer, *contract.Report) error // with flag
}

// formats are every output format, in the order check writes its files.
var formats = []format{
	{file: "results.json", flag: "json", usage: "write the results as JSON (versioned shape) to this file; - for standard output (the text then goes to standard error)",
		check: reports.CheckJSON, contract: reports.ContractJSON},
	{file: "report.md", report: "md", flag: "markdown", usage: "write a Markdown summary to this file; - for standard output",
		check: reports.CheckMarkdown, contract: reports.ContractMarkdown},
	{file: "junit.xml", report: "junit", flag: "junit", usage: "write the results as JUnit XML to this file; - for standard output",
		check: reports.CheckJUnit, contract: reports.ContractJUnit},
	{file: "report.html", report: "html", check: reports.CheckHTML},
}

// reportFormat returns the format "report NAME" renders.
func reportFormat(name string) (format, bool) {
	for _, f := range formats {
		if f.report != "" && f.report == name {
			return f, true
		}
	}
	return format{}, false
}

// contractOutputs are the files "contract" writes, by flag, as
// registerOutputs defines them.
type contractOutputs map[string]*string

// registerOutputs defines a flag per format "contract" writes.
func (c *contractOutputs) registerOutputs(fs *flag.FlagSet) {
	*c = contractOutputs{}
	for _, f := range formats {
		if f.flag != "" {
			(*c)[f.flag] = fs.String(f.flag, "", f.usage)
		}
	}
}

// requested reports whether a file is to be written.
func (c contractOutputs) requested() bool {
	for _, p := range c {
		if *p != "" {
			return true
		}
	}
	return false
}

// check says, before the run, whether each file can be written.
func (c contractOutputs) check() error {
	for _, f := range formats {
		if p := c[f.flag]; p != nil {
			if err := checkOutPath("--"+f.flag, *p); err != nil {
				return err
			}
		}
	}
	return nil
}

// paths are the flags and the files they name, in the order of formats.
func (c contractOutputs) paths() (flags, paths []string) {
	for _, f := range formats {
		if p := c[f.flag]; p != nil {
			flags, paths = append(flags, "--"+f.flag), append(paths, *p)
		}
	}
	return flags, paths
}

// write writes rep to each file requested ("-" to stdout), and returns
// every error.
func (c contractOutputs) write(stdout io.Writer, rep *contract.Report) error {
	var errs []error
	for _, f := range formats {
		if p := c[f.flag]; p != nil && *p != "" {
			errs = append(errs, writeOutput(stdout, *p, func(w io.Writer) error { return f.contract(w, rep) }))
		}
	}
	return errors.Join(errs...)
}

// writeCheckFiles writes check's report folder: a file per format.
func writeCheckFiles(dir string, res *reports.CheckResult) error {
	for _, f := range formats {
		path := filepath.Join(dir, f.file)
		if err := writeFile(path, func(w io.Writer) error { return f.check(w, res) }); err != nil {
			return err
		}
		if err := os.Chmod(path, 0o644); err != nil { // a report is for reading
			return err
		}
	}
	return nil
}
