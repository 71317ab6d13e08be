package oracle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mkCase builds a case from conditions, nested.
func mkCase(t testing.TB, rules []string, conds ...Cond) Case {
	t.Helper()
	c, ok := newCase(nested, conds, rules...)
	require.True(t, ok)
	return c
}

func eq(path string, v any) Cond { return Cond{Path: path, Leaf: []any{v}} }

// judgeCases: a single, a compound of it and another single, and the
// same single written dotted.
func judgeCases(t testing.TB) []Case {
	t.Helper()
	kind := eq("kind", "sales-trigger")
	region := eq("loc.region", "Europe")
	dotted, ok := newCase(shape{form: FormDotted}, []Cond{region}, RuleDotted)
	require.True(t, ok)
	return []Case{
		mkCase(t, []string{RuleEquality}, kind),    // 0
		mkCase(t, []string{RuleEquality}, region),  // 1
		mkCase(t, []string{RuleAnd}, kind, region), // 2
		dotted, // 3
		mkCase(t, []string{RuleCase}, eq("kind", "X")), // 4
	}
}

func judgeEvents(t testing.TB) []Event {
	t.Helper()
	var out []Event
	for _, s := range []string{
		`{"kind":"sales-trigger","loc":{"region":"Europe"}}`,
		`{"kind":"news-item"}`,
	} {
		ev := mustDecode(t, s)
		out = append(out, Event{Key: Key(ev), Value: ev})
	}
	return out
}

// faithfulDeliveries delivers what the cases' patterns match.
func faithfulDeliveries(cases []Case, events []Event) []map[string]bool {
	out := make([]map[string]bool, len(cases))
	for i := range cases {
		out[i] = map[string]bool{}
		for _, e := range events {
			if cases[i].Pattern().Match(e.Value) {
				out[i][e.Key] = true
			}
		}
	}
	return out
}

func allSettled(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

func TestCompare(t *testing.T) {
	cases, events := judgeCases(t), judgeEvents(t)
	for _, tc := range []struct {
		name    string
		tamper  func(d []map[string]bool, settled []bool)
		want    []Disagreement
		unsettl int
	}{
		{name: "faithful", tamper: func([]map[string]bool, []bool) {}},
		{name: "an extra delivery", tamper: func(d []map[string]bool, _ []bool) { d[4][events[1].Key] = true },
			want: []Disagreement{{Event: 1, Case: 4, Dir: Extra, Shrunk: 4}}},
		{name: "a missing delivery", tamper: func(d []map[string]bool, _ []bool) { delete(d[0], events[0].Key) },
			want: []Disagreement{{Event: 0, Case: 0, Dir: Missing, Shrunk: 0}}},
		{name: "a missing delivery on an unsettled session", tamper: func(d []map[string]bool, s []bool) {
			delete(d[0], events[0].Key)
			s[0] = false
		}, unsettl: 1},
		{name: "an extra delivery on an unsettled session still counts", tamper: func(d []map[string]bool, s []bool) {
			d[4][events[1].Key] = true
			s[4] = false
		}, want: []Disagreement{{Event: 1, Case: 4, Dir: Extra, Shrunk: 4}}},
		{name: "a case without a session", tamper: func(d []map[string]bool, _ []bool) { d[4] = nil }},
		{name: "a compound shrinks to its disagreeing condition", tamper: func(d []map[string]bool, _ []bool) {
			delete(d[1], events[0].Key)
			delete(d[2], events[0].Key)
		}, want: []Disagreement{{Event: 0, Case: 1, Dir: Missing, Shrunk: 1}, {Event: 0, Case: 2, Dir: Missing, Shrunk: 1}}},
		{name: "the shorter form of one condition is the smallest", tamper: func(d []map[string]bool, _ []bool) {
			delete(d[1], events[0].Key)
			delete(d[3], events[0].Key)
		}, want: []Disagreement{{Event: 0, Case: 1, Dir: Missing, Shrunk: 3}, {Event: 0, Case: 3, Dir: Missing, Shrunk: 3}}},
		{name: "a compound alone keeps itself", tamper: func(d []map[string]bool, _ []bool) { delete(d[2], events[0].Key) },
			want: []Disagreement{{Event: 0, Case: 2, Dir: Missing, Shrunk: 2}}},
		{name: "the other direction does not shrink", tamper: func(d []map[string]bool, _ []bool) {
			d[0][events[1].Key] = true
			delete(d[2], events[0].Key)
		}, want: []Disagreement{{Event: 0, Case: 2, Dir: Missing, Shrunk: 2}, {Event: 1, Case: 0, Dir: Extra, Shrunk: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := faithfulDeliveries(cases, events)
			settled := allSettled(len(cases))
			tc.tamper(d, settled)
			j := Compare(cases, Observed{Events: events, Delivered: d, Settled: settled})
			assert.ElementsMatch(t, tc.want, j.Disagreements)
			assert.Equal(t, tc.unsettl, j.Unsettled)
			assert.Equal(t, 2, j.Events)
		})
	}
}

func TestGroups(t *testing.T) {
	cases, events := judgeCases(t), judgeEvents(t)
	d := faithfulDeliveries(cases, events)
	delete(d[1], events[0].Key)
	delete(d[2], events[0].Key)
	d[4][events[0].Key] = true
	d[4][events[1].Key] = true
	j := Compare(cases, Observed{Events: events, Delivered: d, Settled: allSettled(len(cases))})
	gs := j.Groups(cases)
	require.Len(t, gs, 2)
	assert.Equal(t, Group{Case: 4, Dir: Extra, Events: []int{0, 1}, From: []int{4}}, gs[0], "most events first among singles")
	assert.Equal(t, Group{Case: 1, Dir: Missing, Events: []int{0}, From: []int{1, 2}, Smaller: true}, gs[1])
	assert.Equal(t, "delivered but §5 says no match", Extra.String())
	assert.Equal(t, "not delivered but §5 says match", Missing.String())
}

func TestAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cond  Cond
		event string
		want  bool
	}{
		{"plain", eq("a", "x"), `{"a":"y"}`, false},
		{"array in an array", eq("a", "x"), `{"a":[["x"]]}`, true},
		{"anything-but on an object", Cond{"a", []any{op("anything-but", "x")}}, `{"a":{"b":1}}`, true},
		{"anything-but on a scalar", Cond{"a", []any{op("anything-but", "x")}}, `{"a":"y"}`, false},
		{"exists:false, elements differ", Cond{"e.t", []any{op("exists", false)}}, `{"e":[{"t":1},{"u":2}]}`, true},
		{"exists:false, no element has it", Cond{"e.t", []any{op("exists", false)}}, `{"e":[{"u":1},{"u":2}]}`, false},
		{"exists:true, elements differ", Cond{"e.t", []any{op("exists", true)}}, `{"e":[{"t":1},{"u":2}]}`, false},
		{"numeric on a long number", Cond{"n", []any{op("numeric", []any{">", num("1")})}}, `{"n":12345678901234567}`, true},
		{"number equality on a long number", eq("n", num("1")), `{"n":12345678901234567}`, true},
		{"string equality on a long number", eq("n", "1"), `{"n":12345678901234567}`, false},
		{"numeric on a short number", Cond{"n", []any{op("numeric", []any{">", num("1")})}}, `{"n":0.93}`, false},
		{"anything-but a number, long number", Cond{"n", []any{op("anything-but", []any{num("1"), "x"})}}, `{"n":12345678901234567}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mkCase(t, []string{RuleEquality}, tc.cond)
			assert.Equal(t, tc.want, Ambiguous(&c, mustDecode(t, tc.event)))
		})
	}
}

func TestCompareLeavesAmbiguousOut(t *testing.T) {
	c := mkCase(t, []string{RuleAnythingBut}, Cond{"a", []any{op("anything-but", "x")}})
	ev := mustDecode(t, `{"a":{"b":1}}`)
	events := []Event{{Key: Key(ev), Value: ev}}
	j := Compare([]Case{c}, Observed{Events: events, Delivered: []map[string]bool{{events[0].Key: true}}, Settled: []bool{true}})
	assert.Empty(t, j.Disagreements)
	assert.Equal(t, 1, j.Ambiguous)
}

func TestSubset(t *testing.T) {
	for _, tc := range []struct {
		a, b []string
		want bool
	}{
		{nil, nil, true},
		{[]string{"a"}, []string{"a", "b"}, true},
		{[]string{"b"}, []string{"a", "b"}, true},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{"c"}, []string{"a", "b"}, false},
	} {
		assert.Equal(t, tc.want, subset(tc.a, tc.b), "%v ⊆ %v", tc.a, tc.b)
	}
}
