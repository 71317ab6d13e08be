package load

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
)

func TestCalibrate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		opts     Options
		d        time.Duration
		most     int
		wantErr  error
		wantSubs int
		wantRate float64
	}{
		{name: "the run's subscriptions and rate", opts: Options{Subscriptions: 6, PushRate: 50, Duration: time.Minute}, d: 400 * time.Millisecond, wantSubs: 6, wantRate: 50},
		{name: "a shard's share", opts: Options{Subscriptions: 12, PushRate: 100, Duration: time.Minute, Shard: Shard{K: 1, N: 2}}, d: 400 * time.Millisecond, wantSubs: 6, wantRate: 50},
		{name: "the highest stage", opts: Options{Subscriptions: 3, Stages: []Stage{{Duration: time.Second, Rate: 10}, {Duration: time.Second, Rate: 40}}}, d: 400 * time.Millisecond, wantSubs: 3, wantRate: 40},
		{name: "bounded by file descriptors", opts: Options{Subscriptions: 20, PushRate: 20, Duration: time.Minute}, d: 400 * time.Millisecond, most: 4, wantSubs: 4, wantRate: 20},
		{name: "no longer than the run", opts: Options{Subscriptions: 2, PushRate: 20, Duration: 300 * time.Millisecond}, d: time.Minute, wantSubs: 2, wantRate: 20},
		{name: "an idle run", opts: Options{Subscriptions: 2, Idle: true}, wantErr: ErrNoFloor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
			floor, err := Calibrate(context.Background(), srv.URL, demo, &tc.opts, tc.d, tc.most)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantSubs, floor.Subscriptions)
			assert.InDelta(t, tc.wantRate, floor.PushRate, 1e-9)
			assert.LessOrEqual(t, floor.Seconds, min(tc.d, tc.opts.Duration+time.Duration(len(tc.opts.Stages))*time.Second).Seconds()+1e-9)
			assert.Positive(t, floor.Received)
			assert.Equal(t, int64(floor.Received), floor.EndToEnd.Count, "every push received has its latency")
			assert.NotEmpty(t, floor.EndToEnd.HDR, "shards' floors merge")
		})
	}
}

func TestCalibrateInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
	_, err := Calibrate(ctx, srv.URL, demo, &Options{Subscriptions: 2, PushRate: 10, Duration: time.Second}, time.Second, 0)
	require.ErrorIs(t, err, context.Canceled)
}
