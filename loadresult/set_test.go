package loadresult

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMismatches(t *testing.T) {
	t.Parallel()
	shard := func(s string, edit func(*Result)) *Result {
		r := &Result{Config: Config{Shard: s, PushRate: 100, Patterns: []string{"type=job-join"}, Workers: 128}, Meta: Meta{Target: "http://127.0.0.1:8080"}}
		if edit != nil {
			edit(r)
		}
		return r
	}
	cases := []struct {
		name    string
		results []*Result
		want    []string
		clipped string // instead of want: the one line holds this
	}{
		{"one result", []*Result{shard("0/1", nil)}, nil, ""},
		{"one run", []*Result{shard("0/2", nil), shard("1/2", nil)}, nil, ""},
		{"per-process settings may differ", []*Result{
			shard("0/2", func(r *Result) { r.Config.Workers, r.Config.SourceAddrs, r.Config.ShardSubscriptions = 64, 8, 7 }),
			shard("1/2", nil),
		}, nil, ""},
		{"another rate", []*Result{shard("0/3", nil), shard("1/3", func(r *Result) { r.Config.PushRate = 50 }), shard("2/3", nil)},
			[]string{"pushRate: 100 in 0/3, 2/3; 50 in 1/3"}, ""},
		{"another target and start", []*Result{
			shard("0/2", func(r *Result) { r.Config.StartAt = "2026-12-03T18:00:00Z" }),
			shard("1/2", func(r *Result) { r.Meta.Target = "http://127.0.0.2:8080" }),
		}, []string{`startAt: "2026-12-03T18:00:00Z" in 0/2; (absent) in 1/2`, "target: http://127.0.0.1:8080 in 0/2; http://127.0.0.2:8080 in 1/2"}, ""},
		{"long values clipped", []*Result{
			shard("0/2", func(r *Result) { r.Config.Patterns = []string{"org=" + string(make([]byte, 100))} }),
			shard("1/2", nil),
		}, nil, "… in 0/2; "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Mismatches(tc.results)
			if tc.clipped != "" {
				require.Len(t, got, 1)
				assert.Contains(t, got[0], tc.clipped)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestStartSkew(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	at := func(shard string, ms int, skewSeconds float64) *Result {
		return &Result{Config: Config{Shard: shard}, Meta: Meta{PushStart: t0.Add(time.Duration(ms) * time.Millisecond), PushStartSkewSeconds: skewSeconds}}
	}
	cases := []struct {
		name    string
		results []*Result
		want    Skew
	}{
		{"none", nil, Skew{}},
		{"one", []*Result{at("0/1", 0, 0)}, Skew{Earliest: "0/1", Latest: "0/1"}},
		{"three", []*Result{at("0/3", 20, 0), at("1/3", 5, 0), at("2/3", 45, 0)}, Skew{Spread: 40 * time.Millisecond, Earliest: "1/3", Latest: "2/3"}},
		{"a merge spans its own skew", []*Result{at("0/3,1/3", 0, 0.1), at("2/3", 30, 0)}, Skew{Spread: 100 * time.Millisecond, Earliest: "0/3,1/3", Latest: "0/3,1/3"}},
		{"no push start is left out", []*Result{{Config: Config{Shard: "0/2"}}, at("1/2", 7, 0)}, Skew{Earliest: "1/2", Latest: "1/2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, StartSkew(tc.results))
		})
	}
}

// TestMergeKeepsThePushStartSpan merges in two steps and at once: the
// merged push start is the earliest, its skew the whole spread, however
// the shards were grouped.
func TestMergeKeepsThePushStartSpan(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	shard := func(s string, ms int) *Result {
		return &Result{SchemaVersion: SchemaVersion, Kind: ResultKind, Config: Config{Shard: s}, Meta: Meta{PushStart: t0.Add(time.Duration(ms) * time.Millisecond)}}
	}
	a, b, c := shard("0/3", 30), shard("1/3", 0), shard("2/3", 80)
	all, err := Merge(a, b, c)
	require.NoError(t, err)
	ab, err := Merge(a, b)
	require.NoError(t, err)
	abc, err := Merge(c, ab)
	require.NoError(t, err)
	for _, m := range []*Result{all, abc} {
		assert.Equal(t, t0, m.Meta.PushStart)
		assert.InDelta(t, 0.08, m.Meta.PushStartSkewSeconds, 1e-9)
	}
	assert.InDelta(t, 0.03, ab.Meta.PushStartSkewSeconds, 1e-9)
}
