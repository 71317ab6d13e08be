package load

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// summarizeAll describes one histogram per metric, histograms encoded.
func summarizeAll[H any](h *[nMetrics]H, summarize func(H, bool) loadresult.Summary) loadresult.Latencies {
	return loadresult.Latencies{
		Connect:      summarize(h[mConnect], true),
		FirstFrame:   summarize(h[mFirstFrame], true),
		PushResponse: summarize(h[mPushResponse], true),
		PushEndToEnd: summarize(h[mEndToEnd], true),
		PushService:  summarize(h[mService], true),
	}
}

// latencies merges the recorder's histograms, with a censored sample of
// each push accepted but not received by cutoff (ledger.censor).
func (d *Driver) latencies(cutoff time.Duration) (loadresult.Latencies, *hdrhistogram.Histogram) {
	var merged [nMetrics]*hdrhistogram.Histogram
	for m := range merged {
		merged[m] = d.rec.merged(metric(m))
	}
	censored := d.led.censor(cutoff, d.opts.Warmup, merged[mEndToEnd], merged[mService])
	l := summarizeAll(&merged, loadresult.Summarize)
	l.PushEndToEnd.Censored, l.PushService.Censored = censored, censored
	return l, merged[mEndToEnd]
}

// result gathers the figures once every goroutine has ended.
func (d *Driver) result(cutoff time.Duration, cutShort bool, before, after *mockapi.Stats) *Result {
	r := &Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Interrupted: cutShort, Errors: d.errs.list(), Intervals: d.ticks.intervals()}
	r.Meta = d.meta(d.started, d.pushStart, cutoff)
	r.Config = d.config()
	r.Pushes, r.Delivery = d.led.tally(cutoff, cutShort)
	d.led.sendFigures(&r.Pushes, d.opts.Warmup, d.opts.measured(), cutoff, cutShort)
	r.Subscriptions = d.joins.figures(&r.Delivery)
	r.Rejoins = d.joins.rj.figures()
	r.Subscriptions.JoinSeconds = d.joined.Sub(d.started).Seconds()
	r.Delivery.SetInvariant(d.live.accepted.Load())
	var e2e *hdrhistogram.Histogram
	r.Latency, e2e = d.latencies(cutoff)
	d.finalE2E.Store(e2e) // EndToEnd's from now on: the censored samples with the rest
	r.Mock = reconcile(before, after, r)
	r.Driver = d.ticks.watch.health(r.Pushes)
	r.Driver.Memory, r.Driver.MemoryPerSubscriptionBytes = memory(d.mem.base, d.mem.held, d.mem.subs)
	if d.lateStart > 0 {
		r.Driver.Warnings = append(r.Driver.Warnings, fmt.Sprintf("the joins ended %v after the start time (--start-at %s): this shard began pushing that late, out of step with shards that started on time; give the joins more time before the start",
			d.lateStart.Round(time.Millisecond), d.opts.StartAt.UTC().Format(time.RFC3339Nano)))
	}
	return r
}

func (d *Driver) meta(started, pushStart time.Time, cutoff time.Duration) loadresult.Meta {
	m := loadresult.Meta{
		Version: "(devel)", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Target: d.RedactedTarget(), Started: started, PushStart: pushStart, Ended: d.now(),
		CutoffSeconds: cutoff.Seconds(),
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		m.Version = info.Main.Version
	}
	m.Host, _ = os.Hostname()
	return m
}

func (d *Driver) config() loadresult.Config {
	o := &d.opts
	c := loadresult.Config{
		Subscriptions: o.Subscriptions, ShardSubscriptions: len(d.joins.subs), ConnectRate: o.ConnectRate,
		Patterns: o.Patterns, Stages: o.Stages, DurationSeconds: o.measured().Seconds(),
		WarmupSeconds: o.Warmup.Seconds(), PayloadSize: o.PayloadSize, Skew: o.Skew.String(),
		PushTimeoutMs: o.PushTimeout.Milliseconds(), Workers: o.Workers, Reconnect: !o.NoReconnect,
		Shard: o.Shard.String(), LateSendMs: float64(o.LateSend) / float64(time.Millisecond),
	}
	if len(o.Stages) == 0 {
		c.PushRate = o.PushRate
	}
	c.Idle, c.NoBackoffJitter = o.Idle, o.NoBackoffJitter
	if !o.StartAt.IsZero() {
		c.StartAt = o.StartAt.UTC().Format(time.RFC3339Nano)
	}
	c.SourceAddrs = d.src.n
	return c
}

// Snapshot is what is known of the run now, as a Result marked
// interrupted, for a caller that cannot wait for Run to end (a second
// Ctrl-C). It is safe to call at any time, from any goroutine. Pushes,
// delivery (pushes due within PushTimeout of now count in flight), the
// latencies (with censored samples), errors and intervals are those so
// far; what only the end of a run settles is not: the subscription
// figures are the live gauges (no per-subscription counts, seq checks
// or session losses), and the mock check and the driver's health are
// left out. A warning says so.
func (d *Driver) Snapshot() *Result {
	l := d.Live()
	r := &Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Interrupted: true, Errors: d.errs.list(),
		Intervals: slices.Clone(d.ticks.intervals())}
	var started, pushStart time.Time
	if ns := d.ticks.startedNs.Load(); ns != 0 {
		started = time.Unix(0, ns)
	}
	if ps, ok := d.ticks.pushStart(); ok {
		pushStart = ps
	}
	cutoff := l.Elapsed
	r.Meta = d.meta(started, pushStart, cutoff)
	r.Config = d.config()
	r.Pushes, r.Delivery = d.led.tally(cutoff, true)
	d.led.sendFigures(&r.Pushes, d.opts.Warmup, d.opts.measured(), cutoff, true)
	r.Subscriptions = loadresult.SubscriptionFigures{
		Requested: l.Subscriptions, Joined: int(l.Joined), NeverJoined: l.Subscriptions - int(l.Joined), OpenAtEnd: int(l.Open),
		Reconnects: uint64(l.Reconnects), JoinAttempts: l.JoinAttempts, JoinFailures: l.JoinFailures, TriggersPerSubscription: []uint64{},
	}
	r.Delivery.Late = l.Late
	r.Rejoins = d.joins.rj.figures()
	r.Delivery.SetInvariant(r.Delivery.Accepted) // the workers count on meanwhile: no second count to check
	r.Latency, _ = d.latencies(cutoff)
	r.Driver.Warnings = []string{"written on a second Ctrl-C, " + l.Phase + ", before the run had stopped: the subscription figures are the live gauges only, and there is no mock check or driver health"}
	return r
}

// Result, Interval, Stage and Shard are loadresult's, named here too for
// the callers of Run, New and Options: a run's result is plain data,
// which renderers and merges read without this package.
type (
	Result   = loadresult.Result
	Interval = loadresult.Interval
	Stage    = loadresult.Stage
	Shard    = loadresult.Shard
)
