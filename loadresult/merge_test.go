package loadresult

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var mergeT0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// shardResult is shard k/n: accepted pushes of which lost are lost, end-to-end
// latencies vals (µs), and one interval per second of sent each.
func shardResult(t *testing.T, k, n int, accepted, lost uint64, vals []int64, sent []uint64, offset time.Duration) *Result {
	t.Helper()
	h := NewHistogram()
	for _, v := range vals {
		require.NoError(t, h.RecordValue(v))
	}
	r := &Result{SchemaVersion: SchemaVersion, Kind: ResultKind,
		Meta:          Meta{Host: fmt.Sprintf("h%d", k%2), Started: mergeT0.Add(offset), PushStart: mergeT0.Add(offset + time.Second), Ended: mergeT0.Add(offset + 5*time.Second)},
		Config:        Config{Subscriptions: 30, ShardSubscriptions: 10, PushRate: 60, Shard: Shard{K: k, N: n}.String()},
		Subscriptions: SubscriptionFigures{Requested: 10, Joined: 10, TriggersPerSubscription: []uint64{uint64(k)}},
		Pushes:        Pushes{Sent: accepted, Accepted: accepted, AchievedRate: 20, MaxSendLagUs: int64(k)},
		Delivery:      Delivery{Accepted: accepted, Received: accepted - lost, Lost: lost},
		Latency:       Latencies{PushEndToEnd: Summarize(h, true)},
		Errors:        []ErrorClass{{Kind: KindPushStatus, Key: "503", Count: 2, Examples: []string{"a", "b"}}},
		Driver:        DriverHealth{Warnings: []string{"busy"}},
	}
	for i, s := range sent {
		ih := NewHistogram()
		require.NoError(t, ih.RecordValue(int64(100*(k+1))))
		r.Intervals = append(r.Intervals, Interval{T: float64(i + 1), Phase: PhasePushing, Sent: s, Latency: Latencies{PushEndToEnd: Summarize(ih, true)}})
	}
	return r
}

// withoutIntervalHistograms is r as a schema 1 file reads: its
// intervals' end-to-end latencies without histograms, p90 and p99.9.
func withoutIntervalHistograms(r *Result) *Result {
	out := *r
	out.Intervals = slices.Clone(r.Intervals)
	for i := range out.Intervals {
		e2e := &out.Intervals[i].Latency.PushEndToEnd
		e2e.HDR, e2e.P90Us, e2e.P999Us, e2e.MinUs, e2e.MeanUs = "", 0, 0, 0, 0
	}
	return &out
}

func TestMerge(t *testing.T) {
	a := shardResult(t, 0, 3, 100, 0, []int64{100, 200, 300}, []uint64{10, 20}, 0)
	b := shardResult(t, 1, 3, 50, 2, []int64{1000, 2000}, []uint64{5, 5}, 100*time.Millisecond)
	c := shardResult(t, 2, 3, 10, 1, []int64{50000}, []uint64{1, 1, 1}, -time.Second)
	ab, err := Merge(a, b)
	require.NoError(t, err)

	tests := []struct {
		name    string
		in      []*Result
		wantErr string
		check   func(t *testing.T, m *Result)
	}{
		{name: "three shards", in: []*Result{a, b, c}, check: func(t *testing.T, m *Result) {
			assert.Equal(t, "0/3,1/3,2/3", m.Config.Shard)
			assert.Equal(t, 30, m.Config.ShardSubscriptions)
			assert.Equal(t, 30, m.Subscriptions.Requested)
			assert.Equal(t, []uint64{0, 1, 2}, m.Subscriptions.TriggersPerSubscription)
			assert.Equal(t, "h0,h1", m.Meta.Host)
			assert.Equal(t, mergeT0.Add(-time.Second), m.Meta.Started)
			assert.Equal(t, uint64(160), m.Delivery.Accepted)
			assert.Equal(t, uint64(157), m.Delivery.Received)
			assert.Equal(t, uint64(3), m.Delivery.Lost)
			assert.True(t, m.Delivery.InvariantHolds)
			assert.InDelta(t, 100*157.0/160, m.Delivery.DeliveredPercent, 1e-9)
			assert.InDelta(t, 60, m.Pushes.AchievedRate, 1e-9)
			assert.Equal(t, int64(2), m.Pushes.MaxSendLagUs)
			e2e := m.Latency.PushEndToEnd
			assert.Equal(t, int64(6), e2e.Count)
			h, err := e2e.Histogram()
			require.NoError(t, err)
			assert.Equal(t, int64(6), h.TotalCount())
			// the p50 of the merged histogram, not an average of the shards'
			assert.InDelta(t, 300, e2e.P50Us, 1)
			assert.InDelta(t, 50000, e2e.MaxUs, 50)
			require.Len(t, m.Errors, 1)
			assert.Equal(t, uint64(6), m.Errors[0].Count)
			assert.Len(t, m.Errors[0].Examples, MaxExamples)
			assert.Len(t, m.Driver.Warnings, 3)
			assert.Nil(t, m.Mock)
			assert.Empty(t, m.SLOs)
			assert.False(t, m.Interrupted)
			// seconds: c's 1 and 2 end at T0+0s, +1s; a's and b's at +1s, +2s; c's 3 at +2s
			require.Len(t, m.Intervals, 3)
			var sent []uint64
			for _, iv := range m.Intervals {
				sent = append(sent, iv.Sent)
			}
			assert.Equal(t, []uint64{1, 16, 26}, sent)
			second := m.Intervals[1].Latency.PushEndToEnd
			assert.Equal(t, int64(3), second.Count, "one latency of each shard")
			assert.Equal(t, int64(200), second.P50Us, "percentiles of the merged histogram")
			assert.Equal(t, int64(300), second.MaxUs)
			assert.NotEmpty(t, second.HDR, "the merged second keeps its histogram")
			assert.InDelta(t, 1, m.Intervals[0].T, 1e-9)
		}},
		{name: "a merged result merges again", in: []*Result{ab, c}, check: func(t *testing.T, m *Result) {
			assert.Equal(t, "0/3,1/3,2/3", m.Config.Shard)
			assert.Equal(t, int64(6), m.Latency.PushEndToEnd.Count)
		}},
		{name: "one result", in: []*Result{a}, check: func(t *testing.T, m *Result) {
			assert.Equal(t, a.Latency.PushEndToEnd.P99Us, m.Latency.PushEndToEnd.P99Us)
			assert.Equal(t, a.Delivery.Accepted, m.Delivery.Accepted)
		}},
		{name: "one interrupted shard interrupts the merge", in: []*Result{a, func() *Result { r := *b; r.Interrupted = true; return &r }(), c}, check: func(t *testing.T, m *Result) {
			assert.True(t, m.Interrupted)
		}},
		{name: "none", wantErr: "no results"},
		{name: "same shard twice", in: []*Result{a, b, a}, wantErr: "shard 0/3 given twice"},
		{name: "overlap with a merged result", in: []*Result{ab, b}, wantErr: "shard 1/3 given twice"},
		{name: "different splits", in: []*Result{a, shardResult(t, 1, 4, 1, 0, nil, nil, 0)}, wantErr: "of 3 shards"},
		{name: "newer schema version", in: []*Result{a, func() *Result { r := *b; r.SchemaVersion = SchemaVersion + 1; return &r }()}, wantErr: fmt.Sprintf("schema version %d", SchemaVersion+1)},
		{name: "intervals without histograms merge as the largest", in: []*Result{a, withoutIntervalHistograms(b)}, check: func(t *testing.T, m *Result) {
			second := m.Intervals[1].Latency.PushEndToEnd
			assert.Equal(t, int64(2), second.Count)
			assert.Equal(t, int64(200), second.P50Us, "the larger p50 of the two")
			assert.Equal(t, int64(200), second.P99Us)
			assert.Zero(t, second.P90Us, "unknown to one shard, so unknown")
			assert.Zero(t, second.P999Us)
			assert.Empty(t, second.HDR, "no histogram to keep")
			assert.Equal(t, SchemaVersion, m.SchemaVersion)
		}},
		{name: "intervals without histograms first", in: []*Result{withoutIntervalHistograms(a), b, c}, check: func(t *testing.T, m *Result) {
			second := m.Intervals[1].Latency.PushEndToEnd
			assert.Equal(t, int64(3), second.Count)
			assert.Equal(t, int64(300), second.MaxUs, "the largest max")
			assert.Zero(t, second.P90Us)
			assert.Empty(t, second.HDR)
		}},
		{name: "another kind", in: []*Result{a, func() *Result { r := *b; r.Kind = "x"; return &r }()}, wantErr: `kind "x"`},
		{name: "latencies without histogram", in: []*Result{a, func() *Result { r := *b; r.Latency.PushEndToEnd.HDR = ""; return &r }()}, wantErr: "without their histogram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Merge(tt.in...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrMerge))
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, m)
		})
	}
}

func TestMergeIntervalLengths(t *testing.T) {
	// shard 0 ends with a whole second and a 0.3 s remainder that round
	// to the same wall-clock second; shard 1 has one second there
	a := shardResult(t, 0, 2, 10, 0, []int64{100}, nil, 0)
	a.Intervals = []Interval{{T: 1, Seconds: 1, Phase: PhasePushing, Sent: 10}, {T: 1.3, Seconds: 0.3, Phase: PhaseDraining, Sent: 3}}
	b := shardResult(t, 1, 2, 10, 0, []int64{100}, nil, 0)
	b.Intervals = []Interval{{T: 1, Seconds: 1, Phase: PhasePushing, Sent: 10}}
	m, err := Merge(a, b)
	require.NoError(t, err)
	require.Len(t, m.Intervals, 1)
	assert.Equal(t, uint64(23), m.Intervals[0].Sent)
	assert.InDelta(t, 1.3, m.Intervals[0].Seconds, 1e-9, "shard 0's two intervals of that second added up")
	assert.InDelta(t, 23/1.3, m.Intervals[0].PerSecond(m.Intervals[0].Sent), 1e-9)
}

func TestMergeMemory(t *testing.T) {
	a := shardResult(t, 0, 2, 10, 0, []int64{100}, nil, 0)
	b := shardResult(t, 1, 2, 10, 0, []int64{100}, nil, 0)
	a.Driver.Memory = Memory{Source: "VmRSS", BaselineBytes: 10 << 20, HeldBytes: 30 << 20, SubscriptionsHeld: 10, Goroutines: 12}
	b.Driver.Memory = Memory{Source: "VmRSS", BaselineBytes: 10 << 20, HeldBytes: 20 << 20, SubscriptionsHeld: 10, Goroutines: 11}
	m, err := Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, Memory{Source: "VmRSS", BaselineBytes: 20 << 20, HeldBytes: 50 << 20, SubscriptionsHeld: 20, Goroutines: 23}, m.Driver.Memory)
	assert.InDelta(t, float64(30<<20)/20, m.Driver.MemoryPerSubscriptionBytes, 1e-9, "both processes' growth over both shares")

	b.Driver.Memory.Source = "go-runtime"
	m, err = Merge(a, b)
	require.NoError(t, err)
	assert.Equal(t, "mixed", m.Driver.Memory.Source)
	assert.Zero(t, m.Driver.MemoryPerSubscriptionBytes, "figures measured differently do not add up to one")
}
