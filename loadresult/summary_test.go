package loadresult

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSummarizePackedMatchesDense: the driver records into sparse
// histograms; a summary of one must be exactly the summary of the dense
// histogram of the same values, its encoding included, so that results,
// merges and comparisons cannot tell which kind recorded them.
func TestSummarizePackedMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name   string
		values func() []int64
	}{
		{name: "empty", values: func() []int64 { return nil }},
		{name: "one value", values: func() []int64 { return []int64{1500} }},
		{name: "the geometry's ends", values: func() []int64 { return []int64{HistogramMin, HistogramMax, HistogramMax} }},
		{name: "loopback latencies", values: func() []int64 {
			v := make([]int64, 20000)
			for i := range v {
				v[i] = 80 + rng.Int64N(3000)
			}
			return v
		}},
		{name: "heavy tail", values: func() []int64 {
			v := make([]int64, 20000)
			for i := range v {
				v[i] = min(HistogramMax, int64(200*rng.ExpFloat64()*rng.ExpFloat64()*rng.ExpFloat64())+1)
			}
			return v
		}},
		{name: "a stall: two modes far apart", values: func() []int64 {
			v := make([]int64, 0, 10000)
			for i := range 9000 {
				v = append(v, 500+int64(i%700))
			}
			for i := range 1000 {
				v = append(v, 4_000_000+int64(i)*1000)
			}
			return v
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dense, packed := NewHistogram(), NewPackedHistogram()
			for _, v := range tt.values() {
				require.NoError(t, dense.RecordValue(v))
				require.NoError(t, packed.RecordValue(v))
			}
			want := Summarize(dense, true)
			assert.Equal(t, want, SummarizePacked(packed, true))
			assert.Equal(t, want, SummarizePacked(packed, true), "a second encoding, with a reused compressor")
			assert.Equal(t, Summarize(dense, false), SummarizePacked(packed, false))
			back, err := want.Histogram()
			require.NoError(t, err)
			assert.True(t, back.Equals(dense), "the encoding decodes to the recorded histogram")
		})
	}
}

// BenchmarkSummarizeInterval is the driver's summary of one metric's
// second: a sparse histogram of some 1,000 pushes' latencies, encoded.
func BenchmarkSummarizeInterval(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := NewPackedHistogram()
	for range 1000 {
		_ = p.RecordValue(200 + rng.Int64N(5000))
	}
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_ = SummarizePacked(p, true)
		}
	})
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, _ = p.Encode()
		}
	})
}
