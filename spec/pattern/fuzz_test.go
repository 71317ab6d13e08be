package pattern

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzEvents are decoded both ways once, for FuzzParse.
func fuzzEvents(t testing.TB) []any {
	srcs := []string{salesJobJoin, salesArticle, newsItem, `{}`, `{"a":null}`, `{"a":[]}`,
		`{"a":{"b":[1,"x",true,null,{"c":2}]}}`, `[1]`}
	r := rand.New(rand.NewPCG(5, 6))
	for range 8 {
		srcs = append(srcs, randEvent(r))
	}
	var out []any
	for _, d := range decoders {
		for _, s := range srcs {
			out = append(out, d.decode(t, s))
		}
	}
	return out
}

func addPatternSeeds(f *testing.F) {
	for _, tt := range matchCases {
		f.Add(tt.pattern)
	}
	for _, s := range []string{"", "{}", "{", "x", "a=b", "a=%", "a.b=c|d;e=f", `{"a":[{"wildcard":"\\*"}]}`,
		`{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}`, `{"n":[1e400,-0,0.000001,1e21,123456789012345678901234567890]}`,
		`{"a":[{"anything-but":[1,"1",1.0]}]}`, `{"a":"x","a.b":"y"}`, " type = a | b ; ", `{"%":"="}`, `{"a":"\u0000"}`} {
		f.Add(s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		f.Add(randPattern(r))
	}
}

// FuzzParse checks that Parse never panics, that errors are *Error, and
// that the canonical form and the rule form parse back to an equivalent
// pattern.
func FuzzParse(f *testing.F) {
	addPatternSeeds(f)
	events := fuzzEvents(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var perr *Error
			require.True(t, errors.As(err, &perr), "%T", err)
			require.Nil(t, p)
			require.True(t, strings.HasPrefix(err.Error(), "pattern: "))
			return
		}
		c := p.String()
		require.LessOrEqual(t, len(c), MaxSize)
		require.True(t, json.Valid([]byte(c)), c)
		q, err := Parse(c)
		require.NoError(t, err, "canonical form %s", c)
		require.Equal(t, c, q.String())
		require.Equal(t, p.Fields(), q.Fields())
		for _, ev := range events {
			m := p.Match(ev)
			require.Equal(t, m, q.Match(ev), "pattern %s", c)
			ok, reason := p.Explain(ev)
			require.Equal(t, m, ok)
			require.Equal(t, m, reason == "", reason)
		}
		if r, ok := p.Rule(); ok {
			rp, err := Parse(r)
			require.NoError(t, err, "rule %q", r)
			require.Equal(t, c, rp.String())
		}
	})
}

// fuzzIndexPatterns keep an index busy next to the fuzzed pattern.
var fuzzIndexPatterns = []string{`{}`, `org=IBM`, `org=IBM|SAP;type=job-join`, `{"tags":["a","b"]}`,
	`{"entities.type":["org","person"]}`, `{"a":"x"}`, `{"a.b":["x","y"]}`, `{"a":[{"prefix":"x"}]}`}

// FuzzMatch checks that Match and Explain never panic and agree, that the
// canonical form matches alike, and that an Index agrees with Match.
func FuzzMatch(f *testing.F) {
	for _, tt := range matchCases {
		f.Add(tt.pattern, tt.event)
	}
	f.Add(`{"a":"x"}`, `{"a":["x","x",["x"]]}`)
	f.Add(`{"tags":"a"}`, `{"tags":["a","b","a"]}`)
	fixed := make([]*Pattern, len(fuzzIndexPatterns))
	for i, s := range fuzzIndexPatterns {
		fixed[i] = MustParse(s)
	}
	f.Fuzz(func(t *testing.T, pat, event string) {
		p, err := Parse(pat)
		if err != nil || !json.Valid([]byte(event)) {
			return
		}
		canon := MustParse(p.String())
		ix := NewIndex[int]()
		all := map[int]*Pattern{0: p, 1: canon}
		for i, q := range fixed {
			all[i+2] = q
		}
		for k, q := range all {
			ix.Add(k, q)
		}
		for _, useNumber := range []bool{false, true} {
			dec := json.NewDecoder(strings.NewReader(event))
			if useNumber {
				dec.UseNumber()
			}
			var ev any
			if dec.Decode(&ev) != nil {
				continue // such as 1e700, which no float64 holds
			}
			m := p.Match(ev)
			require.Equal(t, m, canon.Match(ev))
			ok, reason := p.Explain(ev)
			require.Equal(t, m, ok)
			require.Equal(t, m, reason == "", reason)
			got := ix.AppendMatches(nil, ev)
			slices.Sort(got)
			require.Equal(t, linear(all, ev), got)
		}
	})
}

// fuzzSource draws the random choices of FuzzIndex from the fuzzer's
// bytes, so that mutating them steers the patterns and events; once they
// run out it continues with a generator seeded by them.
type fuzzSource struct {
	data []byte
	rest *rand.PCG
}

func (s *fuzzSource) Uint64() uint64 {
	if len(s.data) >= 8 {
		v := binary.LittleEndian.Uint64(s.data)
		s.data = s.data[8:]
		return v
	}
	if s.rest == nil {
		var seed [16]byte
		copy(seed[:], s.data)
		s.rest = rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:]))
	}
	return s.rest.Uint64()
}

// FuzzIndex checks that an Index answers like Match over all its
// patterns while random patterns are added, replaced and removed.
func FuzzIndex(f *testing.F) {
	for i := range 8 {
		var b [24]byte
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		f.Add(b[:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix := NewIndex[int]()
		ps := churn(t, rand.New(&fuzzSource{data: data}), ix, 120, 40, 8)
		for k := range ps {
			ix.Remove(k)
		}
		require.Empty(t, ix.root.edges, "unused nodes are dropped")
		require.Empty(t, ix.root.leaves)
	})
}
