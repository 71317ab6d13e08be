// Package contracttest runs the conformance suite of package contract from
// a team's own go test, each check a subtest, in the shape of
// golang.org/x/net/nettest.TestConn:
//
//	func TestConformance(t *testing.T) {
//		target, ok := contract.TargetFromEnv(os.Getenv)
//		if !ok {
//			t.Skip("set WSTRIGGER_TARGET")
//		}
//		contracttest.Test(t, target, &contract.Options{Observe: 5 * time.Second})
//	}
//
// It is a package of its own so that package contract, and the binaries
// that link it, do not import package testing.
//
// # Concurrency
//
// Test calls t.Run, and Options.Progress, from the goroutine that called
// it, in catalogue order; the checks run as contract.Run runs them.
package contracttest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contractreport"
)

// Test runs the suite against target and reports each check as a
// subtest of t, named by check ID, as its result arrives in catalogue
// order: a failed check is a t.Error carrying its reason and evidence, a
// skipped one a t.Skip. Options.Progress is called as in contract.Run.
// Coverage is logged at the end. A suite that cannot run (bad options,
// an unreachable target) is a t.Fatal.
func Test(t *testing.T, target contract.Target, opts *contract.Options) {
	t.Helper()
	var o contract.Options
	if opts != nil {
		o = *opts
	}
	progress := o.Progress
	o.Progress = func(res contract.Result) {
		if progress != nil {
			progress(res)
		}
		t.Run(res.ID, func(t *testing.T) { subtest(t, res) })
	}
	rep, err := contract.Run(t.Context(), target, &o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interrupted {
		t.Errorf("contract: interrupted: %d checks did not run", rep.Summary.NotRun)
	}
	t.Logf("contract: %d checks, %d passed, %d failed, %d skipped in %v; %s",
		rep.Summary.Total, rep.Summary.Passed, rep.Summary.Failed, rep.Summary.Skipped,
		rep.Duration.Round(time.Millisecond), coverageLine(rep.Coverage))
}

func subtest(t *testing.T, res contract.Result) {
	switch res.Status {
	case contract.StatusFail:
		t.Errorf("%s %s [%s, %s]: %s%s", res.ID, res.Title, res.Level, res.Section, res.Reason, "\n"+contractreport.FormatEvidence(res.Evidence, true))
	case contract.StatusSkip:
		t.Skipf("%s %s: skipped: %s", res.ID, res.Title, res.Reason)
	default:
		t.Logf("%s %s: pass (%v)", res.ID, res.Title, res.Duration.Round(time.Millisecond))
	}
}

// coverageLine summarises coverage in one line.
func coverageLine(cv contract.Coverage) string {
	var parts []string
	for _, op := range cv.Operations {
		var missing []string
		n := 0
		for _, st := range op.Statuses {
			if st.Declared {
				n++
				if !st.Exercised {
					missing = append(missing, strconv.Itoa(st.Status))
				}
			}
		}
		p := fmt.Sprintf("%s %d/%d statuses", op.ID, n-len(missing), n)
		if len(missing) > 0 {
			p += " (not exercised: " + strings.Join(missing, ", ") + ")"
		}
		parts = append(parts, p)
	}
	var msgs []string
	for _, m := range cv.Messages {
		msgs = append(msgs, fmt.Sprintf("%s×%d", m.Type, m.Seen))
	}
	parts = append(parts, "frames "+strings.Join(msgs, " "))
	var codes []string
	for _, c := range cv.CloseCodes {
		if c.Seen > 0 {
			codes = append(codes, fmt.Sprintf("%d×%d", c.Code, c.Seen))
		}
	}
	parts = append(parts, "close codes seen "+strings.Join(codes, " "))
	return strings.Join(parts, "; ")
}
