package pattern

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linear is the reference answer: Match over every pattern.
func linear(ps map[int]*Pattern, event any) []int {
	var out []int
	for k, p := range ps {
		if p.Match(event) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func indexed(ix *Index[int], event any) []int {
	out := ix.AppendMatches(nil, event)
	slices.Sort(out)
	return out
}

func TestIndexMatch(t *testing.T) {
	patterns := map[string]string{
		"ibm":          `{"org":"IBM"}`,
		"ibm-joins":    `{"org":"IBM","type":["job-join","job-move"]}`,
		"bank":         `{"org":[{"wildcard":"*Bank*"}]}`,
		"articles":     `type=310|330`,
		"all":          `{}`,
		"us":           `{"loc":{"country":"US"}}`,
		"news-ibm":     `{"kind":"news-item","entities":{"type":"org","value":"IBM"}}`,
		"news-hashi":   `{"entities.value":["HashiCorp","Red Hat"]}`,
		"no-employee":  `{"employee":[{"exists":false}]}`,
		"recent":       `{"at":[{"numeric":[">=",1718000000000]}]}`,
		"sales-number": `{"kind":"sales-trigger","eid":12345}`,
		"ibm-any-case": `{"org":[{"equals-ignore-case":"ibm"}]}`,
		"ibm-or-sap":   `{"org":["SAP",{"equals-ignore-case":"IBM"},{"equals-ignore-case":"iBm"}]}`,
	}
	ix := NewIndex[string]()
	for k, p := range patterns {
		ix.Add(k, MustParse(p))
	}
	require.Equal(t, len(patterns), ix.Len())
	tests := []struct {
		name  string
		event string
		want  []string
	}{
		{"job join at IBM", salesJobJoin, []string{"all", "ibm", "ibm-any-case", "ibm-joins", "ibm-or-sap", "recent", "us"}},
		{"article at Deutsche Bank", salesArticle, []string{"all", "articles", "bank", "no-employee", "recent"}},
		{"news item", newsItem, []string{"all", "news-hashi", "news-ibm", "no-employee"}},
		{"empty event", `{}`, []string{"all", "no-employee"}},
		{"org in other case", `{"org":"Ibm"}`, []string{"all", "ibm-any-case", "ibm-or-sap", "no-employee"}},
		{"org in several cases", `{"org":["IBM","ibm","SAP"]}`, []string{"all", "ibm", "ibm-any-case", "ibm-or-sap", "no-employee"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := decodeFloat(t, tt.event)
			got := ix.AppendMatches(nil, ev)
			slices.Sort(got)
			assert.Equal(t, tt.want, got)
			var viaFn []string
			ix.Match(ev, func(k string) bool { viaFn = append(viaFn, k); return true })
			slices.Sort(viaFn)
			assert.Equal(t, tt.want, viaFn)
		})
	}
}

func TestIndexStop(t *testing.T) {
	ix := NewIndex[int]()
	for i := range 10 {
		ix.Add(i, MustParse(`{}`))
	}
	calls := 0
	ix.Match(map[string]any{}, func(int) bool { calls++; return calls < 3 })
	assert.Equal(t, 3, calls)
}

func TestIndexAddRemove(t *testing.T) {
	var ix Index[string] // the zero value is ready for use
	ev := decodeFloat(t, salesJobJoin)
	assert.Empty(t, ix.AppendMatches(nil, ev))
	ix.Remove("absent") // no-op

	ix.Add("a", MustParse(`org=IBM`))
	ix.Add("b", MustParse(`org=IBM|SAP`))
	ix.Add("c", nil)
	assert.ElementsMatch(t, []string{"a", "b", "c"}, ix.AppendMatches(nil, ev))

	ix.Add("a", MustParse(`org=SAP`)) // replace
	assert.Equal(t, 3, ix.Len())
	assert.ElementsMatch(t, []string{"b", "c"}, ix.AppendMatches(nil, ev))
	p, ok := ix.Get("a")
	require.True(t, ok)
	assert.Equal(t, `{"org":"SAP"}`, p.String())

	ix.Remove("b")
	ix.Remove("c")
	assert.Empty(t, ix.AppendMatches(nil, ev))
	ix.Remove("a")
	assert.Zero(t, ix.Len())
	assert.Empty(t, ix.root.edges, "unused nodes are dropped")
	assert.Empty(t, ix.root.leaves)
	_, ok = ix.Get("a")
	assert.False(t, ok)
}

func TestIndexSharesNodes(t *testing.T) {
	ix := NewIndex[int]()
	for i := range 100 {
		ix.Add(i, MustParse(fmt.Sprintf(`{"kind":"sales-trigger","org":"org-%d"}`, i)))
	}
	require.Len(t, ix.root.edges, 1)
	kind := ix.root.edges[0]
	assert.Equal(t, "kind", kind.path, "the shorter path first among equal classes")
	require.Len(t, kind.eq, 1, "one node for the shared condition")
	org := kind.eq["sales-trigger"].edges
	require.Len(t, org, 1)
	assert.Len(t, org[0].eq, 100)
}

// TestIndexEqualsLinear checks the index against a linear scan on random
// patterns and events, while patterns are added, replaced and removed.
func TestIndexEqualsLinear(t *testing.T) {
	ix := NewIndex[int]()
	ps := churn(t, rand.New(rand.NewPCG(1, 2)), ix, 3000, 400, 10)
	assert.Equal(t, len(ps), ix.Len())
}

// churn adds, replaces and removes random patterns under keys below keys
// for the given rounds, checks the index against a linear scan on a
// random event every check rounds, and returns the patterns left.
func churn(t testing.TB, r *rand.Rand, ix *Index[int], rounds, keys, check int) map[int]*Pattern {
	t.Helper()
	ps := map[int]*Pattern{}
	for round := range rounds {
		k := r.IntN(keys)
		if r.IntN(4) == 0 {
			ix.Remove(k)
			delete(ps, k)
		} else {
			p := MustParse(randPattern(r))
			ix.Add(k, p)
			ps[k] = p
		}
		if round%check != check-1 {
			continue
		}
		src := randEvent(r)
		for _, d := range decoders {
			ev := d.decode(t, src)
			require.Equal(t, linear(ps, ev), indexed(ix, ev), "event %s, patterns %v", src, ps)
		}
	}
	return ps
}

func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex[int]()
	r := rand.New(rand.NewPCG(3, 4))
	events := make([]any, 50)
	for i := range events {
		events[i] = decodeFloat(t, randEvent(r))
	}
	pats := make([]*Pattern, 200)
	for i := range pats {
		pats[i] = MustParse(randPattern(r))
		ix.Add(i, pats[i])
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var dst []int
			for i := range 300 {
				dst = ix.AppendMatches(dst[:0], events[(g+i)%len(events)])
				ix.Match(events[i%len(events)], func(int) bool { return true })
			}
		})
	}
	wg.Go(func() {
		for i := range 300 {
			k := i % len(pats)
			ix.Remove(k)
			ix.Add(k, pats[k])
		}
	})
	wg.Wait()
	assert.Equal(t, len(pats), ix.Len())
}

func TestIndexLookupDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	ix := NewIndex[int]()
	ix.Add(1, MustParse(`{"org":"IBM","type":["job-join","job-leave"]}`))
	ix.Add(2, MustParse(`{"entities.type":["org","person"]}`))
	ix.Add(3, MustParse(`{"loc.country":[{"prefix":"U"}]}`))
	ix.Add(4, MustParse(`{"employee.title":[{"equals-ignore-case":"chief marketing officer"}]}`))
	ix.Add(5, MustParse(`{"at":[{"numeric":[">",1]}],"employee.title":[{"wildcard":"*Chief*"},{"suffix":"x"}]}`))
	ix.Add(6, MustParse(`{"org":["IBM",{"prefix":"I"}],"type":[{"anything-but":"x"}]}`))
	ev := decodeFloat(t, salesJobJoin)
	news := decodeFloat(t, newsItem)
	dst := make([]int, 0, 8)
	require.Equal(t, []int{1, 3, 4, 5, 6}, sorted(ix.AppendMatches(dst, ev))) // also warms the pool
	allocs := testing.AllocsPerRun(100, func() {
		dst = ix.AppendMatches(dst[:0], ev)
		dst = ix.AppendMatches(dst[:0], news)
	})
	assert.Zero(t, allocs)
}

func TestAppendFold(t *testing.T) {
	samples := []string{"", "a", "A", "z", "Z", "k", "K", "\u212a", "s", "S", "ſ", "ß", "ẞ", "SS", "i", "I", "İ", "ı",
		"σ", "Σ", "ς", "ǅ", "Ǆ", "ǆ", "é", "É", "ÿ", "Ÿ", "µ", "μ", "Μ", "0", "@", "[", "`", "{", "\xff", "\ufffd",
		"München", "MÜNCHEN", "münchen", "IBM", "ibm", "İbm", "Deutsche Bank", "deutsche bank", "deutsche-bank"}
	for _, a := range samples {
		for _, b := range samples {
			fa, fb := string(appendFold(nil, a)), string(appendFold(nil, b))
			assert.Equal(t, strings.EqualFold(a, b), fa == fb, "%q vs %q", a, b)
		}
	}
	for r := rune(0); r < 0x2000; r++ {
		for _, f := range []rune{unicode.SimpleFold(r), unicode.ToUpper(r), unicode.ToLower(r), r + 1} {
			a, b := string(r), string(f)
			require.Equal(t, strings.EqualFold(a, b), string(appendFold(nil, a)) == string(appendFold(nil, b)), "%U vs %U", r, f)
		}
	}
}

func sorted(xs []int) []int {
	slices.Sort(xs)
	return xs
}
