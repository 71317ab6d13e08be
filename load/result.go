package load

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// summarizeAll describes one histogram per metric, histograms encoded.
func summarizeAll(h *[nMetrics]*hdrhistogram.Histogram) loadresult.Latencies {
	return loadresult.Latencies{
		Connect:      loadresult.Summarize(h[mConnect], true),
		FirstFrame:   loadresult.Summarize(h[mFirstFrame], true),
		PushResponse: loadresult.Summarize(h[mPushResponse], true),
		PushEndToEnd: loadresult.Summarize(h[mEndToEnd], true),
		PushService:  loadresult.Summarize(h[mService], true),
	}
}

// result gathers the figures once every goroutine has ended.
func (d *Driver) result(cutoff time.Duration, cutShort bool, before, after *mockapi.Stats) *Result {
	r := &Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Interrupted: cutShort, Errors: d.errs.list(), Intervals: d.ticks.intervals()}
	r.Meta = d.meta(cutoff)
	r.Config = d.config()
	r.Pushes, r.Delivery = d.led.tally(cutoff, cutShort)
	d.led.sendFigures(&r.Pushes, d.opts.Warmup, d.opts.measured(), cutoff, cutShort)
	r.Subscriptions = d.joins.figures(&r.Delivery)
	r.Subscriptions.JoinSeconds = d.joined.Sub(d.started).Seconds()
	r.Delivery.SetInvariant(d.live.accepted.Load())
	var merged [nMetrics]*hdrhistogram.Histogram
	for m := range merged {
		merged[m] = d.rec.merged(metric(m))
	}
	censored := d.led.censor(cutoff, d.opts.Warmup, merged[mEndToEnd], merged[mService])
	r.Latency = summarizeAll(&merged)
	r.Latency.PushEndToEnd.Censored, r.Latency.PushService.Censored = censored, censored
	r.Mock = reconcile(before, after, r)
	r.Driver = d.ticks.watch.health(r.Pushes)
	r.Driver.Memory, r.Driver.MemoryPerSubscriptionBytes = memory(d.mem.base, d.mem.held, d.mem.subs)
	if d.lateStart > 0 {
		r.Driver.Warnings = append(r.Driver.Warnings, fmt.Sprintf("the joins ended %v after the start time (--start-at %s): this shard began pushing that late, out of step with shards that started on time; give the joins more time before the start",
			d.lateStart.Round(time.Millisecond), d.opts.StartAt.UTC().Format(time.RFC3339Nano)))
	}
	return r
}

func (d *Driver) meta(cutoff time.Duration) loadresult.Meta {
	m := loadresult.Meta{
		Version: "(devel)", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Target: d.RedactedTarget(), Started: d.started, PushStart: d.pushStart, Ended: d.now(),
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
	c.Idle = o.Idle
	if !o.StartAt.IsZero() {
		c.StartAt = o.StartAt.UTC().Format(time.RFC3339Nano)
	}
	c.SourceAddrs = d.src.n
	return c
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
