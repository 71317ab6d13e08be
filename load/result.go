package load

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// SchemaVersion is the version of the Result JSON shape. It changes when
// a field is renamed, removed or changes meaning; new fields may appear
// without a change.
//
// Version 2 keeps, per interval, every latency kind with its histogram
// (Interval.Latency); version 1 kept only the end-to-end count, p50, p99
// and max. Interval's UnmarshalJSON reads both.
const SchemaVersion = 2

// ResultKind names the document in its "kind" field.
const ResultKind = "wstrigger.load.result"

// Result is everything a run measured. Its JSON form is the --json file
// of "wstrigger load": see the field tags; times are RFC 3339, latencies
// in microseconds, rates per second, and each latency Summary carries
// its whole HdrHistogram (base64, V2 compressed) so runs and shards can
// be merged (hdrhistogram.Decode, Merge) and compared. "interrupted"
// is true when the run was cut short: its figures are those of the run
// so far, and none of its SLOs passed.
type Result struct {
	SchemaVersion int    `json:"schemaVersion"`
	Kind          string `json:"kind"`
	// Interrupted is set when the run's context was cancelled (Ctrl-C,
	// SIGTERM, a deadline) before the run ended: during the joins, the
	// pushes or the wait for the frames still due. The figures are then
	// those of the run so far: pushes not yet due count as not due and
	// frames still due as in flight. CheckSLOs passes no SLO of an
	// interrupted run. A merge of shards is interrupted when one was.
	Interrupted   bool                `json:"interrupted,omitempty"`
	Meta          Meta                `json:"meta"`
	Config        Config              `json:"config"`
	Subscriptions SubscriptionFigures `json:"subscriptions"`
	Pushes        Pushes              `json:"pushes"`
	Delivery      Delivery            `json:"delivery"`
	Latency       Latencies           `json:"latency"`
	Errors        []ErrorClass        `json:"errors"`
	Intervals     []Interval          `json:"intervals"`
	Mock          *MockCheck          `json:"mock,omitempty"` // when the target is the mock
	Driver        DriverHealth        `json:"driver"`
	SLOs          []SLOResult         `json:"slos,omitempty"` // filled by CheckSLOs
}

// Meta describes where and when the run happened.
type Meta struct {
	Version    string `json:"version"`
	GoVersion  string `json:"goVersion"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	NumCPU     int    `json:"numCPU"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Host       string `json:"host"`
	Target     string `json:"target"` // redacted
	// TargetName names the target for people when its URL says little,
	// such as "embedded mock"; set by the caller, empty otherwise.
	TargetName string    `json:"targetName,omitempty"`
	Started    time.Time `json:"started"`
	PushStart  time.Time `json:"pushStart"`
	Ended      time.Time `json:"ended"`
	// CutoffSeconds is when, after the push start, receiving stopped.
	CutoffSeconds float64 `json:"cutoffSeconds"`
}

// Config is the run's configuration, as resolved from Options.
type Config struct {
	Subscriptions      int      `json:"subscriptions"`      // all shards
	ShardSubscriptions int      `json:"shardSubscriptions"` // this process
	ConnectRate        float64  `json:"connectRate"`
	Patterns           []string `json:"patterns"`
	PushRate           float64  `json:"pushRate,omitempty"`
	Idle               bool     `json:"idle,omitempty"`   // held, no pushes
	Stages             []Stage  `json:"stages,omitempty"` // durations in nanoseconds
	DurationSeconds    float64  `json:"durationSeconds"`  // measured part
	WarmupSeconds      float64  `json:"warmupSeconds"`
	PayloadSize        int      `json:"payloadSize"`
	Skew               string   `json:"skew"`
	PushTimeoutMs      int64    `json:"pushTimeoutMs"`
	Workers            int      `json:"workers"`
	Reconnect          bool     `json:"reconnect"`
	Shard              string   `json:"shard"`
	LateSendMs         float64  `json:"lateSendMs"`
	SourceAddrs        int      `json:"sourceAddrs"` // loopback source addresses used (1: none spread)
}

// SubscriptionFigures are the join and receive side of the run.
type SubscriptionFigures struct {
	Requested    int    `json:"requested"` // this shard
	Joined       int    `json:"joined"`    // joined at least once
	NeverJoined  int    `json:"neverJoined"`
	OpenAtEnd    int    `json:"openAtEnd"`
	Sessions     uint64 `json:"sessions"` // successful joins, reconnects included
	JoinAttempts uint64 `json:"joinAttempts"`
	JoinFailures uint64 `json:"joinFailures"`
	Reconnects   uint64 `json:"reconnects"`
	// JoinSeconds is how long after the start every subscription had
	// made its first join attempt (the ramp at ConnectRate included).
	JoinSeconds float64 `json:"joinSeconds"`
	// TriggersReceived counts trigger frames; TriggersPerSubscription
	// holds the count of each subscription, in order.
	TriggersReceived        uint64   `json:"triggersReceived"`
	TriggersPerSubscription []uint64 `json:"triggersPerSubscription"`
	PushFrames              uint64   `json:"pushFrames"` // duplicates included
	// SeqGaps counts seq numbers skipped (frames lost); SeqDuplicates
	// frames whose seq repeated the previous one; OutOfOrderFrames
	// frames whose seq was below one seen before.
	SeqGaps          uint64 `json:"seqGaps"`
	SeqDuplicates    uint64 `json:"seqDuplicates"`
	OutOfOrderFrames uint64 `json:"outOfOrderFrames"`
}

// Latencies are the run's latency distributions. End-to-end counts from
// the push's intended send time (the schedule's), service time from its
// actual send; warmup pushes are left out of both and of PushResponse.
type Latencies struct {
	Connect      Summary `json:"connect"`      // TCP + upgrade + session frame
	FirstFrame   Summary `json:"firstFrame"`   // session frame to first trigger or push frame
	PushResponse Summary `json:"pushResponse"` // push request to 202
	PushEndToEnd Summary `json:"pushEndToEnd"` // intended send to frame receipt
	PushService  Summary `json:"pushService"`  // actual send to frame receipt
}

// latencyNames are the JSON names of Latencies' fields, in Kinds' order.
var latencyNames = [...]string{"connect", "firstFrame", "pushResponse", "pushEndToEnd", "pushService"}

// Kinds returns l's summaries in a fixed order: connect, first frame,
// push response, push end-to-end, push service.
func (l *Latencies) Kinds() []*Summary {
	return []*Summary{&l.Connect, &l.FirstFrame, &l.PushResponse, &l.PushEndToEnd, &l.PushService}
}

// summarizeAll describes one histogram per metric, histograms encoded.
func summarizeAll(h *[nMetrics]*hdrhistogram.Histogram) Latencies {
	return Latencies{
		Connect:      Summarize(h[mConnect], true),
		FirstFrame:   Summarize(h[mFirstFrame], true),
		PushResponse: Summarize(h[mPushResponse], true),
		PushEndToEnd: Summarize(h[mEndToEnd], true),
		PushService:  Summarize(h[mService], true),
	}
}

// result gathers the figures once every goroutine has ended.
func (d *Driver) result(cutoff time.Duration, cutShort bool, before, after *mockapi.Stats) *Result {
	r := &Result{SchemaVersion: SchemaVersion, Kind: ResultKind, Interrupted: cutShort, Errors: d.errs.list(), Intervals: d.intervals}
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
	r.Delivery.check(d.live.accepted.Load())
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

func (d *Driver) meta(cutoff time.Duration) Meta {
	m := Meta{
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

func (d *Driver) config() Config {
	o := &d.opts
	c := Config{
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
func (d *Driver) subscriptionFigures() (SubscriptionFigures, uint64) {
	f := SubscriptionFigures{
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
func (d *Driver) pushFigures(p *Pushes, cutoff time.Duration, cutShort bool) {
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
