package load

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
)

// subscription is one held subscription. It has no goroutine of its
// own: a joiner goroutine joins it (and retries), then the session's
// reader in the client (a shared read worker, each time frames come)
// carries it, handing its frames to its conn (a client.Handler), and
// when the session ends starts a joiner again. Its fields pass from one to the next along that chain; workers
// read cur to push to it.
type subscription struct {
	idx     int
	pattern string
	cur     atomic.Pointer[conn] // the open session, nil between sessions
	conns   []*conn              // every session it had
	joined  bool
	rc      receiver
	endedAt time.Time // when its last session ended; zero once it is back (rejoins)
}

// conn is one session of a subscription: a subscription that reconnects
// has several, one after the other.
type conn struct {
	j        *joiners
	s        *subscription
	sess     *client.Session
	start    time.Time    // of the join attempt
	joinedAt time.Time    // when the session frame arrived
	seen     bool         // a frame has arrived (its reader's)
	accepted atomic.Int64 // pushes the server accepted for it (workers)
	received atomic.Int64 // first receipts of pushes on it (its reader)
	ended    atomic.Bool  // it closed before the end of the run
}

// joiners hold the subscriptions: they join each at the connect rate,
// reconnect those whose session ends, and close them all at the end.
type joiners struct {
	cl   *client.Client
	now  func() time.Time
	opts *Options // ConnectRate, BackoffBase, BackoffMax, NoReconnect
	live *live
	rec  *recorder
	led  *ledger
	errs *errorLog
	subs []*subscription
	rj   rejoins

	// wg counts the joiner goroutines and the sessions' readers (from
	// Open to the end of End); ctx ends the subscriptions.
	wg        sync.WaitGroup
	ctx       context.Context
	firstLeft atomic.Int64  // subscriptions yet to make their first join attempt
	firstDone chan struct{} // closed when firstLeft reaches zero
}

// newJoiners prepares this shard's subscriptions, each with its pattern.
func newJoiners(o *Options, cl *client.Client, l *live, rec *recorder, led *ledger, errs *errorLog) *joiners {
	j := &joiners{cl: cl, now: o.Now, opts: o, live: l, rec: rec, led: led, errs: errs, firstDone: make(chan struct{})}
	j.subs = make([]*subscription, o.mySubscriptions())
	for i := range j.subs {
		global := i*o.Shard.N + o.Shard.K
		j.subs[i] = &subscription{idx: i, pattern: o.Patterns[global%len(o.Patterns)], rc: receiver{sub: i}}
	}
	j.firstLeft.Store(int64(len(j.subs)))
	if len(j.subs) == 0 {
		close(j.firstDone)
	}
	return j
}

// joinAll starts the subscriptions' joiners at ConnectRate and returns
// when each has made its first join attempt, or ctx is done. ctx ends
// the subscriptions: their joins, and their reconnects.
func (j *joiners) joinAll(ctx context.Context) {
	j.ctx = ctx
	rate := j.opts.ConnectRate
	ramp := Schedule{Stages: []Stage{{Duration: time.Duration(float64(len(j.subs)) / rate * float64(time.Second)), Rate: rate}}}
	start := j.now()
	for i, s := range j.subs {
		due, _ := ramp.Due(uint64(i))
		if !sleepUntil(ctx, j.now, start.Add(due)) {
			break
		}
		j.wg.Add(1)
		go j.connect(ctx, s, false)
	}
	select {
	case <-j.firstDone:
	case <-ctx.Done():
	}
}

// firstTried marks one subscription's first join attempt done.
func (j *joiners) firstTried() {
	if j.firstLeft.Add(-1) == 0 {
		close(j.firstDone)
	}
}

// connect is a joiner goroutine: it joins s, retrying after full-jitter
// exponential backoff, until a session opens (whose reader then carries
// s) or ctx is done. A reconnect waits its first backoff before joining;
// a first connect reports its first attempt to firstTried.
func (j *joiners) connect(ctx context.Context, s *subscription, reconnect bool) {
	defer j.wg.Done()
	for attempt := 0; ; attempt++ {
		if reconnect || attempt > 0 {
			n := attempt
			if !reconnect {
				n--
			}
			u := rand.Float64()
			if j.opts.NoBackoffJitter {
				u = 1
			}
			base := j.opts.BackoffBase
			if reconnect {
				base = j.rejoinBase()
			}
			if !sleepUntil(ctx, j.now, j.now().Add(backoff(base, j.opts.BackoffMax, n, u))) {
				return
			}
		}
		err := j.join(ctx, s)
		if !reconnect && attempt == 0 {
			j.firstTried()
		}
		if err != nil && reconnect && !done(ctx) {
			j.rj.refusal()
		}
		if err == nil || ctx.Err() != nil || j.opts.NoReconnect {
			return
		}
	}
}

// rejoinBase is the base of a reconnect's backoff: the time the
// subscriptions' first joins took at ConnectRate, when that is longer
// than BackoffBase (at most BackoffMax). A server that ends every
// session at once then sees them come back, with the jitter, at about
// ConnectRate, the rate the run was set to join at, instead of all
// within BackoffBase: 2,000 subscriptions within the default 100 ms
// would be 20,000 joins a second (BENCHMARKS.md, reconnect storms).
func (j *joiners) rejoinBase() time.Duration {
	ramp := time.Duration(float64(len(j.subs)) / j.opts.ConnectRate * float64(time.Second))
	return min(max(j.opts.BackoffBase, ramp), j.opts.BackoffMax)
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
func (j *joiners) join(ctx context.Context, s *subscription) error {
	c := &conn{j: j, s: s, start: j.now()}
	j.live.joinAttempts.Add(1)
	sess, err := j.cl.JoinWith(ctx, s.pattern, c)
	if err != nil {
		if !done(ctx) {
			j.live.joinFailures.Add(1)
			j.errs.add("join", err)
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
	j, s := c.j, c.s
	c.sess = sess
	c.joinedAt = j.now()
	j.rec.record(s.idx, mConnect, c.joinedAt.Sub(c.start), true)
	s.conns = append(s.conns, c)
	if !s.joined {
		s.joined = true
		j.live.joined.Add(1)
	} else {
		j.rj.opened(s, c.joinedAt)
		s.rc.stats.Reconnects++
		j.live.reconnects.Add(1)
	}
	s.rc.newSession(c)
	j.wg.Add(1) // the reader's, until End returns
	s.cur.Store(c)
	j.live.open.Add(1)
}

// Frame accounts for one frame, on the goroutine reading the session.
func (c *conn) Frame(f client.Frame) {
	if !c.seen {
		c.seen = true
		c.j.rec.record(c.s.idx, mFirstFrame, f.Received.Sub(c.joinedAt), true)
	}
	c.j.led.frame(&c.s.rc, &f)
}

// End is called on the goroutine reading the session when it has
// ended: it releases the connection and, unless the run is closing it
// (closing, or the subscriptions' context cancelled with the run's),
// counts the error and starts a joiner to reconnect.
func (c *conn) End(err error) {
	j, s := c.j, c.s
	defer j.wg.Done()
	s.cur.Store(nil)
	j.live.open.Add(-1)
	closing := j.live.closing.Load() || j.ctx.Err() != nil
	if !closing {
		c.ended.Store(true)
		j.errs.add("session", err)
		j.rj.ended(s, j.now(), err)
		j.live.ended.Add(1)
	}
	_ = c.sess.Close()
	if !closing && !j.opts.NoReconnect {
		j.wg.Add(1)
		go j.connect(j.ctx, s, true)
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

// closers is how many sessions the driver closes at once at the end.
const closers = 64

// closeAll closes the open sessions, closers at a time, each with a
// close handshake bounded by the client's CloseTimeout and by by: those
// still open then are dropped without waiting, so that a frozen target
// holds the end of a run until by, not a CloseTimeout per closers
// sessions. It waits until every joiner and reader has ended. Their End
// calls see that the run is closing (live.closing, or the
// subscriptions' context done).
func (j *joiners) closeAll(by time.Time) {
	next := make(chan *conn)
	var g sync.WaitGroup
	for range closers {
		g.Go(func() {
			for c := range next {
				_ = c.sess.CloseWithin(time.Until(by))
			}
		})
	}
	for _, s := range j.subs {
		if c := s.cur.Load(); c != nil {
			next <- c
		}
	}
	close(next)
	g.Wait()
	j.wg.Wait()
}

// outstanding counts accepted pushes not received yet.
func (j *joiners) outstanding() int64 {
	var n int64
	for _, s := range j.subs {
		if c := s.cur.Load(); c != nil {
			n += max(c.accepted.Load()-c.received.Load(), 0)
		}
	}
	return n
}

// openSub returns subscription i if it has an open session, else the
// next one that has, or nil.
func (j *joiners) openSub(i int) (*subscription, *conn) {
	for k := range len(j.subs) {
		s := j.subs[(i+k)%len(j.subs)]
		if c := s.cur.Load(); c != nil {
			return s, c
		}
	}
	return nil, nil
}

// figures sums the subscriptions up once every goroutine has ended, and
// adds their receive-side figures to del (tallied from the push table):
// late, reordered, misrouted and foreign frames, and the lost pushes
// that were accepted for a session that ended before the run did.
func (j *joiners) figures(del *loadresult.Delivery) loadresult.SubscriptionFigures {
	f := loadresult.SubscriptionFigures{
		Requested: len(j.subs), JoinAttempts: j.live.joinAttempts.Load(), JoinFailures: j.live.joinFailures.Load(),
		Reconnects: uint64(j.live.reconnects.Load()), TriggersPerSubscription: make([]uint64, len(j.subs)),
	}
	var lostAcross uint64
	for i, s := range j.subs {
		s.rc.newSession(nil) // fold the last session's seq figures in
		st := &s.rc.stats
		if s.joined {
			f.Joined++
		}
		f.Sessions += uint64(len(s.conns))
		f.TriggersReceived += st.Triggers
		f.TriggersPerSubscription[i] = st.Triggers
		f.PushFrames += st.Pushes
		f.SeqGaps += st.Gaps
		f.SeqDuplicates += st.DupSeq
		f.OutOfOrderFrames += st.Reordered
		del.OutOfOrder += st.PushReordered
		del.Misrouted += st.Misrouted
		del.ForeignFrames += st.Foreign
		for _, c := range s.conns {
			if c.ended.Load() {
				lostAcross += uint64(max(c.accepted.Load()-c.received.Load(), 0))
			} else {
				f.OpenAtEnd++
			}
		}
	}
	f.NeverJoined = f.Requested - f.Joined
	del.Late = j.live.late.Load()
	del.LostAcrossReconnect = min(lostAcross, del.Lost)
	return f
}
