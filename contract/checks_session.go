package contract

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// entropyJoins is how many sessions the id check opens.
const entropyJoins = 32

func sessionChecks() []checkDef {
	const ref = "asyncapi.yaml#/components/messages/session"
	return []checkDef{
		{Check: Check{ID: "SESS-001", Title: "the session frame comes first, with an id and a positive heartbeat", Group: "session", Level: LevelMust,
			Section: "docs/protocol.md §3.1", SpecRef: ref}, run: checkSessionFirst},
		{Check: Check{ID: "SESS-002", Title: "session ids are distinct, URL-safe and carry at least 128 bits", Group: "session", Level: LevelMust,
			Section: "docs/protocol.md §3.1", SpecRef: ref}, run: checkSessionIDs},
		{Check: Check{ID: "SESS-003", Title: "the session frame carries the subscription's pattern in JSON form", Group: "session", Level: LevelMust,
			Section: "docs/protocol.md §3.1, §5", SpecRef: ref}, run: checkSessionPattern},
	}
}

func checkSessionFirst(ctx context.Context, c *checkCtx) error {
	for _, pat := range []string{"{}", quietPattern, "type=job-join|job-leave"} {
		s, err := c.joinMain(ctx, "join with pattern "+pat, pat)
		if err != nil {
			return err
		}
		if !protocol.SessionIDPattern.MatchString(s.id) {
			c.failf("join with pattern %s: the session id has %d characters, not 22-64 URL-safe ones", pat, len(s.id))
		}
		if s.heartbeat <= 0 {
			c.failf("join with pattern %s: the session frame has no positive heartbeat", pat)
		}
		s.frameEvidence("")
	}
	return nil
}

func checkSessionIDs(ctx context.Context, c *checkCtx) error {
	ids := make([]string, entropyJoins)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, 8)
	)
	for i := range ids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := c.joinMain(ctx, fmt.Sprintf("join %d of %d", i+1, entropyJoins), quietPattern)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			ids[i] = s.id
			s.close()
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errs[0]
	}
	for _, p := range sessionIDProblems(ids) {
		c.failf("%s", p)
	}
	c.addEvidence(Evidence{Step: fmt.Sprintf("%d joins", entropyJoins), Note: "ids are not shown; they are secrets"})
	return nil
}

// sessionIDProblems says what is wrong with a set of session ids, without
// showing them: duplicates, a wrong shape, shared prefixes or suffixes
// (sequential or structured ids), too few bits.
func sessionIDProblems(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	alphabet := map[rune]bool{}
	minLen := math.MaxInt
	for i, id := range ids {
		if seen[id] {
			out = append(out, fmt.Sprintf("session id of join %d repeats an earlier one: ids are not distinct", i+1))
		}
		seen[id] = true
		if !protocol.SessionIDPattern.MatchString(id) {
			out = append(out, fmt.Sprintf("session id of join %d has %d characters, not 22-64 of [A-Za-z0-9_-]: wrong shape", i+1, len(id)))
		}
		for _, r := range id {
			alphabet[r] = true
		}
		minLen = min(minLen, len(id))
	}
	const shared = 8
	worstPrefix, worstSuffix := 0, 0
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			if ids[i] == ids[j] {
				continue
			}
			worstPrefix = max(worstPrefix, commonPrefix(ids[i], ids[j]))
			worstSuffix = max(worstSuffix, commonPrefix(reverse(ids[i]), reverse(ids[j])))
		}
	}
	if worstPrefix >= shared {
		out = append(out, fmt.Sprintf("two session ids share a prefix of %d characters: ids look sequential or structured, not random", worstPrefix))
	}
	if worstSuffix >= shared {
		out = append(out, fmt.Sprintf("two session ids share a suffix of %d characters: ids look sequential or structured, not random", worstSuffix))
	}
	if len(alphabet) > 1 && minLen < math.MaxInt {
		bits := math.Log2(float64(len(alphabet))) * float64(minLen)
		if bits < 128 {
			out = append(out, fmt.Sprintf("session ids of %d characters from an alphabet of %d carry at most %.0f bits, fewer than 128", minLen, len(alphabet), bits))
		}
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func checkSessionPattern(ctx context.Context, c *checkCtx) error {
	for _, pat := range []string{
		"{}",
		`{"type":["job-join","job-leave"],"org":"IBM"}`,
		"type=job-join|job-leave;org=IBM",
		`{"loc.city":[{"prefix":"Mu"}],"employee":{"title":[{"wildcard":"*Chief*"}]}}`,
	} {
		step := "join with pattern " + pat
		s, err := c.joinMain(ctx, step, pat)
		if err != nil {
			return err
		}
		want := pattern.MustParse(pat)
		raw := strings.TrimSpace(string(s.echoed))
		if !strings.HasPrefix(raw, "{") {
			c.failf("%s: the session frame's pattern is not a JSON object", step)
			continue
		}
		got, err := pattern.Parse(raw)
		if err != nil {
			c.failf("%s: the session frame's pattern does not parse: %v", step, err)
			continue
		}
		if got.String() != want.String() {
			c.failf("%s: the session frame's pattern is %s, want %s", step, truncate(got.String(), 200), truncate(want.String(), 200))
		}
	}
	return nil
}
