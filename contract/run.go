package contract

import (
	"context"
	"slices"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// catalogue returns every check in run order, with what each needs.
func catalogue() []checkDef {
	var all []checkDef
	for _, group := range [][]checkDef{
		handshakeChecks(), authChecks(), joinChecks(), sessionChecks(),
		pushChecks(), corsChecks(), isolationChecks(), patternChecks(), livenessChecks(), aggressiveChecks(), schemaChecks(),
	} {
		all = append(all, group...)
	}
	for i := range all {
		d := &all[i]
		d.needsSession = !d.collector && !slices.Contains(withoutSession, d.ID)
		d.exclusive = d.exclusive || d.Aggressive
		if slices.Contains(readPushFrames, d.ID) {
			d.after = append(d.after, "PUSH-001")
		}
	}
	return all
}

// readPushFrames are the checks that wait for push frames: when PUSH-001
// finds that a push frame does not arrive (or not as announced), they
// are skipped at once rather than each waiting out its time limit.
var readPushFrames = []string{"PUSH-002", "PUSH-003", "PUSH-004", "PUSH-005", "PUSH-013", "PUSH-014", "ISO-001", "PAT-002", "PAT-003", "LIVE-003"}

// withoutSession are the checks that need no open session: they expect
// rejections, or make none of their own.
var withoutSession = []string{
	"HS-001", "HS-002",
	"AUTH-001", "AUTH-002", "AUTH-003", "AUTH-004", "AUTH-005", "AUTH-006", "AUTH-008", "AUTH-009", "AUTH-018",
	"JOIN-001", "JOIN-002", "JOIN-003", "JOIN-004", "JOIN-005", "JOIN-006",
	"PUSH-006", "PUSH-008",
	"CORS-001", "CORS-003", "CORS-004", "CORS-005",
}

// Checks returns the catalogue, in run order.
func Checks() []Check {
	defs := catalogue()
	out := make([]Check, len(defs))
	for i, d := range defs {
		out[i] = d.Check
	}
	return out
}

// selected returns the checks a run with opts runs.
func selected(opts Options) []checkDef {
	var out []checkDef
	for _, d := range catalogue() {
		if d.Aggressive && !opts.Aggressive {
			continue
		}
		if opts.Run != nil && !opts.Run.MatchString(d.ID) && !opts.Run.MatchString(d.Title) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Run runs the selected checks against target and returns their results
// with the spec coverage. Its error is only for a suite that could not
// run: bad options (wrapping ErrOptions) or a target that does not answer
// (wrapping ErrUnreachable); failed checks are in the Report. When ctx
// is cancelled during the run, Run returns at once with the results of
// the checks that finished and Report.Interrupted set.
func Run(ctx context.Context, target Target, opts *Options) (*Report, error) {
	r, err := newRunner(target, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	start := time.Now()
	if err := r.preflight(ctx); err != nil {
		return nil, err
	}
	rep := r.newReport(start)
	rep.Summary.NotRun = r.schedule(ctx, selected(r.opts), func(res Result) {
		rep.Results = append(rep.Results, res)
		if r.opts.Progress != nil {
			r.opts.Progress(res)
		}
	})
	rep.Interrupted = rep.Summary.NotRun > 0
	r.finish(rep, start)
	return rep, nil
}

func (r *runner) newReport(start time.Time) *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		Target:        protocol.RedactURL(r.base),
		Started:       start,
		Aggressive:    r.opts.Aggressive,
		Strict:        r.opts.Strict,
		TargetName:    r.target.Name,
		Results:       []Result{},
	}
}

func (r *runner) finish(rep *Report, start time.Time) {
	rep.Coverage = r.cov.report()
	notRun := rep.Summary.NotRun
	rep.Summary = summarize(rep.Results)
	rep.Summary.NotRun = notRun
	rep.Duration = time.Since(start)
}
