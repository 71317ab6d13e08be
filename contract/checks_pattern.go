package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

func isolationChecks() []checkDef {
	return []checkDef{
		{Check: Check{ID: "ISO-001", Title: "a push to one session never appears on another", Group: "isolation", Level: LevelMust,
			Section: "docs/protocol.md §4"}, run: checkIsolation},
	}
}

func patternChecks() []checkDef {
	return []checkDef{
		{Check: Check{ID: "PAT-001", Title: "every trigger matches its session's pattern, for many kinds of pattern side by side", Group: "pattern", Level: LevelMust,
			Section: "docs/protocol.md §3.1, §5", SpecRef: "asyncapi.yaml#/components/messages/trigger"}, observe: true, run: checkPatternOracle},
		{Check: Check{ID: "PAT-002", Title: "a session with pattern {} receives every trigger the other sessions receive", Group: "pattern", Level: LevelMust,
			Section: "docs/protocol.md §3, §5"}, observe: true, run: checkMatchAll},
		{Check: Check{ID: "PAT-003", Title: "sessions receive exactly the triggers their patterns match, for hundreds of patterns at the edges of §5", Group: "pattern", Level: LevelMust,
			Section: "docs/protocol.md §5", SpecRef: "asyncapi.yaml#/components/messages/trigger"}, observe: true, extraObserve: 1, exclusive: true, run: checkDifferentialOracle},
	}
}

func checkIsolation(ctx context.Context, c *checkCtx) error {
	a, err := c.joinMain(ctx, "join session A", quietPattern)
	if err != nil {
		return err
	}
	type peer struct {
		name string
		s    *wsSession
	}
	var peers []peer
	for _, p := range []struct{ name, pat string }{{"session B (same tenant)", quietPattern}, {"session C (same tenant, pattern {})", "{}"}} {
		s, err := c.joinMain(ctx, "join "+p.name, p.pat)
		if err != nil {
			return err
		}
		peers = append(peers, peer{p.name, s})
	}
	if c.target.Other != nil {
		s, err := c.joinAs(ctx, "join session D (other tenant)", *c.target.Other, "{}")
		if err != nil {
			return err
		}
		peers = append(peers, peer{"session D (other tenant)", s})
	}
	const n = 20
	for i := range n {
		if _, err := c.push(ctx, fmt.Sprintf("push %d of %d into A", i+1, n), a, fmt.Appendf(nil, `{"for":"A","i":%d}`, i)); err != nil {
			return err
		}
	}
	for _, p := range peers {
		pr := c.target.Credentials
		if p.name == "session D (other tenant)" {
			pr = *c.target.Other
		}
		resp, err := c.pushReq(ctx, "push a marker into "+p.name, pr, p.s.id, []byte(`{"for":"marker"}`))
		if err != nil {
			return err
		}
		if ok, _ := c.success(pushEP); resp.status != ok {
			return fmt.Errorf("push a marker into %s: got %s", p.name, describe(resp))
		}
		f, err := p.s.nextPush(ctx)
		if err != nil {
			return err
		}
		if !sameValue(f.Data, []byte(`{"for":"marker"}`)) {
			c.failf("a push into session A appeared on %s: isolation broken, a push leaked into another session", p.name)
			p.s.frameEvidence("")
		}
	}
	for i := range n {
		f, err := a.nextPush(ctx)
		if err != nil {
			return err
		}
		if !sameValue(f.Data, fmt.Appendf(nil, `{"for":"A","i":%d}`, i)) {
			c.failf("session A's push frame %d carries %s", i+1, c.showFrame(f.Data))
			break
		}
	}
	return nil
}

// oraclePatterns are the subscriptions of the pattern oracle: every form
// and operator of docs/protocol.md §5.
var oraclePatterns = []string{
	`type=job-join|job-leave`,
	`type=310|330;kind=sales-trigger`,
	`{"loc.region":["Europe"],"type":[{"prefix":"job-"}]}`,
	`{"employee":{"title":[{"wildcard":"*Chief*"},{"suffix":"Officer"}]}}`,
	`{"kind":["news-item"],"entities":{"type":["organisation"]}}`,
	`{"type":[{"anything-but":["quote","310"]}],"employee.old_job_title":[{"exists":true}]}`,
	`{"at":[{"numeric":[">",0]}],"org":[{"equals-ignore-case":"ibm"},{"equals-ignore-case":"siemens ag"}]}`,
	`{"kind":["sales-trigger"],"employee":[{"exists":false}]}`,
	`{"kind":"news-item","annotations":{"kind":["topic"]}}`,
}

// observe opens a {} session and one per oracle pattern, watches them
// for Options.Observe, and returns them, the {} session first.
func (c *checkCtx) observeAll(ctx context.Context) ([]*wsSession, error) {
	all, err := c.joinMain(ctx, "join with pattern {}", "{}")
	if err != nil {
		return nil, err
	}
	out := []*wsSession{all}
	for _, p := range oraclePatterns {
		s, err := c.joinMain(ctx, "join with pattern "+p, p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	t := time.NewTimer(c.opts.Observe)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, fmt.Errorf("observing: %w", ctx.Err())
	}
	return out, nil
}

func checkPatternOracle(ctx context.Context, c *checkCtx) error {
	ss, err := c.observeAll(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, s := range ss {
		total += s.triggerCount()
	}
	if ss[0].triggerCount() == 0 {
		return skipBecause(causeNoTrigger, "no trigger observed in %v on a session with pattern {}; nothing to check", c.opts.Observe)
	}
	c.note(fmt.Sprintf("observed %d sessions for %v", len(ss), c.opts.Observe),
		fmt.Sprintf("%d trigger frames checked against their sessions' patterns", total))
	return nil
}

func checkMatchAll(ctx context.Context, c *checkCtx) error {
	ss, err := c.observeAll(ctx)
	if err != nil {
		return err
	}
	all := ss[0]
	for _, s := range ss[1:] {
		s.close()
	}
	// A push marker: once it arrives, every trigger queued on {} before
	// the others closed has been read.
	if _, err := c.push(ctx, "push a marker into the {} session", all, []byte(`{"marker":true}`)); err != nil {
		return err
	}
	seen := map[string]bool{}
	for {
		f, err := all.next(ctx)
		if err != nil {
			return err
		}
		if f.Type == protocol.FramePush {
			break
		}
		seen[compact(f.Event)] = true
	}
	others := 0
	for _, s := range ss[1:] {
		missing := 0
		n := 0
		for {
			f, err := s.next(ctx)
			if err != nil {
				break
			}
			if f.Type == protocol.FrameTrigger {
				n++
				if !seen[compact(f.Event)] {
					missing++
				}
			}
		}
		others += n
		if missing > 0 {
			c.failf("session with pattern %s received %d triggers, %d of them never reached the session with pattern {}: {} received fewer triggers than it must", s.patText, n, missing)
		}
	}
	if len(seen) == 0 && others == 0 {
		return skipBecause(causeNoTrigger, "no trigger observed in %v; nothing to compare", c.opts.Observe)
	}
	c.note("compare triggers", fmt.Sprintf("{} received %d distinct triggers, the other sessions %d", len(seen), others))
	return nil
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}
