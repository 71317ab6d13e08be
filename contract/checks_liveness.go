package contract

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

func livenessChecks() []checkDef {
	const ref = "asyncapi.yaml#/channels/join/x-close-codes"
	return []checkDef{
		{Check: Check{ID: "LIVE-001", Title: "the server answers pings with pongs", Group: "liveness", Level: LevelMust,
			Section: "docs/protocol.md §3.2"}, run: checkPings},
		{Check: Check{ID: "LIVE-002", Title: "a client data frame over 4 KiB is closed with 1009", Group: "liveness", Level: LevelMust,
			Section: "docs/protocol.md §3.2", SpecRef: ref}, run: checkTooBig},
		{Check: Check{ID: "LIVE-003", Title: "client data frames up to 4 KiB are ignored", Group: "liveness", Level: LevelShould,
			Section: "docs/protocol.md §3.2"}, run: checkSmallFramesIgnored},
		{Check: Check{ID: "LIVE-004", Title: "every close code the server sends is one the spec declares", Group: "liveness", Level: LevelMust,
			Section: "docs/protocol.md §3.3", SpecRef: ref}, run: checkCloseCodes},
	}
}

func checkPings(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for i := range 3 {
		rtt, err := s.ping(ctx, fmt.Sprintf("contract-ping-%d", i))
		if err != nil {
			c.failf("ping %d: %v", i+1, err)
			return nil
		}
		c.addEvidence(Evidence{Step: fmt.Sprintf("ping %d", i+1), Note: "pong after " + rtt.String()})
	}
	return nil
}

// tooBig sends a text frame of n bytes and expects a close with the
// spec's message-too-big code.
func (c *checkCtx) tooBig(ctx context.Context, n int) error {
	if !declaredClose(c.spec, protocol.CloseMessageTooBig) {
		return fmt.Errorf("the spec does not declare close code %d", protocol.CloseMessageTooBig)
	}
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	step := fmt.Sprintf("send a text frame of %d bytes", n)
	// A write error is expected when the server closes before the frame
	// is through; what counts is the close that follows.
	_ = s.write(ctx, wsconn.Text, bytes.Repeat([]byte("x"), n))
	if err := s.waitClosed(ctx); err != nil {
		c.failf("%s: the session stayed open, want a close with %d", step, protocol.CloseMessageTooBig)
		return nil
	}
	if got := s.code(); got != protocol.CloseMessageTooBig {
		if got == 0 {
			c.failf("%s: the connection ended without a close frame, want a close with %d", step, protocol.CloseMessageTooBig)
		} else {
			c.failf("%s: the server closed with %d, want %d", step, got, protocol.CloseMessageTooBig)
		}
	}
	c.addEvidence(Evidence{Step: step, Note: fmt.Sprintf("closed with %d", s.code())})
	return nil
}

func checkTooBig(ctx context.Context, c *checkCtx) error {
	return c.tooBig(ctx, protocol.MaxClientFrame+1)
}

func checkSmallFramesIgnored(ctx context.Context, c *checkCtx) error {
	s, err := c.joinMain(ctx, "join with a pattern no event matches", quietPattern)
	if err != nil {
		return err
	}
	for _, n := range []int{1, 100, protocol.MaxClientFrame} {
		step := fmt.Sprintf("send a text frame of %d bytes", n)
		if err := s.write(ctx, wsconn.Text, bytes.Repeat([]byte("y"), n)); err != nil {
			return fmt.Errorf("%s: %v", step, err)
		}
		if _, err := c.push(ctx, "push after it", s, []byte(`{"after":true}`)); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		if _, err := s.nextPush(ctx); err != nil {
			c.failf("%s: the session did not stay usable: %v", step, err)
			return nil
		}
	}
	return nil
}

func checkCloseCodes(ctx context.Context, c *checkCtx) error {
	// Make the server send close codes: a frame too big, and a close of
	// ours that it answers.
	if err := c.tooBig(ctx, protocol.MaxClientFrame+1); err != nil {
		return err
	}
	s, err := c.joinMain(ctx, "join, then close with 1000", quietPattern)
	if err != nil {
		return err
	}
	s.close()
	seen := c.cov.closeCodes()
	var codes, bad []string
	for code, n := range seen {
		codes = append(codes, fmt.Sprintf("%d×%d", code, n))
		if !declaredClose(c.spec, code) {
			bad = append(bad, fmt.Sprint(code))
		}
	}
	sort.Strings(codes)
	sort.Strings(bad)
	if len(bad) > 0 {
		c.failf("the server sent close codes %s, which the spec does not declare (declared: %v)", strings.Join(bad, ", "), c.spec.CloseCodes())
	}
	c.note("close codes seen during the run", strings.Join(codes, " "))
	return nil
}
