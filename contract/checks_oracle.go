package contract

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wstrigger/wstrigger/contract/internal/oracle"
	"github.com/wstrigger/wstrigger/protocol"
)

// Limits of the differential pattern oracle (PAT-003).
const (
	// oracleMaxCases leaves room for the two sessions with pattern {}:
	// the check opens at most 256 sessions.
	oracleMaxCases = oracle.DefaultMax - 1
	// oracleSeed fixes the generated patterns, so that a rerun against
	// the same events sends the same ones.
	oracleSeed = 1
	// oracleParallel is how many joins or pushes are in flight at once.
	oracleParallel = 8
	// oracleBuffer is the frame buffer of each of its sessions, which
	// are drained as they go (the default buffer of 8192 frames would
	// take about 1 MB a session).
	oracleBuffer = 256
	// oracleGrace is the least time a trigger the judge received is given
	// to reach the other sessions before their end markers are pushed.
	oracleGrace = 250 * time.Millisecond
	// oracleReported is how many disagreeing patterns the reason names.
	oracleReported = 10
	// oracleExcerpt bounds an event quoted in the reason.
	oracleExcerpt = 160
	// oracleMaxLearned bounds the events kept from the learning window.
	oracleMaxLearned = 5000
)

// oracleMarker is pushed into every pattern session after the window:
// frames of one session come in order, so a trigger queued before the
// marker is read before it.
var oracleMarker = []byte(`{"wstrigger":"PAT-003 end of window"}`)

// oracleStart is pushed into the judge when it has joined: a trigger it
// receives after this marker was fanned out when the judge, and every
// pattern session before it, had surely been added to the target's
// fan-out.
var oracleStart = []byte(`{"wstrigger":"PAT-003 start of window"}`)

// checkDifferentialOracle learns the target's events on a {} session,
// joins one session per generated pattern and then a second {} session,
// the judge, and compares who received each trigger the judge received
// with what spec/pattern says.
//
// Timing never makes a failure. A trigger is judged only when the judge
// received it between the start and end markers pushed into it, so it
// was fanned out while every pattern session was open. A delivery
// forbidden by §5 is a fact whenever it comes. A missing delivery counts
// only on a session whose own end marker, pushed once the judge's is
// back and twice its round trip later, came back while the trigger had
// not: frames of one session come in order. The joins stop at a time
// budget on a slow target or client, and the patterns not joined are
// left out.
func checkDifferentialOracle(ctx context.Context, c *checkCtx) error {
	events, err := c.oracleLearn(ctx)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return skipf("no trigger observed in %v on a {} session; the oracle needs the target's events to build its patterns", c.opts.Observe)
	}
	cases := oracle.Generate(oracle.Learn(events), &oracle.Options{Seed: oracleSeed, Max: oracleMaxCases})
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	keys := &oracleKeys{m: map[string]oracleKeyed{}}
	watch := func(s *wsSession, judge bool) *oracleWatch {
		w := newOracleWatch(s, judge, keys)
		wg.Go(func() { w.run(wctx) })
		return w
	}
	ws, err := c.oracleJoin(ctx, cases, watch)
	if err != nil {
		return err
	}
	judge, err := c.oracleJoinJudge(ctx, ws)
	if err != nil {
		return err
	}
	jw := watch(judge, true)
	// The triggers the judge receives before its start marker are left
	// out, should the target add a session to its fan-out a moment after
	// its session frame; when the marker is refused, those of the first
	// grace period.
	from := time.Now().Add(oracleGrace)
	if _, err := c.push(ctx, "push the start marker into the judging {} session", judge, oracleStart); err == nil {
		from = time.Time{}
	}
	if err := sleepCtx(ctx, c.opts.Observe); err != nil {
		return fmt.Errorf("observing the pattern sessions: %w", err)
	}
	end := time.Now()
	settled, byMarker := c.oracleEnd(ctx, cases, jw, ws, from, end)
	stop()
	wg.Wait()
	obs := oracle.Observed{Delivered: make([]map[string]bool, len(cases)), Settled: settled}
	joined := 0
	for i, w := range ws {
		if w != nil {
			obs.Delivered[i] = w.delivered()
			joined++
		}
	}
	judged, raw := jw.judged(byMarker, from, end)
	obs.Events = judged
	j := oracle.Compare(cases, obs)
	how := "received between the judge's start and end markers"
	if !byMarker {
		how = "received within the window; the end marker of the judge did not come back, so only deliveries §5 forbids are judged"
	}
	c.note("differential pattern oracle", fmt.Sprintf(
		"%d patterns generated from %d triggers learned in %v (seed %d), %d of them joined; %d triggers judged (%s, window %v), "+
			"%d (trigger, session) pairs compared; %d disagreements, %d more left out where §5 reads two ways, "+
			"%d where a late delivery could not be ruled out; %d trigger frames read",
		len(cases), len(events), c.opts.Observe, oracleSeed, joined, j.Events, how, c.opts.Observe,
		j.Pairs, len(j.Disagreements), j.Ambiguous, j.Unsettled, keys.frames.Load()))
	if j.Events == 0 {
		return skipf("no trigger reached the judging {} session within %v (%d frames read in all): the target sent none, or it or this machine is too slow for %d sessions; nothing to compare",
			c.opts.Observe, keys.frames.Load(), joined+1)
	}
	c.oracleReport(cases, j, judged, raw)
	return nil
}

// oracleEnd ends the window: it pushes the end marker into the judge,
// and when it is back, waits twice as long as it took (at least the
// grace) for the triggers the judge received to reach the other
// sessions. A session that still lacks one its pattern matches gets an
// end marker of its own, and is settled when that comes back first;
// then the sessions are read on for as long again, so that a late
// delivery still counts. settled[i] says whether a missing delivery to
// session i may be judged: never when the judge's marker did not come
// back.
func (c *checkCtx) oracleEnd(ctx context.Context, cases []oracle.Case, jw *oracleWatch, ws []*oracleWatch, from, end time.Time) (settled []bool, byMarker bool) {
	start := time.Now()
	_, err := c.push(ctx, "push the end marker into the judging {} session", jw.s, oracleMarker)
	byMarker = err == nil && jw.markerIn(time.Until(oracleDeadline(ctx, 3*time.Second)))
	if !byMarker {
		return make([]bool, len(ws)), false
	}
	lag := max(oracleGrace, 2*time.Since(start))
	_ = sleepCtx(ctx, min(lag, time.Until(oracleDeadline(ctx, 2*time.Second))))
	judged, _ := jw.judged(true, from, end)
	need := make([]bool, len(ws))
	for i, w := range ws {
		need[i] = w != nil && w.lacks(cases[i].Pattern(), judged)
	}
	settled = c.oracleSettle(ctx, ws, need)
	_ = sleepCtx(ctx, min(lag, time.Until(oracleDeadline(ctx, 300*time.Millisecond))))
	return settled, true
}

// oracleDeadline is ctx's deadline less a margin, or a minute away.
func oracleDeadline(ctx context.Context, margin time.Duration) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl.Add(-margin)
	}
	return time.Now().Add(time.Minute)
}

// oracleLearn collects the events of a {} session for one window.
func (c *checkCtx) oracleLearn(ctx context.Context) ([]map[string]any, error) {
	s, err := c.joinMain(ctx, "join with pattern {} to learn the events", "{}")
	if err != nil {
		return nil, err
	}
	defer s.close()
	lctx, cancel := context.WithTimeout(ctx, c.opts.Observe)
	defer cancel()
	var events []map[string]any
	for {
		f, err := s.next(lctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil && lctx.Err() != nil:
			return events, nil
		case err != nil:
			return nil, fmt.Errorf("learning the events: %w", err)
		case f.Type != protocol.FrameTrigger:
			continue
		}
		if ev, err := oracle.Decode(f.Event); err == nil && len(events) < oracleMaxLearned {
			events = append(events, ev)
		}
	}
}

// oracleJoin joins one session per case, a few at a time, and starts
// watching each. A refused join of a valid pattern is a failure, but a
// 429 only ends the joining: the target limits its sessions, and the
// cases joined so far are judged. ws[i] is nil for a case not joined.
func (c *checkCtx) oracleJoin(ctx context.Context, cases []oracle.Case, watch func(*wsSession, bool) *oracleWatch) ([]*oracleWatch, error) {
	ws := make([]*oracleWatch, len(cases))
	var full atomic.Bool  // no more joins: 429, or too many lost
	var lost atomic.Int64 // joins without a session
	var firstLost atomic.Value
	// The joins take at most 40% of the time left, and leave the window
	// and three seconds for the end markers.
	start := time.Now()
	left := time.Until(oracleDeadline(ctx, 0))
	budget := start.Add(min(left*2/5, left-c.opts.Observe-3*time.Second))
	bctx, cancel := context.WithDeadline(ctx, budget)
	defer cancel()
	g, gctx := errgroup.WithContext(bctx)
	g.SetLimit(oracleParallel)
	for i := range cases {
		if full.Load() || bctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if full.Load() || gctx.Err() != nil {
				return nil
			}
			step := fmt.Sprintf("join pattern %d of %d", i+1, len(cases))
			s, resp, err := c.join(gctx, joinReq{step: step, header: credHeader(c.target.Credentials),
				rawQuery: joinQuery(cases[i].Text), noPatternCheck: true, noSchema: true, buffer: oracleBuffer})
			switch {
			case err != nil && ctx.Err() != nil:
				return err
			case err != nil:
				// No answer, or no session frame, within the budget:
				// that pattern is not judged (the session checks judge
				// joins), and after a few the joining stops.
				if lost.Add(1) == 1 {
					firstLost.Store(err.Error())
				}
				if lost.Load() >= 2*oracleParallel {
					full.Store(true)
				}
			case s != nil:
				ws[i] = watch(s, false)
			case resp.status == http.StatusTooManyRequests:
				full.Store(true)
			default:
				c.failf("%s: the pattern %s is valid under §5 (%s) and was refused with %s", step, cases[i].Text, cases[i].Rule(), describe(resp))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	n := countJoined(ws)
	if l := lost.Load(); l > 0 {
		c.note("joins without a session", fmt.Sprintf("%d pattern joins got no answer or no session frame in time (the first: %s); those patterns are not judged", l, firstLost.Load()))
	}
	switch {
	case n == 0 && !budget.After(start):
		return nil, skipf("no time to open pattern sessions: the check had %v left, less than the %v window and 3s for the end markers; nothing to judge", left.Round(time.Millisecond), c.opts.Observe)
	case n == 0:
		return nil, skipf("no pattern session could be opened in %v; nothing to judge", budget.Sub(start).Round(time.Millisecond))
	case lost.Load() >= 2*oracleParallel:
	case full.Load():
		c.note("session limit", fmt.Sprintf("the target refused further sessions with 429 after %d of %d pattern sessions; the oracle judges those", n, len(cases)))
	case n < len(cases) && bctx.Err() != nil:
		c.note("join budget", fmt.Sprintf("%d of %d pattern sessions joined in %v, the time the joins may take; the oracle judges those", n, len(cases), budget.Sub(start).Round(time.Millisecond)))
	}
	return ws, nil
}

// countJoined counts the pattern sessions open.
func countJoined(ws []*oracleWatch) int {
	n := 0
	for _, w := range ws {
		if w != nil {
			n++
		}
	}
	return n
}

// oracleJoinJudge joins the {} session whose triggers are judged, after
// every pattern session: a trigger it receives came after they all
// joined. When the target refuses it with 429, the last pattern session
// makes room.
func (c *checkCtx) oracleJoinJudge(ctx context.Context, ws []*oracleWatch) (*wsSession, error) {
	const step = "join with pattern {} to judge the triggers"
	for attempt := 0; ; attempt++ {
		s, resp, err := c.join(ctx, joinReq{step: step, header: credHeader(c.target.Credentials), rawQuery: joinQuery("{}"), buffer: 4 * oracleBuffer})
		switch {
		case err != nil && resp == nil && ctx.Err() == nil:
			// No answer at all: the target (or this machine) is too
			// slow for so many sessions; nothing is judged.
			return nil, skipf("%v; with %d pattern sessions open the judging session could not join: the target or this machine is too slow for so many sessions", err, countJoined(ws))
		case err != nil:
			return nil, err
		case s != nil:
			return s, nil
		case resp.status != http.StatusTooManyRequests || attempt == 3:
			return nil, fmt.Errorf("%s: the join was refused with %s", step, describe(resp))
		}
		for k := len(ws) - 1; k >= 0; k-- {
			if ws[k] != nil {
				ws[k].s.close()
				ws[k] = nil
				break
			}
		}
		wait := time.Second // Retry-After, at most a second
		if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err == nil && secs >= 0 {
			wait = min(wait, time.Duration(secs)*time.Second)
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// oracleSettle pushes the end marker into every pattern session that
// needs it and waits for it, so that a trigger queued before it has been
// read. settled[i] is false where the marker was refused or did not
// come.
func (c *checkCtx) oracleSettle(ctx context.Context, ws []*oracleWatch, need []bool) []bool {
	settled := make([]bool, len(ws))
	var pushed, refused atomic.Int64
	pctx, cancel := context.WithDeadline(ctx, oracleDeadline(ctx, 1500*time.Millisecond))
	defer cancel()
	g := new(errgroup.Group)
	g.SetLimit(oracleParallel)
	for i, w := range ws {
		if w == nil {
			continue
		}
		if !need[i] {
			settled[i] = true
			continue
		}
		g.Go(func() error {
			pushed.Add(1)
			if pctx.Err() != nil {
				refused.Add(1)
				return nil
			}
			if _, err := c.push(pctx, fmt.Sprintf("push the end marker into pattern session %d", i+1), w.s, oracleMarker); err != nil {
				refused.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait()
	timer := time.NewTimer(max(time.Until(oracleDeadline(ctx, 500*time.Millisecond)), 0))
	defer timer.Stop()
	late, expired := 0, false
	for i, w := range ws {
		if w == nil || !need[i] {
			continue
		}
		select {
		case <-w.marker:
			settled[i] = true
			continue
		default:
		}
		if expired {
			late++
			continue
		}
		select {
		case <-w.marker:
			settled[i] = true
		case <-w.s.ended:
		case <-timer.C:
			expired = true
			late++
		}
	}
	if n := pushed.Load(); n > 0 {
		note := fmt.Sprintf("%d pattern sessions still lacked a judged trigger their pattern matches and got an end marker", n)
		if r := refused.Load(); r > 0 || late > 0 {
			note += fmt.Sprintf("; %d of those not pushed in time or refused, %d not back in time: on those only deliveries §5 forbids are judged", r, late)
		}
		c.note("end markers", note)
	}
	return settled
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// oracleReport fails the check with the disagreements: a summary by
// rule, then the first patterns, each shrunk, with an event.
func (c *checkCtx) oracleReport(cases []oracle.Case, j oracle.Judgement, events []oracle.Event, raw map[string][]byte) {
	if len(j.Disagreements) == 0 {
		return
	}
	groups := j.Groups(cases)
	byRule := map[string]int{}
	var rules []string
	for _, g := range groups {
		for _, r := range cases[g.Case].Rules {
			if byRule[r] == 0 {
				rules = append(rules, r)
			}
			byRule[r] += len(g.Events)
		}
	}
	var parts []string
	for _, r := range rules {
		parts = append(parts, fmt.Sprintf("%s (%d)", r, byRule[r]))
	}
	c.failf("the target departs from §5 on %d (trigger, session) pairs, %d patterns after shrinking; rules: %s",
		len(j.Disagreements), len(groups), strings.Join(parts, ", "))
	for n, g := range groups {
		if n == oracleReported {
			c.failf("and %d more disagreeing patterns", len(groups)-n)
			break
		}
		cs := &cases[g.Case]
		var shrunk string
		switch {
		case g.Smaller:
			var from []int
			for _, f := range g.From {
				if f != g.Case {
					from = append(from, f)
				}
			}
			shrunk = "shrunk from " + cases[from[0]].Text
			if len(from) > 1 {
				shrunk += fmt.Sprintf(" and %d more", len(from)-1)
			}
		case len(cs.Conds) == 1:
			shrunk = "a single condition"
		default:
			shrunk = "no smaller disagreeing pattern was observed"
		}
		ev := events[g.Events[0]].Key
		excerpt := truncate(c.red.Redact(string(raw[ev])), oracleExcerpt)
		c.failf("pattern %s [%s]: %s on %d trigger(s), e.g. %s (%s)", cs.Text, cs.Rule(), g.Dir, len(g.Events), excerpt, shrunk)
		c.note(fmt.Sprintf("disagreement %d", n+1), fmt.Sprintf("pattern %s: %s; trigger %s", cs.Text, g.Dir, c.showFrame(raw[ev])))
	}
}
