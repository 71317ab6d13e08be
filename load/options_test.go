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
	now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
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
		{"negative backoff", Options{BackoffBase: -time.Second}, "BackoffBase and BackoffMax must not be negative"},
		{"no jitter", Options{NoBackoffJitter: true}, ""},
		{"start to come", Options{StartAt: now.Add(time.Minute), Now: clock}, ""},
		{"start just past", Options{StartAt: now.Add(-StartAtTolerance), Now: clock}, ""},
		{"an origin", Options{Origin: "https://crm.example.com/"}, ""},
		{"an origin with a path", Options{Origin: "https://crm.example.com/app"}, "Origin: origin \"https://crm.example.com/app\": an origin is scheme://host[:port]"},
		{"start past", Options{StartAt: now.Add(-StartAtTolerance - time.Millisecond), Now: clock}, "StartAt 2026-12-03T17:59:58.999Z is already past by 1.001s (more than 1s)"},
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
