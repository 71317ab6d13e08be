package pattern

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabelsOf(t *testing.T) {
	tests := []struct {
		name, leaf string
		want       []string // kind/op/operand of each label; nil when the condition has none
	}{
		{"string", `"x"`, []string{"eq x"}},
		{"strings", `["x","y","x"]`, []string{"eq x", "eq y"}},
		{"fold keys shared", `[{"equals-ignore-case":"ibm"},{"equals-ignore-case":"IBM"}]`, []string{"fold IBM"}},
		{"kelvin folds with k", `[{"equals-ignore-case":"\u212a"}]`, []string{"fold K"}},
		{"prefix and suffix", `[{"prefix":"a"},{"suffix":"a"}]`, []string{"prefix a", "suffix a"}},
		{"booleans and null", `[true,false,null]`, []string{"bool false", "bool true", "null"}},
		{"exists", `[{"exists":true}]`, []string{"exists"}},
		{"number equality", `[1,1.0,10]`, []string{"num = 1", "num = 10"}},
		{"one bound", `[{"numeric":[">=",5]},{"numeric":["<",1]}]`, []string{"num < 1", "num >= 5"}},
		{"numeric =", `[{"numeric":["=",5]},5]`, []string{"num = 5"}},
		{"exists false", `[{"exists":false}]`, nil},
		{"two bounds", `[{"numeric":[">",1,"<",5]}]`, nil},
		{"not equal", `[{"numeric":["!=",1]}]`, nil},
		{"anything-but", `[{"anything-but":"x"}]`, nil},
		{"wildcard", `[{"wildcard":"*x"}]`, nil},
		{"one without", `["x",{"wildcard":"*x"}]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustParse(`{"f":` + tt.leaf + `}`)
			ls, ok := labelsOf(&p.conds[0], nil)
			if tt.want == nil {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			got := make([]string, len(ls))
			for i, l := range ls {
				got[i] = labelText(l)
			}
			assert.ElementsMatch(t, tt.want, got)
		})
	}
}

func labelText(l label) string {
	switch l.kind {
	case kEqString:
		return "eq " + l.s
	case kEqFold:
		return "fold " + l.s
	case kPrefix:
		return "prefix " + l.s
	case kSuffix:
		return "suffix " + l.s
	case kEqBool:
		return fmt.Sprint("bool ", l.b)
	case kEqNull:
		return "null"
	case kExists:
		return "exists"
	case kNumeric:
		return "num " + opText(l.op) + " " + l.n.String()
	case kTest:
		return "test " + strings.ReplaceAll(l.s, "\x00", " ")
	}
	return "?"
}

func TestPlan(t *testing.T) {
	many := func(n int) string {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = fmt.Sprintf(`"v%d"`, i)
		}
		return "[" + strings.Join(vs, ",") + "]"
	}
	tests := []struct {
		name, pattern string
		want          []string // path and label count of each step, or "test path"
	}{
		{"empty", `{}`, nil},
		{"by class", `{"a":[{"numeric":[">",1]}],"b":[{"exists":true}],"c":[{"prefix":"p"}],"d":"x"}`,
			[]string{"d 1", "c 1", "b 1", "a 1"}},
		{"fewer labels first", `{"b":["x","y"],"c":"z"}`, []string{"c 1", "b 2"}},
		{"path order among equals", `{"b":"x","a":"y"}`, []string{"a 1", "b 1"}},
		{"tests last", `{"a":[{"wildcard":"*x*"}],"b":"x","c":[{"exists":false}]}`,
			[]string{"b 1", "test a", "test c"}},
		{"leaves bounded", `{"a":` + many(10) + `,"b":` + many(7) + `,"c":` + many(6) + `}`,
			[]string{"c 6", "b 7", "test a"}},
		{"first always kept", `{"a":` + many(100) + `}`, []string{"a 100"}},
		{"later ones not", `{"a":` + many(100) + `,"b":"x"}`, []string{"b 1", "test a"}},
		{"first too big", `{"a":` + many(100) + `,"b":` + many(2) + `}`, []string{"b 2", "test a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustParse(tt.pattern)
			var got []string
			for _, s := range plan(p) {
				c := &p.conds[s.c]
				if s.labels[0].kind == kTest {
					require.Len(t, s.labels, 1)
					assert.Equal(t, condKey(c), s.labels[0].s)
					got = append(got, "test "+c.path)
					continue
				}
				got = append(got, fmt.Sprintf("%s %d", c.path, len(s.labels)))
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestFollowBounds checks each sorted list of bounds against the
// comparison itself, for numbers that float64 rounding makes equal.
func TestFollowBounds(t *testing.T) {
	nums := []string{"-1", "0", "1", "1.5", "2", "9007199254740992", "9007199254740993", "9007199254740994", "1e400"}
	values := append([]string{"-2", "0.5", "1.0", "1.75", "3", "9007199254740991", "9007199254740995", "1e300"}, nums[:len(nums)-1]...)
	for op := cmpEq; op <= cmpGe; op++ {
		if op == cmpNe {
			continue
		}
		var ed edge[int]
		var nodes []*node[int]
		for i, s := range nums {
			p := MustParse(fmt.Sprintf(`{"f":[{"numeric":[%q,%s]}]}`, opText(op), s))
			ls, ok := labelsOf(&p.conds[0], nil)
			require.True(t, ok)
			n := &node[int]{id: uint64(i)}
			ed.set(&ls[0], n)
			nodes = append(nodes, n)
		}
		require.Len(t, ed.x.bounds[op], len(nums))
		for _, vs := range values {
			for _, x := range []any{mustFloat(t, vs), json.Number(vs)} {
				var buf [decBufSize]byte
				v := classify(x, buf[:0])
				var want []*node[int]
				for _, n := range nodes {
					b := ed.x.bounds[op][slicesIndex(ed.x.bounds[op], n)]
					if r, _ := v.cmpNumber(b.n); op.test(r) {
						want = append(want, n)
					}
				}
				got := ed.follow(&v, nil)
				assert.ElementsMatch(t, want, got, "%T %s %s", x, vs, opText(op))
			}
		}
	}
}

func opText(op cmpOp) string {
	for s, o := range cmpOps {
		if o == op {
			return s
		}
	}
	return "?"
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	require.NoError(t, json.Unmarshal([]byte(s), &f))
	return f
}

func slicesIndex(bs []bound[int], n *node[int]) int {
	for i := range bs {
		if bs[i].child == n {
			return i
		}
	}
	return -1
}

func TestAffixes(t *testing.T) {
	var a affixes[int]
	n := &node[int]{}
	steps := []struct {
		key  string
		add  bool
		lens []int
	}{
		{"abc", true, []int{3}},
		{"a", true, []int{1, 3}},
		{"xyz", true, []int{1, 3}},
		{"", true, []int{0, 1, 3}},
		{"abc", false, []int{0, 1, 3}},
		{"xyz", false, []int{0, 1}},
		{"nope", false, []int{0, 1}},
		{"a", false, []int{0}},
		{"", false, nil},
	}
	for _, s := range steps {
		c := n
		if !s.add {
			c = nil
		}
		a.set(s.key, c)
		assert.Equal(t, s.lens, a.lens, "after %q", s.key)
	}
	assert.Empty(t, a.m)
	assert.Empty(t, a.refs)
}

func TestEdgeTests(t *testing.T) {
	var x edgeRest[int]
	nodes := map[string]*node[int]{"a": {id: 1}, "b": {id: 2}, "c": {id: 3}}
	for _, k := range []string{"a", "b", "c"} {
		x.setTest(k, nodes[k])
	}
	check := func(keys ...string) {
		t.Helper()
		require.Len(t, x.tests, len(keys))
		require.Len(t, x.testAt, len(keys))
		for _, k := range keys {
			i, ok := x.testAt[k]
			require.True(t, ok, k)
			assert.Equal(t, nodes[k], x.tests[i].child, k)
		}
	}
	check("a", "b", "c")
	x.setTest("a", nil)
	check("b", "c")
	x.setTest("c", nil)
	check("b")
	x.setTest("b", nil)
	assert.Nil(t, x.tests)
	assert.Nil(t, x.testAt)
}

// TestIndexTreeShape checks what a lookup reaches on a small tree: shared
// nodes, tests evaluated once per node, and patterns at several leaves.
func TestIndexTreeShape(t *testing.T) {
	ix := NewIndex[string]()
	ix.Add("w1", MustParse(`{"c":"US","t":[{"wildcard":"*Chief*"}]}`))
	ix.Add("w2", MustParse(`{"c":"US","t":[{"wildcard":"*Chief*"}]}`))
	ix.Add("or", MustParse(`{"o":["IBM",{"equals-ignore-case":"ibm"}]}`))
	us := ix.root.edges[0].eq["US"]
	require.NotNil(t, us)
	require.Len(t, us.edges, 1)
	require.Len(t, us.edges[0].x.tests, 1, "one test for both patterns")
	assert.Len(t, us.edges[0].x.tests[0].child.leaves, 2)
	e, _ := ix.entries["or"]
	assert.True(t, e.multi)
	assert.Len(t, e.locs, 2)
	got := ix.AppendMatches(nil, map[string]any{"c": "US", "t": "Chief Officer", "o": []any{"IBM", "Ibm"}})
	assert.ElementsMatch(t, []string{"w1", "w2", "or"}, got)
}
