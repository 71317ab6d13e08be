package contract

import (
	"context"
	"fmt"
	"slices"
)

// DefaultParallel is how many checks run at once.
const DefaultParallel = 4

// The prerequisites of the checks that need an open session: a join
// that upgrades, and a session frame first. When either fails, every
// check that needs a session is skipped at once rather than waiting out
// its own time limit on a target that cannot open one.
var sessionPrereqs = []string{"HS-001", "SESS-001"}

// Causes of skipped checks, shared by every check skipped for the same
// reason so that a verdict can group them.
const (
	causeNoOther     = "no second tenant given (--other-access-token)"
	causeNoForbidden = "no forbidden account given (--forbidden-access-token)"
	causeNoTrigger   = "no trigger observed"
	// causeNoForbiddenOrigin: the target's origin allow-list cannot be
	// checked without an origin it refuses.
	causeNoForbiddenOrigin = "no refused origin given (--forbidden-origin)"
	// causeOriginRefused: the target restricts origins and refuses the
	// arbitrary one the CORS checks use without --origin.
	causeOriginRefused = "the target refuses the checks' origin (--origin)"
)

// outcome is what the scheduler knows of a check that has ended.
type outcome struct {
	i   int
	res Result
	// interrupted marks a result cut short by the run's interruption:
	// its verdict would be the interruption's, not the target's.
	interrupted bool
}

// schedule runs the checks of sel, at most Options.Parallel at once, and
// calls emit with each result in catalogue order, from the calling
// goroutine. A check starts when its prerequisites (checkDef.after) have
// ended: when one failed it is skipped as blocked by it, when one was
// skipped it is skipped for the same cause. An exclusive check runs
// alone. When ctx is cancelled no check starts, the running ones are
// waited for, and schedule returns how many checks never ran.
func (r *runner) schedule(ctx context.Context, sel []checkDef, emit func(Result)) (notRun int) {
	var (
		results   = make([]*outcome, len(sel))
		started   = make([]bool, len(sel))
		index     = map[string]int{}
		done      = make(chan outcome)
		running   int
		exclusive bool
		next      int // the next result to emit
	)
	for i, d := range sel {
		index[d.ID] = i
	}
	finish := func(o outcome) {
		results[o.i] = &o
		for next < len(sel) && results[next] != nil {
			if !results[next].interrupted {
				emit(results[next].res)
			}
			next++
		}
	}
	for {
		if ctx.Err() == nil {
			for i, d := range sel {
				if started[i] {
					continue
				}
				if exclusive || running >= r.opts.Parallel {
					break
				}
				if d.exclusive && running > 0 {
					break // a barrier: it starts when the running ones end
				}
				if d.collector && !othersEnded(sel, results) {
					continue
				}
				blocked, ready := r.prerequisites(d, index, results)
				if !ready {
					continue
				}
				started[i] = true
				if blocked != nil {
					finish(outcome{i: i, res: *blocked})
					continue
				}
				running++
				exclusive = d.exclusive
				go func() { done <- outcome{i: i, res: r.runCheck(ctx, d)} }()
				if exclusive {
					break
				}
			}
		}
		if running == 0 {
			break
		}
		o := <-done
		running--
		exclusive = false
		o.interrupted = ctx.Err() != nil
		finish(o)
	}
	for _, res := range results {
		if res == nil || res.interrupted {
			notRun++
		}
	}
	return notRun
}

// prerequisites decides whether d can start: ready is false while a
// prerequisite is still running; blocked is the skip result of d when a
// prerequisite failed or was skipped, or when d needs a tenant the
// target lacks.
func (r *runner) prerequisites(d checkDef, index map[string]int, results []*outcome) (blocked *Result, ready bool) {
	skip := func(cause, reason, by string) (*Result, bool) {
		res := Result{Check: d.Check, Status: StatusSkip, Reason: reason, Cause: cause, BlockedBy: by}
		r.strict(&res)
		return &res, true
	}
	switch {
	case d.needsOther && r.target.Other == nil:
		return skip(causeNoOther, fmt.Sprintf("needs a second tenant: --other-access-token and --other-secret-key, or $%s and $%s (Target.Other)", EnvOtherAccessToken, EnvOtherSecretKey), "")
	case d.needsForbidden && r.target.Forbidden == nil:
		return skip(causeNoForbidden, fmt.Sprintf("needs the credentials of an account without websockets: --forbidden-access-token and --forbidden-secret-key, or $%s and $%s (Target.Forbidden)", EnvForbiddenAccessToken, EnvForbiddenSecretKey), "")
	case d.needsForbiddenOrigin && r.opts.ForbiddenOrigin == "":
		return skip(causeNoForbiddenOrigin, "needs an origin that the target's allow-list refuses: --forbidden-origin (Options.ForbiddenOrigin); a target without an allow-list has none to give", "")
	}
	for _, id := range d.prereqs() {
		j, ok := index[id]
		if !ok {
			continue // not selected (--run): not a verdict on the target
		}
		if results[j] == nil || results[j].interrupted {
			return nil, false
		}
		switch p := results[j].res; p.Status {
		case StatusFail:
			return skip("blocked by "+id, fmt.Sprintf("blocked by %s, which failed: %s", id, truncate(p.Reason, 200)), id)
		case StatusSkip:
			cause := p.Cause
			if cause == "" {
				cause = p.Reason
			}
			return skip(cause, fmt.Sprintf("%s was skipped: %s", id, p.Reason), id)
		}
	}
	return nil, true
}

// prereqs returns the checks d waits for.
func (d checkDef) prereqs() []string {
	var out []string
	if d.needsSession {
		for _, id := range sessionPrereqs {
			if id != d.ID && !slices.Contains(d.after, id) {
				out = append(out, id)
			}
		}
	}
	return append(out, d.after...)
}

// strict turns a skipped MUST check into a failure under Options.Strict.
func (r *runner) strict(res *Result) {
	if r.opts.Strict && res.Status == StatusSkip && res.Level == LevelMust {
		res.Status = StatusFail
		res.Reason = "skipped, and a strict run needs every MUST check to run: " + res.Reason
	}
}

// othersEnded reports whether every check but the collectors has ended.
func othersEnded(sel []checkDef, results []*outcome) bool {
	for i, d := range sel {
		if !d.collector && results[i] == nil {
			return false
		}
	}
	return true
}
