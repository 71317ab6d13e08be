package load

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOptionsCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"defaults", Options{}, ""},
		{"infinite push rate", Options{PushRate: math.Inf(1)}, "PushRate +Inf is not a number"},
		{"NaN push rate", Options{PushRate: math.NaN()}, "PushRate NaN is not a number"},
		{"infinite join rate", Options{ConnectRate: math.Inf(1)}, "ConnectRate +Inf is not a positive number"},
		{"too many pushes", Options{PushRate: 1e12, Duration: time.Second}, "the schedule holds 1e+12 pushes for this process, more than 200000000"},
		{"a shard's share fits", Options{PushRate: 300_000_000, Duration: time.Second, Shard: Shard{K: 0, N: 2}}, ""},
		{"infinite stage", Options{Stages: []Stage{{Duration: time.Second, Rate: math.Inf(1)}}}, "Stages[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.opts.Check()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}
