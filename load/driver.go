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

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// Driver runs one load run. Make it with New and call Run once; Live may
// be called meanwhile from any goroutine.
//
// It is composed of small parts, each with tests of its own: the
// Schedule (a pure function of the push number), the ticker (the
// intervals, on an injected clock), the ledger (the push table and the
// accounting of every push and frame) and the joiners (the
// subscriptions, their joins, reconnects and sessions). The Driver
// itself runs the pacer and the push workers and puts the result
// together.
type Driver struct {
	target  string
	opts    Options
	now     func() time.Time
	cl      *client.Client
	httpc   *http.Client
	ownHTTP bool // httpc is the driver's own: its idle connections are closed at the end
	src     *sourceAddrs

	live live
	rec  *recorder
	// finalE2E is the end-to-end histogram of the Result, censored
	// samples included, once it is made (EndToEnd).
	finalE2E atomic.Pointer[hdrhistogram.Histogram]
	errs     *errorLog
	led      *ledger
	joins    *joiners
	ticks    *ticker

	started, pushStart time.Time
	joined             time.Time     // when the joins ended
	lateStart          time.Duration // how far the joins overran StartAt
	mem                memWatch
}

// memWatch is the process's memory before the first join and with the
// subscriptions held, and how many were held then.
type memWatch struct {
	base, held memSample
	subs       int64
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
	d := &Driver{target: u.String(), opts: o, now: o.Now, errs: newErrorLog(creds, protocol.HeaderSecrets(o.Header)...)}
	d.httpc, d.ownHTTP = o.HTTPClient, o.HTTPClient == nil
	if d.ownHTTP {
		d.httpc = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: client.DefaultHandshakeTimeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        o.Workers,
			MaxIdleConnsPerHost: o.Workers,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			TLSClientConfig:     o.TLSConfig,
			Proxy:               o.Proxy,
		}}
	}
	d.src = &sourceAddrs{n: 1}
	if isLoopback(u.Hostname()) && o.SourceAddrs > 1 {
		d.src.n = o.SourceAddrs
	}
	dial := o.NetDialContext
	if dial == nil {
		dial = d.src.dial
	}
	proxy := o.Proxy
	if proxy == nil {
		proxy = func(*http.Request) (*url.URL, error) { return nil, nil } // direct
	}
	d.cl, err = client.New(d.target, creds, &client.Options{
		HandshakeTimeout: client.DefaultHandshakeTimeout,
		Header:           joinHeader(o.Header, o.Origin),
		TLSConfig:        o.TLSConfig,
		Proxy:            proxy,
		NetDialContext:   dial,
		ReadBufferSize:   DefaultReadBuffer,
		WriteBufferSize:  DefaultWriteBuffer,
		WriteBufferPool:  &sync.Pool{},
		DiscardHeader:    true, // a held subscription never reads them
		ReuseFrames:      true, // conn.Frame keeps nothing of a frame
		ShallowPark:      true,
		HTTPClient:       d.httpc,
		ReadLimit:        2 * maxPayload, CloseTimeout: time.Second, Now: o.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	d.rec = newRecorder(max(2, runtime.GOMAXPROCS(0)))
	d.led = newLedger(&d.opts, &d.live, d.rec)
	d.joins = newJoiners(&d.opts, d.cl, &d.live, d.rec, d.led, d.errs)
	d.ticks = newTicker(o.Now, plan{sched: d.led.sched, warmup: o.Warmup, idle: o.Idle}, &d.live, d.rec, d.errs, o.OnInterval)
	d.live.setPhase(loadresult.PhaseJoining)
	return d, nil
}

// joinHeader is the extra header of every join and push: h
// (Options.Header) and Origin, when the run has one.
func joinHeader(h http.Header, origin string) http.Header {
	if origin == "" {
		return h
	}
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(protocol.HeaderOrigin, origin)
	return h
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}

// sourceAddrs spreads loopback joins over source addresses 127.0.0.1 to
// 127.0.0.n, so that each has its own ephemeral ports.
type sourceAddrs struct {
	n    int // 1: no spreading
	next atomic.Uint32
}

// dial makes the websocket's TCP connection.
func (s *sourceAddrs) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := net.Dialer{Timeout: client.DefaultHandshakeTimeout}
	if s.n > 1 {
		i := s.next.Add(1) % uint32(s.n)
		nd.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}
		network = "tcp4"
	}
	return nd.DialContext(ctx, network, addr)
}

// Run joins the subscriptions, pushes on schedule, waits for the frames
// still due, closes everything and returns the results. Cancelling ctx
// cuts the run short; the results then describe what happened so far,
// with Result.Interrupted set.
func (d *Driver) Run(ctx context.Context) (*Result, error) {
	before := d.mockStats(ctx)
	d.mem.base = sampleMemory()
	d.started = d.now()
	tickCtx, stopTick := context.WithCancel(context.Background())
	d.ticks.start(tickCtx, d.started)

	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	d.joins.joinAll(subCtx)
	if d.opts.OnJoined != nil {
		d.opts.OnJoined()
	}
	d.joined = d.now()
	d.awaitStart(ctx)

	d.pushStart = d.now()
	d.led.measureFrom = d.pushStart.Add(d.opts.Warmup).UnixNano()
	d.setPushPhase()
	d.ticks.cutAt(d.pushStart)
	stopCut := d.ticks.cutOnCancel(ctx)
	d.pushAll(ctx)
	d.mem.held, d.mem.subs = sampleMemory(), d.live.open.Load()

	d.live.setPhase(loadresult.PhaseDraining)
	d.drain(ctx)
	cutoff, cutShort := d.now().Sub(d.pushStart), ctx.Err() != nil

	stopCut()
	d.live.openAtClosing.Store(d.live.open.Load())
	d.live.setPhase(loadresult.PhaseClosing)
	d.live.closing.Store(true)
	stopSubs()
	stopBy := d.stopBy(cutShort)
	d.joins.closeAll(stopBy)
	stopTick()
	d.ticks.wait()
	after := d.mockStatsAfter(ctx, cutShort, stopBy)
	if d.ownHTTP {
		d.httpc.CloseIdleConnections()
	}
	res := d.result(cutoff, cutShort, before, after)
	d.live.final.Store(&Final{Lost: res.Delivery.Lost, InFlight: res.Delivery.InFlight, OpenAtEnd: res.Subscriptions.OpenAtEnd})
	d.live.setPhase(loadresult.PhaseDone)
	return res, nil
}

// awaitStart waits for Options.StartAt, if set, once the joins are done,
// or notes that the joins overran it.
func (d *Driver) awaitStart(ctx context.Context) {
	at := d.opts.StartAt
	if at.IsZero() {
		return
	}
	if late := d.now().Sub(at); late > StartAtTolerance {
		d.lateStart = late
		return
	}
	sleepUntil(ctx, d.now, at)
}

// drain waits until every accepted push has been received, or until
// PushTimeout after the end of the schedule, or ctx is done.
func (d *Driver) drain(ctx context.Context) {
	deadline := d.pushStart.Add(d.led.sched.Duration() + d.opts.PushTimeout)
	for d.joins.outstanding() > 0 {
		next := d.now().Add(10 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		if !sleepUntil(ctx, d.now, next) || !d.now().Before(deadline) {
			return
		}
	}
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
