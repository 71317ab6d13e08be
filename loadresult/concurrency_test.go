package loadresult

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadersShareResults merges and checks the same results from
// several goroutines at once: under -race, Merge and SLO.Check read
// their inputs and write none of them.
func TestReadersShareResults(t *testing.T) {
	t.Parallel()
	a := shardResult(t, 0, 2, 100, 1, []int64{100, 200}, []uint64{10, 20}, 0)
	b := shardResult(t, 1, 2, 50, 0, []int64{300}, []uint64{5}, 100*time.Millisecond)
	slo, err := ParseSLO("push.p99<1s")
	require.NoError(t, err)
	want, err := Merge(a, b)
	require.NoError(t, err)

	const readers = 8
	merged := make([]*Result, readers)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			m, err := Merge(a, b)
			assert.NoError(t, err)
			merged[i] = m
			assert.True(t, slo.Check(a).Passed)
		})
	}
	wg.Wait()
	for _, m := range merged {
		assert.Equal(t, want, m)
	}
}
