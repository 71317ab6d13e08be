package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// DefaultCalibration is how long Calibrate pushes, at most: the run's
// own duration when that is shorter.
const DefaultCalibration = 5 * time.Second

// ErrNoFloor is Calibrate's error for a run that pushes nothing.
var ErrNoFloor = errors.New("load: calibrate: the run pushes nothing (an idle run has no push latency to compare)")

// Calibrate measures the driver's own floor: the latency it adds by
// itself. It runs the same subscriptions (this shard's share) and the
// run's highest push rate for d (DefaultCalibration when 0, at most the
// run's measured time) against target, which should do no work beyond
// the protocol: "wstrigger load --calibrate" gives it a mock with
// nothing to replay, in-process, on loopback. What that run measures is
// the driver's and the machine's part of every latency; a target's own
// figures are comparable only above it.
//
// maxSubscriptions bounds the subscriptions held (with the target
// in-process each takes two file descriptors); 0 means no bound. The
// floor says what it held.
func Calibrate(ctx context.Context, target string, creds protocol.Credentials, o *Options, d time.Duration, maxSubscriptions int) (*loadresult.DriverFloor, error) {
	c, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if c.Idle {
		return nil, ErrNoFloor
	}
	rate := c.PushRate
	for _, st := range c.Stages {
		rate = max(rate, st.Rate)
	}
	if rate <= 0 {
		return nil, ErrNoFloor
	}
	if d <= 0 {
		d = DefaultCalibration
	}
	if m := c.measured(); m > 0 && m < d {
		d = m
	}
	if maxSubscriptions > 0 && c.mySubscriptions() > maxSubscriptions {
		// the same share per process, with fewer subscriptions in all
		c.Subscriptions = maxSubscriptions * c.Shard.N
	}
	run := Options{
		Subscriptions: c.Subscriptions, ConnectRate: c.ConnectRate, Patterns: c.Patterns,
		PushRate: rate, Duration: d, PayloadSize: c.PayloadSize, Skew: c.Skew, PushTimeout: c.PushTimeout,
		Workers: c.Workers, NoReconnect: true, LateSend: c.LateSend, Shard: c.Shard, SourceAddrs: c.SourceAddrs,
	}
	res, err := Run(ctx, target, creds, &run)
	if err != nil {
		return nil, fmt.Errorf("load: calibrate: %w", err)
	}
	if res.Interrupted {
		return nil, fmt.Errorf("load: calibrate: %w", context.Cause(ctx))
	}
	if res.Delivery.Received == 0 {
		return nil, fmt.Errorf("load: calibrate: no push came back from %s (%d errors): is it a server of this protocol that does no work?", protocol.RedactURLString(target), len(res.Errors))
	}
	return &loadresult.DriverFloor{
		Seconds: d.Seconds(), Subscriptions: res.Subscriptions.Joined, PushRate: res.Pushes.TargetRate,
		Received: res.Delivery.Received, EndToEnd: res.Latency.PushEndToEnd, Service: res.Latency.PushService,
	}, nil
}
