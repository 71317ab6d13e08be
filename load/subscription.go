package load

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// subscription is one held subscription: its goroutine joins, reads and
// reconnects; workers read cur to push to it.
type subscription struct {
	idx     int
	pattern string
	cur     atomic.Pointer[conn] // the open session, nil between sessions
	conns   []*conn              // every session it had; its goroutine's
	joined  bool
	rc      receiver
}

// runSub is a subscription's goroutine: join, read until the session
// ends, reconnect with full-jitter exponential backoff, until ctx is done.
func (d *Driver) runSub(ctx context.Context, s *subscription) {
	first := true
	for attempt := 0; ; attempt++ {
		c, err := d.join(ctx, s)
		if first {
			first = false
			d.firstTried()
		}
		if err == nil {
			attempt = 0
			d.consume(ctx, s, c)
		}
		if ctx.Err() != nil || d.opts.NoReconnect {
			return
		}
		if !sleepUntil(ctx, d.now, d.now().Add(backoff(d.opts.BackoffBase, d.opts.BackoffMax, attempt, rand.Float64()))) {
			return
		}
	}
}

// backoff is the full-jitter exponential backoff before retry attempt
// (from 0): uniform in [0, min(maxWait, base·2^attempt)). u is uniform
// in [0, 1).
func backoff(base, maxWait time.Duration, attempt int, u float64) time.Duration {
	ceil := maxWait
	if attempt < 30 {
		ceil = min(maxWait, base<<attempt)
	}
	return time.Duration(u * float64(ceil))
}

// join opens a session for s and records its connect time.
func (d *Driver) join(ctx context.Context, s *subscription) (*conn, error) {
	start := d.now()
	d.live.joinAttempts.Add(1)
	sess, err := d.cl.Join(ctx, s.pattern)
	if err != nil {
		if ctx.Err() == nil {
			d.live.joinFailures.Add(1)
			d.errs.add("join", err)
		}
		return nil, err
	}
	d.rec.record(s.idx, mConnect, d.now().Sub(start), true)
	c := &conn{sess: sess}
	s.conns = append(s.conns, c)
	if !s.joined {
		s.joined = true
		d.live.joined.Add(1)
	} else {
		s.rc.stats.Reconnects++
		d.live.reconnects.Add(1)
	}
	return c, nil
}

// consume reads the frames of one session until it ends or ctx is done,
// then closes it.
func (d *Driver) consume(ctx context.Context, s *subscription, c *conn) {
	s.rc.newSession(c)
	s.cur.Store(c)
	d.live.open.Add(1)
	joinedAt := d.now()
	seen := false
	var err error
	for {
		var f clientFrame
		f, err = c.sess.Next(ctx)
		if err != nil {
			break
		}
		if !seen {
			seen = true
			d.rec.record(s.idx, mFirstFrame, f.Received.Sub(joinedAt), true)
		}
		d.led.frame(&s.rc, &f)
	}
	s.cur.Store(nil)
	d.live.open.Add(-1)
	if ctx.Err() == nil {
		c.ended.Store(true)
		d.errs.add("session", err)
	}
	_ = c.sess.Close()
}
