package oracle

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/spec/pattern"
)

// checkCases asserts what every Generate result must hold: valid,
// small and shallow patterns, conditions that say what the text says,
// distinct texts, rules named, and a case of its own for every
// condition of a compound case.
func checkCases(t testing.TB, cases []Case, maxCases int) {
	t.Helper()
	require.LessOrEqual(t, len(cases), maxCases)
	texts := map[string]bool{}
	singles := map[string]bool{}
	for _, c := range cases {
		if len(c.Conds) == 1 {
			singles[c.keys[0]] = true
		}
	}
	for _, c := range cases {
		p, err := pattern.Parse(c.Text)
		require.NoError(t, err, c.Text)
		require.LessOrEqual(t, len(c.Text), pattern.MaxSize, c.Text)
		for _, f := range p.Fields() {
			require.LessOrEqual(t, strings.Count(f, ".")+1, pattern.MaxDepth, c.Text)
		}
		require.Equal(t, p.String(), c.Pattern().String(), c.Text)
		require.Equal(t, p.String(), condsPattern(t, c.Conds).String(), "the conditions of %s", c.Text)
		require.False(t, texts[c.Text], "duplicate %s", c.Text)
		texts[c.Text] = true
		require.NotEmpty(t, c.Rules, c.Text)
		if len(c.Conds) > 1 {
			for _, k := range c.keys {
				require.True(t, singles[k], "%s: condition %s has no case of its own", c.Text, k)
			}
		}
	}
}

// condsPattern parses conditions written as dotted keys.
func condsPattern(t testing.TB, conds []Cond) *pattern.Pattern {
	t.Helper()
	var parts []string
	for _, c := range conds {
		parts = append(parts, quoteJSON(c.Path)+":"+leafJSON(c.Leaf, false))
	}
	p, err := pattern.Parse("{" + strings.Join(parts, ",") + "}")
	require.NoError(t, err)
	return p
}

func rulesOf(cases []Case) map[string]int {
	out := map[string]int{}
	for _, c := range cases {
		for _, r := range c.Rules {
			out[r]++
		}
	}
	return out
}

func TestGenerateCoversEveryRule(t *testing.T) {
	both := append(edgeEvents(t), recordingEvents(t, 100)...)
	for _, tc := range []struct {
		name   string
		events []map[string]any
		// lacking are the rules the events give no ground for.
		lacking []string
	}{
		{"edge events", edgeEvents(t), []string{RuleNumericOnly}},
		{"mock recording", recordingEvents(t, 100), []string{RuleNumericOnly, RuleNull}},
		{"both", both, []string{RuleNumericOnly}},
		{"two plain events", []map[string]any{mustDecode(t, `{"kind":"alpha"}`), mustDecode(t, `{"kind":"beta","n":1}`)},
			[]string{RuleNumericString, RuleNull, RuleArrayAny, RuleArrayElements, RuleNested, RuleDotted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cases := Generate(Learn(tc.events), nil)
			checkCases(t, cases, DefaultMax)
			got := rulesOf(cases)
			for _, r := range AllRules() {
				if !slices.Contains(tc.lacking, r) {
					assert.Positive(t, got[r], "no case for %q", r)
				}
			}
		})
	}
}

func TestGenerateFillsTheCapOnTheRecording(t *testing.T) {
	for _, n := range []int{40, 100, 600} {
		cases := Generate(Learn(recordingEvents(t, n)), &Options{Max: DefaultMax - 1})
		assert.Len(t, cases, DefaultMax-1, "%d events", n)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	m := Learn(recordingEvents(t, 100))
	texts := func(seed uint64) []string {
		var out []string
		for _, c := range Generate(m, &Options{Seed: seed}) {
			out = append(out, c.Text)
		}
		return out
	}
	assert.Equal(t, texts(7), texts(7))
	assert.NotEqual(t, texts(7), texts(8), "the seed chooses values and pieces")
}

func TestGenerateSmallCap(t *testing.T) {
	for _, max := range []int{1, 2, 5, 30} {
		cases := Generate(Learn(edgeEvents(t)), &Options{Max: max})
		checkCases(t, cases, max)
	}
}

func TestGenerateNoEvents(t *testing.T) {
	assert.Empty(t, Generate(Learn(nil), nil))
}

// TestGenerateMeansWhatItSays checks the intent of some families on the
// events they were learned from.
func TestGenerateMeansWhatItSays(t *testing.T) {
	events := append(edgeEvents(t), recordingEvents(t, 100)...)
	cases := Generate(Learn(events), nil)
	matches := func(c Case) int {
		n := 0
		for _, ev := range events {
			if c.Pattern().Match(ev) {
				n++
			}
		}
		return n
	}
	for _, c := range cases {
		switch {
		case slices.Equal(c.Rules, []string{RuleNumericString}):
			assert.Zero(t, matches(c), "numeric on strings matched: %s", c.Text)
		case slices.Contains(c.Rules, RuleArrayElements):
			assert.Positive(t, matches(c), "a pair on an array's elements matched nothing: %s", c.Text)
		case slices.Equal(c.Rules, []string{RuleCase}) && len(c.Conds) == 1 && len(c.Conds[0].Leaf) == 1:
			if _, isString := c.Conds[0].Leaf[0].(string); isString {
				assert.Zero(t, matches(c), "a case flip matched: %s", c.Text)
			}
		}
	}
	var folds, flips int
	for _, c := range cases {
		if slices.Contains(c.Rules, RuleFold) && matches(c) > 0 {
			folds++
		}
		if slices.Contains(c.Rules, RuleCase) {
			flips++
		}
	}
	assert.Positive(t, folds, "no equals-ignore-case case matched a learned event")
	assert.Positive(t, flips)
}
