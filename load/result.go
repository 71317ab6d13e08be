package load

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/loadresult"
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
func (d *Driver) result(cutoff time.Duration, cutShort bool, before, after *loadresult.MockStats) *Result {
	r := &Result{SchemaVersion: loadresult.SchemaVersion, Kind: loadresult.ResultKind, Interrupted: cutShort, Errors: d.errs.list(), Intervals: d.intervals}
	if r.Intervals == nil {
		r.Intervals = []Interval{}
	}
	r.Meta = d.meta(cutoff)
	r.Config = d.config()
	var lostAcross uint64
	r.Subscriptions, lostAcross = d.subscriptionFigures()
	r.Subscriptions.JoinSeconds = d.pushStart.Sub(d.started).Seconds()
	r.Pushes, r.Delivery = tally(d.table, d.sched, cutoff, d.opts.PushTimeout, d.live.dispatched.Load(), cutShort)
	d.pushFigures(&r.Pushes, cutoff, cutShort)
	for _, s := range d.subs {
		r.Delivery.Late += s.rc.stats.Late
		r.Delivery.OutOfOrder += s.rc.stats.PushReordered
		r.Delivery.Misrouted += s.rc.stats.Misrouted
		r.Delivery.ForeignFrames += s.rc.stats.Foreign
	}
	r.Delivery.LostAcrossReconnect = min(lostAcross, r.Delivery.Lost)
	r.Delivery.SetInvariant(d.live.accepted.Load())
	var merged [nMetrics]*hdrhistogram.Histogram
	for m := range merged {
		merged[m] = d.rec.merged(metric(m))
	}
	r.Latency = summarizeAll(&merged)
	r.Mock = reconcile(before, after, r)
	r.Driver = d.watch.health(r.Pushes)
	r.Driver.Memory, r.Driver.MemoryPerSubscriptionBytes = memory(d.memBase, d.memHeld, d.heldSubs)
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
		Subscriptions: o.Subscriptions, ShardSubscriptions: len(d.subs), ConnectRate: o.ConnectRate,
		Patterns: o.Patterns, Stages: o.Stages, DurationSeconds: o.measured().Seconds(),
		WarmupSeconds: o.Warmup.Seconds(), PayloadSize: o.PayloadSize, Skew: o.Skew.String(),
		PushTimeoutMs: o.PushTimeout.Milliseconds(), Workers: o.Workers, Reconnect: !o.NoReconnect,
		Shard: o.Shard.String(), LateSendMs: float64(o.LateSend) / float64(time.Millisecond), SourceAddrs: 1,
	}
	if len(o.Stages) == 0 {
		c.PushRate = o.PushRate
	}
	c.Idle = o.Idle
	if d.loopback {
		c.SourceAddrs = o.SourceAddrs
	}
	return c
}

// subscriptionFigures sums the subscriptions up, and the pushes lost
// with sessions that ended before the run did.
func (d *Driver) subscriptionFigures() (loadresult.SubscriptionFigures, uint64) {
	f := loadresult.SubscriptionFigures{
		Requested: len(d.subs), JoinAttempts: d.live.joinAttempts.Load(), JoinFailures: d.live.joinFailures.Load(),
		Reconnects: uint64(d.live.reconnects.Load()), TriggersPerSubscription: make([]uint64, len(d.subs)),
	}
	var lostAcross uint64
	for i, s := range d.subs {
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
		for _, c := range s.conns {
			if c.ended.Load() {
				lostAcross += uint64(max(c.accepted.Load()-c.received.Load(), 0))
			} else {
				f.OpenAtEnd++
			}
		}
	}
	f.NeverJoined = f.Requested - f.Joined
	return f, lostAcross
}

// pushFigures adds the send-side rates and lags to p. The rates of a
// run cut short (cutShort) are those of its measured part up to the
// cutoff, not of the whole schedule it never finished.
func (d *Driver) pushFigures(p *loadresult.Pushes, cutoff time.Duration, cutShort bool) {
	p.LateSends = d.live.lateSends.Load()
	p.MaxSendLagUs = time.Duration(d.live.maxLag.Load()).Microseconds()
	span := d.opts.measured()
	if cutShort {
		span = min(max(cutoff-d.opts.Warmup, 0), span)
	}
	var measured, accepted, due uint64
	for n := range d.table.e {
		at, _ := d.sched.Due(uint64(n))
		if at < d.opts.Warmup || at >= d.opts.Warmup+span {
			continue
		}
		due++
		st := d.table.e[n].state.Load()
		measured += bit(st, stSent)
		accepted += bit(st, stAccepted)
	}
	p.MeasuredPushes = measured
	if secs := span.Seconds(); secs > 0 {
		p.TargetRate = float64(due) / secs
		p.AchievedRate = float64(measured) / secs
		p.AcceptedRate = float64(accepted) / secs
	}
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
