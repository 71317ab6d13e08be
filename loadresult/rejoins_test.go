package loadresult

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rejoinTimes is a Rejoins of closes by code and one rejoin per value
// (µs) of times.
func rejoinTimes(t *testing.T, closes map[int]uint64, refused uint64, times ...int64) *Rejoins {
	t.Helper()
	h := NewHistogram()
	for _, v := range times {
		require.NoError(t, h.RecordValue(v))
	}
	return &Rejoins{Closes: closes, Back: uint64(len(times)), Refused: refused, Time: Summarize(h, true)}
}

// TestMergeRejoins adds the shards' storms up, a shard that saw none
// included, and leaves the inputs as they were.
func TestMergeRejoins(t *testing.T) {
	a := shardResult(t, 0, 3, 10, 0, []int64{100}, []uint64{1}, 0)
	b := shardResult(t, 1, 3, 10, 0, []int64{100}, []uint64{1}, 0)
	c := shardResult(t, 2, 3, 10, 0, []int64{100}, []uint64{1}, 0)
	a.Rejoins = rejoinTimes(t, map[int]uint64{1012: 2}, 1, 100_000, 200_000)
	c.Rejoins = rejoinTimes(t, map[int]uint64{1012: 1, 1006: 1}, 0, 900_000)
	c.Rejoins.NotBack = 1
	a.Intervals[0].Closes, c.Intervals[0].Closes = 2, 2
	m, err := Merge(a, b, c)
	require.NoError(t, err)
	require.NotNil(t, m.Rejoins)
	assert.Equal(t, map[int]uint64{1012: 3, 1006: 1}, m.Rejoins.Closes)
	assert.Equal(t, uint64(4), m.Rejoins.Dropped())
	assert.Equal(t, uint64(3), m.Rejoins.Back)
	assert.Equal(t, uint64(1), m.Rejoins.NotBack)
	assert.Equal(t, uint64(1), m.Rejoins.Refused)
	assert.Equal(t, int64(3), m.Rejoins.Time.Count)
	assert.InDelta(t, 900_000, m.Rejoins.Time.MaxUs, 1000, "the last one back")
	assert.Equal(t, uint64(4), m.Intervals[0].Closes, "the storm's second adds up")
	assert.Equal(t, map[int]uint64{1012: 2}, a.Rejoins.Closes, "the shard's counts are its own still")

	m, err = Merge(b)
	require.NoError(t, err)
	assert.Nil(t, m.Rejoins, "no session ended")
}

// TestRejoinsJSON writes the figures and reads them back; a file without
// them (older, or a run where no session ended) reads as nil.
func TestRejoinsJSON(t *testing.T) {
	t.Parallel()
	r := shardResult(t, 0, 1, 10, 0, []int64{100}, []uint64{1}, 0)
	data, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"rejoins"`)
	var back Result
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Nil(t, back.Rejoins)

	r.Rejoins = rejoinTimes(t, map[int]uint64{1012: 5}, 2, int64(time.Second/time.Microsecond))
	data, err = json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"rejoins":{"closes":{"1012":5},"back":1,"notBack":0,"refused":2,"time":{`)
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, r.Rejoins, back.Rejoins)
}
