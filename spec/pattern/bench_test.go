package pattern

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

func BenchmarkMatch(b *testing.B) {
	cases := []struct {
		name, pattern, event string
	}{
		{"documented/hit", `{"type":"310","org":"Deutsche Bank"}`, salesArticle},
		{"documented/miss", `{"type":"310","org":"IBM"}`, salesArticle},
		{"rule/hit", `type=job-join|job-leave;org=IBM;loc.country=US`, salesJobJoin},
		{"org-set/hit", `{"org":["SAP","Oracle","Siemens","BASF","Bayer","Allianz","Daimler","BMW","IBM"]}`, salesJobJoin},
		{"operators/hit", `{"type":[{"prefix":"job-"}],"employee.title":[{"wildcard":"*Marketing*"}],"at":[{"numeric":[">=",1718000000000]}]}`, salesJobJoin},
		{"anything-but/hit", `{"type":[{"anything-but":["job-leave","job-move"]}],"employee":{"title":[{"exists":true}]}}`, salesJobJoin},
		{"entities/hit", `{"kind":"news-item","entities":{"type":"person","value":"Arvind Krishna"}}`, newsItem},
		{"entities/miss", `{"kind":"news-item","entities":{"type":"place"}}`, newsItem},
		{"absent/miss", `{"employee.title":"CEO"}`, salesArticle},
	}
	for _, tt := range cases {
		p := MustParse(tt.pattern)
		for _, d := range decoders {
			ev := d.decode(b, tt.event)
			b.Run(tt.name+"/"+d.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p.Match(ev)
				}
			})
		}
	}
}

var (
	benchTypes     = []string{"job-join", "job-leave", "job-move", "location-move", "person-mention", "quote", "310", "330"}
	benchCountries = []string{"US", "DE", "GB", "FR", "IT", "ES", "NL", "CH", "AT", "SE", "PL", "IN", "JP", "CN", "BR", "CA", "AU"}
)

const benchOrgs = 3000

func benchOrg(r *rand.Rand) string { return fmt.Sprintf("Org %d", r.IntN(benchOrgs)) }

// benchPattern returns one pattern of a realistic mix: most subscriptions
// follow organisations, others types, countries or news entities; a few
// use operators only or subscribe to everything.
func benchPattern(r *rand.Rand, i int) string {
	if i%10000 == 0 {
		return `{}`
	}
	switch n := r.IntN(1000); {
	case n < 450:
		return fmt.Sprintf(`{"org":%q}`, benchOrg(r))
	case n < 600:
		return fmt.Sprintf(`{"org":%q,"type":[%q,%q]}`, benchOrg(r), pick(r, benchTypes), pick(r, benchTypes))
	case n < 700:
		return fmt.Sprintf(`type=%s|%s;loc.country=%s`, pick(r, benchTypes), pick(r, benchTypes), pick(r, benchCountries))
	case n < 800:
		return fmt.Sprintf(`{"kind":"news-item","entities":{"type":"org","value":%q}}`, benchOrg(r))
	case n < 850:
		return fmt.Sprintf(`{"loc":{"country":%q},"employee.title":[{"wildcard":"*Chief*"}]}`, pick(r, benchCountries))
	case n < 900:
		return fmt.Sprintf(`{"type":%q,"at":[{"numeric":[">=",%d]}]}`, pick(r, benchTypes), 1718000000000+r.IntN(1000000))
	case n < 950:
		return fmt.Sprintf(`{"org":[{"equals-ignore-case":%q},%q]}`, benchOrg(r), benchOrg(r))
	case n < 995:
		return fmt.Sprintf(`{"org":["%s","%s","%s"],"loc.country":[{"anything-but":"US"}]}`, benchOrg(r), benchOrg(r), benchOrg(r))
	case n < 998:
		return fmt.Sprintf(`{"org":[{"prefix":"Org %d"}]}`, r.IntN(100))
	}
	return fmt.Sprintf(`{"at":[{"numeric":[">",%d]}],"type":[{"prefix":"job-"}]}`, 1718000000000+r.IntN(1000000))
}

// benchEvent returns a sales trigger or a news item about random orgs.
func benchEvent(r *rand.Rand) any {
	if r.IntN(4) == 0 {
		return map[string]any{
			"kind": "news-item", "uid": "n-1", "headline": "headline",
			"entities": []any{
				map[string]any{"type": "org", "value": benchOrg(r), "relevance": 0.9},
				map[string]any{"type": "org", "value": benchOrg(r), "relevance": 0.5},
				map[string]any{"type": "person", "value": "Ann Smith", "relevance": 0.4},
			},
		}
	}
	return map[string]any{
		"kind": "sales-trigger", "id": "st-1", "at": float64(1718000000000 + r.IntN(1000000)),
		"type": pick(r, benchTypes), "org": benchOrg(r),
		"loc":      map[string]any{"country": pick(r, benchCountries), "city": "City"},
		"employee": map[string]any{"name": "Ann Smith", "title": "Chief Marketing Officer"},
	}
}

// BenchmarkIndex compares an Index lookup with a linear scan of Match
// over the same 100,000 patterns. Besides matches/op it reports ns/match
// and, for index, the heap the index takes per pattern (B/pattern, the
// patterns themselves not counted). index-miss looks up events that only
// the {} patterns match: the per-event cost of a lookup.
func BenchmarkIndex(b *testing.B) {
	const n = 100_000
	r := rand.New(rand.NewPCG(11, 12))
	ps := make([]*Pattern, n)
	for i := range ps {
		ps[i] = MustParse(benchPattern(r, i))
	}
	before := heapInUse()
	ix := NewIndex[int]()
	for i := range ps {
		ix.Add(i, ps[i])
	}
	perPattern := float64(heapInUse()-before) / n
	events := make([]any, 256)
	for i := range events {
		events[i] = benchEvent(r)
	}
	misses := make([]any, len(events))
	for i := range misses {
		misses[i] = benchMiss(r)
	}
	lookup := func(events []any) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]int, 0, 1024)
			matches, i := 0, 0
			for b.Loop() {
				dst = ix.AppendMatches(dst[:0], events[i%len(events)])
				matches += len(dst)
				i++
			}
			b.ReportMetric(float64(matches)/float64(i), "matches/op")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(matches, 1)), "ns/match")
			b.ReportMetric(perPattern, "B/pattern")
		}
	}
	b.Run("index", lookup(events))
	b.Run("index-miss", lookup(misses))
	b.Run("linear", func(b *testing.B) {
		b.ReportAllocs()
		matches, i := 0, 0
		for b.Loop() {
			ev := events[i%len(events)]
			for _, p := range ps {
				if p.Match(ev) {
					matches++
				}
			}
			i++
		}
		b.ReportMetric(float64(matches)/float64(i), "matches/op")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(matches, 1)), "ns/match")
	})
}

// benchMiss returns an event shaped like benchEvent that only the {}
// patterns match.
func benchMiss(r *rand.Rand) any {
	ev := benchEvent(r).(map[string]any)
	if ev["kind"] == "news-item" {
		ev["kind"] = "news-digest"
		return ev
	}
	ev["org"], ev["type"], ev["at"] = "Nobody", "none", float64(0)
	ev["loc"] = map[string]any{"country": "XX", "city": "City"}
	return ev
}

// heapInUse returns the live heap after a garbage collection.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkIndexAddRemove measures churn: one subscription leaving and one
// joining in an index of 100,000.
func BenchmarkIndexAddRemove(b *testing.B) {
	const n = 100_000
	r := rand.New(rand.NewPCG(13, 14))
	ix := NewIndex[int]()
	ps := make([]*Pattern, n)
	for i := range ps {
		ps[i] = MustParse(benchPattern(r, i))
		ix.Add(i, ps[i])
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := i % n
		ix.Remove(k)
		ix.Add(k, ps[(k+1)%n])
		i++
	}
}

func BenchmarkParse(b *testing.B) {
	for _, s := range []string{
		`type=job-join|job-leave;org=IBM`,
		`{"type":["job-join","job-leave"],"org":"IBM","employee":{"title":[{"wildcard":"*Chief*"}]},"at":[{"numeric":[">=",10,"<",20]}]}`,
	} {
		b.Run(s[:8], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(s)
			}
		})
	}
}
