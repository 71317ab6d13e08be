package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// Phases of a run, as Live reports them.
const (
	PhaseJoining  = "joining"
	PhaseWarmup   = "warmup"
	PhasePushing  = "pushing"
	PhaseHolding  = "holding" // an idle run's hold (Options.Idle)
	PhaseDraining = "draining"
	PhaseClosing  = "closing"
	PhaseDone     = "done"
)

// live are the counters the progress display and the interval series
// read while the run goes on.
type live struct {
	joined, open, reconnects   atomic.Int64
	joinAttempts, joinFailures atomic.Uint64
	dispatched, sent, accepted atomic.Uint64
	frames, lateSends          atomic.Uint64
	maxLag                     atomic.Int64
	phase                      atomic.Pointer[string]
}

// Driver runs one load run. Make it with New and call Run once; Live may
// be called meanwhile from any goroutine.
type Driver struct {
	target string
	creds  protocol.Credentials
	opts   Options
	now    func() time.Time

	cl       *client.Client
	httpc    *http.Client
	ownHTTP  bool
	sched    Schedule
	table    *pushTable
	rec      *recorder
	errs     *errorLog
	led      ledger
	live     live
	subs     []*subscription
	loopback bool
	srcNext  atomic.Uint32

	// wg counts the joiner goroutines and the sessions' readers (from
	// Open to the end of End); subCtx ends the subscriptions, closing
	// tells the readers the run is closing them.
	wg      sync.WaitGroup
	subCtx  context.Context
	closing atomic.Bool

	firstLeft atomic.Int64  // subscriptions yet to make their first join attempt
	firstDone chan struct{} // closed when firstLeft reaches zero

	started, pushStart, measureFrom time.Time
	pushStartNs                     atomic.Int64  // pushStart for the ticker and Live
	cutC                            chan cutReq   // to the ticker: end the interval at a boundary
	tickDone                        chan struct{} // closed when the ticker has ended
	cancelNs                        atomic.Int64  // when the run was cancelled during the pushes (0: it was not)
	openAtClosing                   atomic.Int64  // sessions open when the run began to close them

	lastMu    sync.Mutex
	last      Interval
	intervals []Interval // written by the ticker goroutine only
	watch     selfWatch

	memBase, memHeld memSample // before the first join; with the subscriptions held
	heldSubs         int64     // sessions open at memHeld
}

// Run is New followed by (*Driver).Run.
func Run(ctx context.Context, target string, creds protocol.Credentials, opts *Options) (*Result, error) {
	d, err := New(target, creds, opts)
	if err != nil {
		return nil, err
	}
	return d.Run(ctx)
}

// New checks the options and prepares a run against target.
func New(target string, creds protocol.Credentials, opts *Options) (*Driver, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	u, err := client.ParseTarget(target)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	d := &Driver{target: u.String(), creds: creds, opts: o, now: o.Now, errs: newErrorLog(creds)}
	d.loopback = isLoopback(u.Hostname()) && o.SourceAddrs > 1
	d.httpc, d.ownHTTP = o.HTTPClient, o.HTTPClient == nil
	if d.ownHTTP {
		d.httpc = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: client.DefaultHandshakeTimeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        o.Workers,
			MaxIdleConnsPerHost: o.Workers,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		}}
	}
	dial := o.NetDialContext
	if dial == nil {
		dial = d.dial
	}
	d.cl, err = client.New(d.target, creds, &client.Options{
		HandshakeTimeout: client.DefaultHandshakeTimeout,
		Proxy:            func(*http.Request) (*url.URL, error) { return nil, nil }, // direct
		NetDialContext:   dial,
		ReadBufferSize:   DefaultReadBuffer,
		WriteBufferSize:  DefaultWriteBuffer,
		WriteBufferPool:  &sync.Pool{},
		HTTPClient:       d.httpc,
		ReadLimit:        2 * maxPayload, CloseTimeout: time.Second, Now: o.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	d.sched = o.schedule()
	d.table = newPushTable(d.sched.Total())
	d.rec = newRecorder(max(4, 2*runtime.GOMAXPROCS(0)))
	d.led = ledger{table: d.table, rec: d.rec, live: &d.live, shard: o.Shard, timeout: o.PushTimeout}
	n := o.mySubscriptions()
	d.subs = make([]*subscription, n)
	for i := range d.subs {
		global := i*o.Shard.N + o.Shard.K
		d.subs[i] = &subscription{idx: i, pattern: o.Patterns[global%len(o.Patterns)], rc: receiver{sub: i}}
	}
	d.firstLeft.Store(int64(n))
	d.firstDone = make(chan struct{})
	if n == 0 {
		close(d.firstDone)
	}
	d.setPhase(PhaseJoining)
	return d, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}

// dial makes the websocket's TCP connection, spreading loopback joins
// over source addresses 127.0.0.1 to 127.0.0.SourceAddrs so that each
// has its own ephemeral ports.
func (d *Driver) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := net.Dialer{Timeout: client.DefaultHandshakeTimeout}
	if d.loopback {
		i := d.srcNext.Add(1) % uint32(d.opts.SourceAddrs)
		nd.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
		network = "tcp4"
	}
	return nd.DialContext(ctx, network, addr)
}

func (d *Driver) setPhase(p string) { d.live.phase.Store(&p) }

// Run joins the subscriptions, pushes on schedule, waits for the frames
// still due, closes everything and returns the results. Cancelling ctx
// cuts the run short; the results then describe what happened so far,
// with Result.Interrupted set.
func (d *Driver) Run(ctx context.Context) (*Result, error) {
	before := d.mockStats(ctx)
	d.memBase = sampleMemory()
	d.started = d.now()
	d.watch.start()
	d.cutC, d.tickDone = make(chan cutReq), make(chan struct{})
	tickCtx, stopTick := context.WithCancel(context.Background())
	var ticker errgroup.Group
	ticker.Go(func() error { d.tick(tickCtx); return nil })

	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	d.subCtx = subCtx
	d.joinAll(subCtx)

	d.pushStart = d.now()
	d.measureFrom = d.pushStart.Add(d.opts.Warmup)
	d.led.measureFrom = d.measureFrom.UnixNano()
	d.pushStartNs.Store(d.pushStart.UnixNano())
	d.setPushPhase()
	d.cutAt(d.pushStart)
	stopCut := d.cutOnCancel(ctx)
	d.pushAll(ctx)
	d.memHeld, d.heldSubs = sampleMemory(), d.live.open.Load()

	d.setPhase(PhaseDraining)
	d.drain(ctx)
	cutoff, cutShort := d.now().Sub(d.pushStart), ctx.Err() != nil

	stopCut()
	d.openAtClosing.Store(d.live.open.Load())
	d.setPhase(PhaseClosing)
	d.closing.Store(true)
	stopSubs()
	d.closeAll()
	d.wg.Wait()
	stopTick()
	_ = ticker.Wait()
	after := d.mockStats(context.WithoutCancel(ctx))
	if d.ownHTTP {
		d.httpc.CloseIdleConnections()
	}
	d.setPhase(PhaseDone)
	res := d.result(cutoff, cutShort, before, after)
	return res, nil
}

// joinAll starts the subscriptions' joiners at ConnectRate and returns
// when each has made its first join attempt.
func (d *Driver) joinAll(ctx context.Context) {
	ramp := Schedule{Stages: []Stage{{Duration: time.Duration(float64(len(d.subs)) / d.opts.ConnectRate * float64(time.Second)), Rate: d.opts.ConnectRate}}}
	start := d.now()
	for i, s := range d.subs {
		due, _ := ramp.Due(uint64(i))
		if !sleepUntil(ctx, d.now, start.Add(due)) {
			break
		}
		d.wg.Add(1)
		go d.connect(ctx, s, false)
	}
	select {
	case <-d.firstDone:
	case <-ctx.Done():
	}
}

// closers is how many sessions the driver closes at once at the end.
const closers = 64

// closeAll closes the open sessions, closers at a time, each with a
// close handshake bounded by the client's CloseTimeout. Their readers'
// End calls then see that the run is closing.
func (d *Driver) closeAll() {
	next := make(chan *conn)
	var g sync.WaitGroup
	for range closers {
		g.Go(func() {
			for c := range next {
				_ = c.sess.Close()
			}
		})
	}
	for _, s := range d.subs {
		if c := s.cur.Load(); c != nil {
			next <- c
		}
	}
	close(next)
	g.Wait()
}

// firstTried marks one subscription's first join attempt done.
func (d *Driver) firstTried() {
	if d.firstLeft.Add(-1) == 0 {
		close(d.firstDone)
	}
}

// drain waits until every accepted push has been received, or until
// PushTimeout after the end of the schedule, or ctx is done.
func (d *Driver) drain(ctx context.Context) {
	deadline := d.pushStart.Add(d.sched.Duration() + d.opts.PushTimeout)
	for d.outstanding() > 0 {
		next := d.now().Add(10 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		if !sleepUntil(ctx, d.now, next) || !d.now().Before(deadline) {
			return
		}
	}
}

// outstanding counts accepted pushes not received yet.
func (d *Driver) outstanding() int64 {
	var n int64
	for _, s := range d.subs {
		if c := s.cur.Load(); c != nil {
			n += max(c.accepted.Load()-c.received.Load(), 0)
		}
	}
	return n
}

// sleepUntil waits until t, or ctx is done (then it returns false).
func sleepUntil(ctx context.Context, now func() time.Time, t time.Time) bool {
	wait := t.Sub(now())
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// RedactedTarget is the target URL as results show it.
func (d *Driver) RedactedTarget() string { return protocol.RedactURLString(d.target) }
