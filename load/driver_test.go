package load

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/mockserver"
)

var demo = client.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey}

func startMock(t *testing.T, opts *mockserver.Options) *mockserver.Server {
	t.Helper()
	srv, err := mockserver.New(opts)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// TestRunDeliversExactlyOnce runs a small load against the mock and
// checks that every push arrives once and the books balance.
func TestRunDeliversExactlyOnce(t *testing.T) {
	srv := startMock(t, &mockserver.Options{Speed: mockserver.DefaultSpeed})
	var intervals int
	res, err := Run(context.Background(), srv.URL, demo, &Options{
		Subscriptions: 50, ConnectRate: 1000, PushRate: 200, Duration: 2 * time.Second,
		Warmup: 200 * time.Millisecond, Workers: 16,
		OnInterval: func(Interval) { intervals++ },
	})
	require.NoError(t, err)
	d := res.Delivery
	assert.Equal(t, 50, res.Subscriptions.Joined)
	assert.Equal(t, uint64(440), res.Pushes.Scheduled)
	assert.Equal(t, res.Pushes.Scheduled, res.Pushes.Accepted)
	assert.Equal(t, d.Accepted, d.ExactlyOnce)
	assert.Zero(t, d.Lost+d.Duplicated+d.OutOfOrder+d.Late+d.InFlight+d.Misrouted)
	assert.True(t, d.InvariantHolds, d.Invariant)
	assert.Zero(t, res.Subscriptions.SeqGaps)
	assert.Equal(t, int64(400), res.Latency.PushEndToEnd.Count, "warmup left out")
	assert.Equal(t, res.Latency.PushEndToEnd.Count, res.Latency.PushService.Count)
	assert.Equal(t, int64(50), res.Latency.Connect.Count)
	assert.Empty(t, res.Errors)
	require.NotNil(t, res.Mock)
	assert.Equal(t, res.Mock.PushFramesSent, res.Mock.PushFramesReceived)
	assert.Equal(t, uint64(440), res.Mock.Pushes202)
	assert.GreaterOrEqual(t, intervals, 2)
	assert.Equal(t, len(res.Intervals), intervals)
}
