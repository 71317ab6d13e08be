package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/loadresult"
)

// Label names; every label value is from a bounded set.
const (
	LabelShard  = "shard"  // K/N, from --shard
	LabelPhase  = "phase"  // a loadresult Phase constant
	LabelType   = "type"   // a frame type of the protocol
	LabelStatus = "status" // an HTTP status the mock answered
	LabelCode   = "code"   // an error code of the protocol, "none" or "other"; or a close code
)

// figure is one metric read from a load.Live snapshot.
type figure struct {
	name, help string
	kind       prometheus.ValueType
	value      func(l *load.Live) float64
}

func u(n uint64) float64 { return float64(n) }

// atEnd reads final once the run has ended (load.Live.Final), and live
// before.
func atEnd(final func(*load.Final) float64, live func(*load.Live) float64) func(*load.Live) float64 {
	return func(l *load.Live) float64 {
		if l.Final != nil {
			return final(l.Final)
		}
		return live(l)
	}
}

// driverFigures are the driver's metrics, each with the Result figure
// it equals once the run has ended (see the package doc).
var driverFigures = []figure{
	{"wstrigger_driver_schedule_pushes", "Pushes in the whole schedule of this shard (result: pushes.scheduled).", prometheus.GaugeValue,
		func(l *load.Live) float64 { return u(l.Scheduled) }},
	{"wstrigger_driver_pushes_scheduled_total", "Pushes that came due on the schedule and were handed to a worker (result: pushes.scheduled - pushes.notDue).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Due) }},
	{"wstrigger_driver_pushes_sent_total", "Push requests started (result: pushes.sent).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Sent) }},
	{"wstrigger_driver_pushes_accepted_total", "Pushes answered 202 (result: pushes.accepted).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Accepted) }},
	{"wstrigger_driver_pushes_rejected_total", "Pushes answered with an HTTP error status (result: pushes.rejected).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Rejected) }},
	{"wstrigger_driver_pushes_failed_total", "Pushes with no answer: timeout or transport error (result: pushes.failed).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Failed) }},
	{"wstrigger_driver_pushes_unsent_total", "Pushes due with no open session to push to (result: pushes.unsent).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Unsent) }},
	{"wstrigger_driver_pushes_received_total", "Pushes of this run received at least once, whatever their answer (result: delivery.received + delivery.receivedUnaccepted).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Received) }},
	{"wstrigger_driver_pushes_late_total", "Pushes received more than the push timeout after their intended time (result: delivery.late).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Late) }},
	{"wstrigger_driver_pushes_lost_total", "Accepted pushes never received; known only when the run has ended, 0 before (result: delivery.lost).", prometheus.CounterValue,
		atEnd(func(f *load.Final) float64 { return u(f.Lost) }, func(*load.Live) float64 { return 0 })},
	{"wstrigger_driver_late_sends_total", "Pushes started more than the late-send lag (10 ms by default) after their intended time: the driver fell behind (result: pushes.lateSends).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.LateSends) }},
	{"wstrigger_driver_frames_received_total", "Trigger and push frames received, duplicates included.", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Frames) }},
	{"wstrigger_driver_subscriptions", "Subscriptions this shard holds (result: subscriptions.requested).", prometheus.GaugeValue,
		func(l *load.Live) float64 { return float64(l.Subscriptions) }},
	{"wstrigger_driver_subscriptions_joined", "Subscriptions joined at least once.", prometheus.GaugeValue,
		func(l *load.Live) float64 { return float64(l.Joined) }},
	{"wstrigger_driver_subscriptions_open", "Subscriptions with an open session; once the run has ended, those open at its end (result: subscriptions.openAtEnd).", prometheus.GaugeValue,
		atEnd(func(f *load.Final) float64 { return float64(f.OpenAtEnd) }, func(l *load.Live) float64 { return float64(l.Open) })},
	{"wstrigger_driver_reconnects_total", "Sessions joined again after the server ended one (result: subscriptions.reconnects).", prometheus.CounterValue,
		func(l *load.Live) float64 { return float64(l.Reconnects) }},
	{"wstrigger_driver_join_attempts_total", "Join attempts (result: subscriptions.joinAttempts).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.JoinAttempts) }},
	{"wstrigger_driver_join_failures_total", "Join attempts that failed (result: subscriptions.joinFailures).", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.JoinFailures) }},
	{"wstrigger_driver_errors_total", "Errors recorded, every class.", prometheus.CounterValue,
		func(l *load.Live) float64 { return u(l.Errors) }},
	{"wstrigger_driver_cpu_busy_ratio", "CPU the driver process used in the last interval, as a share of GOMAXPROCS (result: intervals[].driverCpuPercent / 100).", prometheus.GaugeValue,
		func(l *load.Live) float64 { return l.Last.DriverCPU / 100 }},
	{"wstrigger_driver_sched_latency_p99_seconds", "99th percentile of the Go scheduler latency in the last interval: goroutines waiting to run (result: intervals[].schedLatencyP99Us).", prometheus.GaugeValue,
		func(l *load.Live) float64 { return float64(l.Last.SchedP99Us) / 1e6 }},
}

// phases are the values of the phase label.
var phases = []string{
	loadresult.PhaseJoining, loadresult.PhaseWarmup, loadresult.PhasePushing, loadresult.PhaseHolding,
	loadresult.PhaseDraining, loadresult.PhaseClosing, loadresult.PhaseDone,
}

// driverCollector reads a load.Driver at each scrape.
type driverCollector struct {
	d       *load.Driver
	descs   []*prometheus.Desc // driverFigures'
	phase   *prometheus.Desc
	latency *prometheus.Desc
}

// NewDriverCollector returns a collector of d's live figures. Its
// metrics carry no shard label: RegisterDriver adds it.
func NewDriverCollector(d *load.Driver) prometheus.Collector {
	c := &driverCollector{d: d,
		phase: prometheus.NewDesc("wstrigger_driver_phase", "1 for the phase the run is in (warmup pushes count in the counters, not in the latency histogram).", []string{LabelPhase}, nil),
		latency: prometheus.NewDesc("wstrigger_driver_push_end_to_end_seconds",
			"Push latency from its intended send time to its frame's receipt, warmup left out (result: latency.pushEndToEnd; _count is its count).", nil, nil),
	}
	for _, f := range driverFigures {
		c.descs = append(c.descs, prometheus.NewDesc(f.name, f.help, nil, nil))
	}
	return c
}

func (c *driverCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- c.phase
	ch <- c.latency
}

func (c *driverCollector) Collect(ch chan<- prometheus.Metric) {
	l := c.d.Live()
	for i, f := range driverFigures {
		ch <- prometheus.MustNewConstMetric(c.descs[i], f.kind, f.value(&l))
	}
	for _, p := range phases {
		v := 0.0
		if p == l.Phase {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.phase, prometheus.GaugeValue, v, p)
	}
	if m, err := constHistogram(c.latency, c.d.EndToEnd(), LatencyBuckets); err == nil {
		ch <- m
	} else {
		ch <- prometheus.NewInvalidMetric(c.latency, err)
	}
}

// RegisterDriver registers on reg d's metrics and the process's and the
// Go runtime's (process_cpu_seconds_total is the driver's CPU), each
// with the label shard="K/N" of d's shard.
func RegisterDriver(reg prometheus.Registerer, d *load.Driver) error {
	return register(prometheus.WrapRegistererWith(prometheus.Labels{LabelShard: d.Shard().String()}, reg),
		NewDriverCollector(d), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
}

// RegisterProcess registers the process's and the Go runtime's metrics
// on reg, for a command with no driver (the mock).
func RegisterProcess(reg prometheus.Registerer) error {
	return register(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
}

func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
