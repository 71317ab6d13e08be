package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

const pushRef = "openapi.yaml#/paths/~1api~1v1~1websocket~1session/post/responses/"

// should marks a check whose rule is a SHOULD.
func should(d checkDef) checkDef {
	d.Level = LevelShould
	return d
}

// other marks a check that needs a second tenant.
func other(d checkDef) checkDef {
	d.needsOther = true
	return d
}

func pushChecks() []checkDef {
	d := func(id, title, section, ref string, run func(context.Context, *checkCtx) error) checkDef {
		return checkDef{Check: Check{ID: id, Title: title, Group: "push", Level: LevelMust, Section: section, SpecRef: ref}, run: run}
	}
	return []checkDef{
		d("PUSH-001", "a push is 202 with the session and the seq of the push frame that arrives", "docs/protocol.md §4", pushRef+"202", checkPushAccepted),
		d("PUSH-002", "pushed values arrive as the same JSON value: objects, arrays, strings, numbers a double holds, booleans, null, Unicode, 64 KiB", "docs/protocol.md §3.1, §4", "asyncapi.yaml#/components/messages/push", checkPushValues),
		d("PUSH-003", "seq counts triggers and pushes together from 1 without gaps", "docs/protocol.md §3.1", "asyncapi.yaml#/channels/join", checkSeqAcross),
		d("PUSH-004", "200 sequential pushes arrive in order", "docs/protocol.md §3.1, §4", "", checkPushOrder),
		d("PUSH-005", "concurrent pushes are each delivered once, with distinct seqs", "docs/protocol.md §3.1, §4", "", checkPushConcurrent),
		d("PUSH-006", "push without a session parameter is 400 missing_session", "docs/protocol.md §4", pushRef+"400", checkPushMissingSession),
		d("PUSH-007", "push with an empty or non-JSON body is 400 invalid_body", "docs/protocol.md §4", pushRef+"400", checkPushInvalidBody),
		d("PUSH-008", "push to an unknown session is 404 session_not_found", "docs/protocol.md §4", pushRef+"404", checkPushUnknown),
		d("PUSH-009", "push with any method but POST is 405 with Allow: POST", "docs/protocol.md §4", pushRef+"405", checkPushMethods),
		d("PUSH-010", "push of a body over 64 KiB is 413 payload_too_large", "docs/protocol.md §4", pushRef+"413", checkPushTooLarge),
		d("PUSH-011", "push with a content type other than application/json is 415", "docs/protocol.md §4", pushRef+"415", checkPushMediaType),
		d("PUSH-012", "push to a closed session is 404", "docs/protocol.md §4", pushRef+"404", checkPushAfterClose),
		other(d("PUSH-013", "push to another tenant's session is 404 and delivers nothing", "docs/protocol.md §4", pushRef+"404", checkPushOtherTenant)),
		should(d("PUSH-014", "numbers a double cannot hold exactly arrive with their exact value", "docs/protocol.md §3.1", "asyncapi.yaml#/components/messages/push", checkPushPrecision)),
		d("PUSH-015", "push of invalid UTF-8 is 400 invalid_body, takes no seq, and the session goes on", "docs/protocol.md §4", pushRef+"400", checkPushInvalidUTF8),
		d("PUSH-016", "a push nested 128 deep arrives; one nested deeper is 400 invalid_body", "docs/protocol.md §4", pushRef+"400", checkPushNesting),
	}
}

func checkPushAccepted(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	body := []byte(`{"hello":"world"}`)
	seq, err := c.push(ctx, "push an object", s, body)
	if err != nil {
		return err
	}
	f, err := s.nextPush(ctx)
	if err != nil {
		return err
	}
	if f.Seq != seq {
		c.failf("the push frame has seq %d, but the 202 said seq %d", f.Seq, seq)
	}
	if d := compareValues(body, f.Data); d != nil && d.must {
		c.failf("the push frame carries %s, want %s: %s", c.showFrame(f.Data), body, d.what)
	}
	s.frameEvidence("")
	return nil
}

// pushValues are the values PUSH-002 sends: every kind of JSON value,
// with numbers a double holds exactly, or whose nearest double is all a
// double-parsing server can keep.
func pushValues() []pushValue {
	pad := strings.Repeat("x", protocol.MaxPushBody-len(`{"pad":""}`))
	return []pushValue{
		{"an object with unsorted keys", `{"zeta":1,"alpha":[1,2,{"c":null}],"mid":{"y":"x","b":false}}`},
		{"an array of mixed values", `[1,"two",3.50,true,null,{"k":"v"},[]]`},
		{"a string with escapes", `"quote \" backslash \\ tab \t newline \n"`},
		{"integers at the edge of a double", `[9007199254740992,-9007199254740992,0,-0,1e3]`},
		{"a decimal with trailing zeros", `1.500`},
		{"a negative exponent", `-2.5e-8`},
		{"true", `true`},
		{"false", `false`},
		{"null", `null`},
		{"Unicode text", `{"text":"Grüße, 東京, שלום, 🎉","escaped":"\u00e9\ud83d\ude00","nfd":"e\u0301"}`},
		{"an empty object", `{}`},
		{"a 64 KiB object", `{"pad":"` + pad + `"}`},
	}
}

// pushValue is one value a check pushes, named for messages.
type pushValue struct{ kind, body string }

// precisePushValues are the values PUSH-014 sends: numbers a double
// cannot hold exactly, which a server should still keep exactly.
func precisePushValues() []pushValue {
	return []pushValue{
		{"a 23-digit integer", `12345678901234567890123`},
		{"an integer just over 2^53", `9007199254740993`},
		{"a decimal of 30 digits", `3.14159265358979323846264338327`},
		{"a tiny decimal of many digits", `1.000000000000000000000000001e-30`},
		{"numbers beyond a double in an object", `{"id":123456789012345678901234567890,"ratio":0.30000000000000000000001}`},
	}
}

func checkPushValues(ctx context.Context, c *checkCtx) error {
	return c.pushEach(ctx, pushValues(), func(step string, d *valueDiff) {
		if d.must {
			c.failf("%s: the value arrived changed at %q: %s", step, d.where, d.what)
		}
	})
}

func checkPushPrecision(ctx context.Context, c *checkCtx) error {
	return c.pushEach(ctx, precisePushValues(), func(step string, d *valueDiff) {
		c.failf("%s: the value arrived changed at %q: %s", step, d.where, d.what)
	})
}

// pushEach pushes each value into a session, reads its push frame and
// passes every departure to judge. The evidence shows what was sent and
// what arrived.
func (c *checkCtx) pushEach(ctx context.Context, values []pushValue, judge func(step string, d *valueDiff)) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for _, v := range values {
		step := "push " + v.kind
		seq, err := c.push(ctx, step, s, []byte(v.body))
		if err != nil {
			return err
		}
		f, err := s.nextPush(ctx)
		if err != nil {
			return err
		}
		if f.Seq != seq {
			c.failf("%s: the push frame has seq %d, the 202 said %d", step, f.Seq, seq)
		}
		if d := compareValues([]byte(v.body), f.Data); d != nil {
			judge(step, d)
			c.note(step, "sent:     "+excerpt([]byte(v.body), 200)+"\nreceived: "+c.showFrame(f.Data))
		}
	}
	return nil
}

func checkSeqAcross(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with pattern {}", "{}")
	if err != nil {
		return err
	}
	want := map[uint64]int{}
	pushSome := func(round int) error {
		for i := range 10 {
			seq, err := c.push(ctx, fmt.Sprintf("push %d of round %d", i+1, round), s, fmt.Appendf(nil, `{"round":%d,"i":%d}`, round, i))
			if err != nil {
				return err
			}
			want[seq] = round*100 + i
		}
		return nil
	}
	var frames []frame
	// Pushes, then wait (bounded) for triggers, then pushes again, so
	// that pushes and triggers interleave.
	if err := pushSome(1); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, min(2*time.Second, c.opts.Timeout/2))
	triggers := 0
	for triggers < 2 {
		f, err := s.next(wctx)
		if err != nil {
			break
		}
		frames = append(frames, f)
		if f.Type == protocol.FrameTrigger {
			triggers++
		}
	}
	cancel()
	if err := pushSome(2); err != nil {
		return err
	}
	pushes := 0
	for _, f := range frames {
		if f.Type == protocol.FramePush {
			pushes++
		}
	}
	for pushes < len(want) {
		f, err := s.next(ctx)
		if err != nil {
			return fmt.Errorf("waiting for the push frames: %w", err)
		}
		frames = append(frames, f)
		if f.Type == protocol.FramePush {
			pushes++
		}
	}
	for i, f := range frames {
		if f.Seq != uint64(i+1) {
			c.failf("frame %d has seq %d: seq must count from 1 without gaps", i+1, f.Seq)
			break
		}
		if f.Type != protocol.FramePush {
			continue
		}
		var v struct{ Round, I int }
		if json.Unmarshal(f.Data, &v) != nil || want[f.Seq] != v.Round*100+v.I {
			c.failf("the push frame with seq %d does not carry the value whose 202 said seq %d", f.Seq, f.Seq)
		}
	}
	note := fmt.Sprintf("%d frames, %d of them triggers", len(frames), len(frames)-pushes)
	if len(frames) == pushes {
		note += "; no trigger arrived, so seq was checked over pushes only"
	}
	s.frameEvidence(note)
	return nil
}

func checkPushOrder(ctx context.Context, c *checkCtx) error {
	const n = 200
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	seqs := make([]uint64, n)
	for i := range n {
		if seqs[i], err = c.push(ctx, fmt.Sprintf("push %d of %d", i+1, n), s, fmt.Appendf(nil, `{"i":%d}`, i)); err != nil {
			return err
		}
		if i > 0 && seqs[i] <= seqs[i-1] {
			c.failf("push %d got seq %d after seq %d: the 202 seqs are out of order", i+1, seqs[i], seqs[i-1])
		}
	}
	for i := range n {
		f, err := s.nextPush(ctx)
		if err != nil {
			return fmt.Errorf("after %d of %d push frames: %w", i, n, err)
		}
		var v struct{ I int }
		if json.Unmarshal(f.Data, &v) != nil || v.I != i {
			c.failf("push frame %d carries %s, want push %d: pushes arrived out of order", i+1, c.showFrame(f.Data), i+1)
			return nil
		}
		if f.Seq != seqs[i] {
			c.failf("push frame %d has seq %d, the 202 said %d", i+1, f.Seq, seqs[i])
		}
	}
	return nil
}

func checkPushConcurrent(ctx context.Context, c *checkCtx) error {
	const workers, each = 8, 25
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs = map[uint64]bool{}
		errs []error
	)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				seq, err := c.push(ctx, fmt.Sprintf("push %d of worker %d", i+1, w+1), s, fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if seqs[seq] {
					c.failf("two concurrent pushes got the same seq %d: duplicate", seq)
				}
				seqs[seq] = true
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	// A marker last, so that a duplicate of any value arrives before it.
	if _, err := c.push(ctx, "push a marker after the concurrent pushes", s, []byte(`{"marker":true}`)); err != nil {
		return err
	}
	got := map[string]int{}
	for {
		f, err := s.nextPush(ctx)
		if err != nil {
			return fmt.Errorf("after %d distinct push frames: %w", len(got), err)
		}
		key := valueKey(f.Data)
		if key == valueKey([]byte(`{"marker":true}`)) {
			break
		}
		got[key]++
		if got[key] == 2 {
			c.failf("value %s was delivered twice: duplicate push frame", c.showFrame(f.Data))
		}
	}
	if len(got) != workers*each {
		c.failf("%d of %d concurrent pushes arrived before a later one: frames lost", len(got), workers*each)
	}
	return nil
}
