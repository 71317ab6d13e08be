package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestCumulative(t *testing.T) {
	t.Parallel()
	bounds := []float64{.001, .01, .1}
	cases := []struct {
		name  string
		us    []int64 // recorded latencies, microseconds
		count uint64
		want  []uint64 // cumulative, at each bound
	}{
		{"empty", nil, 0, []uint64{0, 0, 0}},
		{"one per bucket", []int64{300, 2000, 70000}, 3, []uint64{1, 2, 3}},
		{"on a bound, exactly held", []int64{1000}, 1, []uint64{1, 1, 1}},
		{"above the last bound: only in the count", []int64{500, 250000}, 2, []uint64{1, 1, 1}},
		{"many in one", []int64{5, 6, 7, 900}, 4, []uint64{4, 4, 4}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := loadresult.NewHistogram()
			var sum int64
			for _, v := range tc.us {
				require.NoError(t, h.RecordValue(v))
				sum += v
			}
			count, s, buckets := cumulative(h, bounds)
			assert.Equal(t, tc.count, count)
			assert.InEpsilon(t, float64(sum)/1e6+1e-12, s+1e-12, 0.001, "the sum in seconds, within HDR's precision")
			for i, b := range bounds {
				assert.Equal(t, tc.want[i], buckets[b], "le=%v", b)
			}
		})
	}
}

func TestLabelValues(t *testing.T) {
	t.Parallel()
	for code, want := range map[protocol.ErrorCode]string{
		"": CodeNone, protocol.CodeSessionQueueFull: "session_queue_full", "not_found": "not_found", "teapot": CodeOther,
		"s3cr3t-token-looking-value-0123456789": CodeOther,
	} {
		assert.Equal(t, want, codeLabel(code), code)
	}
	for code, want := range map[int]string{1000: "1000", 4008: "4008", 1006: "1006", 1005: "1005", 4321: CodeOther, 3000: CodeOther} {
		assert.Equal(t, want, closeLabel(code), code)
	}
}
