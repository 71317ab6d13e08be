package loadresult

import "time"

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

// Phases of a run, as intervals and the driver's progress name them.
const (
	PhaseJoining  = "joining"
	PhaseWarmup   = "warmup"
	PhasePushing  = "pushing"
	PhaseHolding  = "holding" // an idle run's hold
	PhaseDraining = "draining"
	PhaseClosing  = "closing"
	PhaseDone     = "done"
)

// Result is everything a run measured. Its JSON form is the --json file
// of "wstrigger load": see the field tags; times are RFC 3339, latencies
// in microseconds, rates per second, and each latency Summary carries
// its whole HdrHistogram (base64, V2 compressed) so runs and shards can
// be merged (Merge) and compared. "interrupted" is true when the run was
// cut short: its figures are those of the run so far, and none of its
// SLOs passed.
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
	// Rejoins are the sessions that ended before the run did and the
	// subscriptions' way back (a reconnect storm); nil when none ended.
	Rejoins   *Rejoins     `json:"rejoins,omitempty"`
	Intervals []Interval   `json:"intervals"`
	Mock      *MockCheck   `json:"mock,omitempty"` // when the target is the mock
	Driver    DriverHealth `json:"driver"`
	// DriverFloor, when the run was calibrated (load --calibrate), is the
	// latency the driver adds by itself, measured beside the run.
	DriverFloor *DriverFloor `json:"driverFloor,omitempty"`
	SLOs        []SLOResult  `json:"slos,omitempty"` // filled by CheckSLOs
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
	// PushStartSkewSeconds is, in a merge, how far apart the shards'
	// push starts were: the latest minus PushStart, the earliest.
	PushStartSkewSeconds float64   `json:"pushStartSkewSeconds,omitempty"`
	Ended                time.Time `json:"ended"`
	// CutoffSeconds is when, after the push start, receiving stopped.
	CutoffSeconds float64 `json:"cutoffSeconds"`
}

// Stage is a part of the run pushing at a constant Rate per second.
type Stage struct {
	Duration time.Duration `json:"duration"`
	Rate     float64       `json:"rate"`
}

// Config is the run's configuration, as resolved from the driver's
// options.
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
	NoBackoffJitter    bool     `json:"noBackoffJitter,omitempty"` // reconnects waited their backoff's ceiling (a measurement)
	Shard              string   `json:"shard"`
	LateSendMs         float64  `json:"lateSendMs"`
	SourceAddrs        int      `json:"sourceAddrs"` // loopback source addresses used (1: none spread)
	// StartAt is the agreed instant pushing was to begin (RFC 3339,
	// --start-at); empty when the shard pushed as soon as it had joined.
	StartAt string `json:"startAt,omitempty"`
}
