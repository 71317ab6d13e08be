package load

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/client"
)

// subscription is one held subscription. It has no goroutine of its
// own: a joiner goroutine joins it (and retries), then the session's
// reader goroutine in the client carries it, handing its frames to its
// conn (a client.Handler), and when the session ends starts a joiner
// again. Its fields pass from one to the next along that chain; workers
// read cur to push to it.
type subscription struct {
	idx     int
	pattern string
	cur     atomic.Pointer[conn] // the open session, nil between sessions
	conns   []*conn              // every session it had
	joined  bool
	rc      receiver
}

// connect is a joiner goroutine: it joins s, retrying after full-jitter
// exponential backoff, until a session opens (whose reader then carries
// s) or ctx is done. A reconnect waits its first backoff before joining;
// a first connect reports its first attempt to firstTried.
func (d *Driver) connect(ctx context.Context, s *subscription, reconnect bool) {
	defer d.wg.Done()
	for attempt := 0; ; attempt++ {
		if reconnect || attempt > 0 {
			n := attempt
			if !reconnect {
				n--
			}
			if !sleepUntil(ctx, d.now, d.now().Add(backoff(d.opts.BackoffBase, d.opts.BackoffMax, n, rand.Float64()))) {
				return
			}
		}
		err := d.join(ctx, s)
		if !reconnect && attempt == 0 {
			d.firstTried()
		}
		if err == nil || ctx.Err() != nil || d.opts.NoReconnect {
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

// join opens a session for s; its conn's Open, called by the client
// before the session's reader starts, records it.
func (d *Driver) join(ctx context.Context, s *subscription) error {
	c := &conn{d: d, s: s, start: d.now()}
	d.live.joinAttempts.Add(1)
	sess, err := d.cl.JoinWith(ctx, s.pattern, c)
	if err != nil {
		if !done(ctx) {
			d.live.joinFailures.Add(1)
			d.errs.add("join", err)
		}
		return err
	}
	if ctx.Err() != nil {
		// The run is closing and may have looked for open sessions
		// before this one was: close it here too (Close is idempotent).
		_ = sess.Close()
	}
	return nil
}

// Open is called by the client when the session frame has arrived,
// before the session's reader starts: the session becomes s's current
// one.
func (c *conn) Open(sess *client.Session) {
	d, s := c.d, c.s
	c.sess = sess
	c.joinedAt = d.now()
	d.rec.record(s.idx, mConnect, c.joinedAt.Sub(c.start), true)
	s.conns = append(s.conns, c)
	if !s.joined {
		s.joined = true
		d.live.joined.Add(1)
	} else {
		s.rc.stats.Reconnects++
		d.live.reconnects.Add(1)
	}
	s.rc.newSession(c)
	d.wg.Add(1) // the reader's, until End returns
	s.cur.Store(c)
	d.live.open.Add(1)
}

// Frame accounts for one frame, on the session's reader goroutine.
func (c *conn) Frame(f client.Frame) {
	if !c.seen {
		c.seen = true
		c.d.rec.record(c.s.idx, mFirstFrame, f.Received.Sub(c.joinedAt), true)
	}
	c.d.led.frame(&c.s.rc, &f)
}

// End is called on the session's reader goroutine when the session has
// ended: it releases the connection and, unless the run is closing it
// (closing, or the subscriptions' context cancelled with the run's),
// counts the error and starts a joiner to reconnect.
func (c *conn) End(err error) {
	d, s := c.d, c.s
	defer d.wg.Done()
	s.cur.Store(nil)
	d.live.open.Add(-1)
	closing := d.closing.Load() || d.subCtx.Err() != nil
	if !closing {
		c.ended.Store(true)
		d.errs.add("session", err)
	}
	_ = c.sess.Close()
	if !closing && !d.opts.NoReconnect {
		d.wg.Add(1)
		go d.connect(d.subCtx, s, true)
	}
}

// done reports whether ctx is done or past its deadline: a dial cut off
// by the deadline can fail before the context's own timer fires.
func done(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}
