package load

import (
	"context"
	"crypto/tls"
	_ "embed" // the default pattern mix
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// Defaults of a zero Options.
const (
	DefaultSubscriptions = 100
	DefaultConnectRate   = 500.0 // joins per second
	DefaultPushRate      = 100.0 // pushes per second
	DefaultDuration      = 10 * time.Second
	DefaultPayloadSize   = 256 // bytes of push body
	DefaultPushTimeout   = 5 * time.Second
	DefaultWorkers       = 128 // concurrent push requests
	// DefaultLateSend is how far behind its intended time a push may
	// start before it counts as a late send (the driver fell behind).
	DefaultLateSend = 10 * time.Millisecond
	// DefaultBackoffBase and DefaultBackoffMax bound the full-jitter
	// exponential backoff between reconnect attempts.
	DefaultBackoffBase = 100 * time.Millisecond
	DefaultBackoffMax  = 10 * time.Second
	// DefaultSourceAddrs is how many loopback source addresses
	// (127.0.0.1, 127.0.0.2, ...) joins are spread over when the target
	// is on the loopback interface.
	DefaultSourceAddrs = 16
	// DefaultReadBuffer and DefaultWriteBuffer are the websocket buffer
	// sizes of each subscription: small, since each is held for as long
	// as the subscription, frames are read whole into pooled buffers (the
	// part of a frame past what the read buffer holds goes straight into
	// them), and nothing but control frames is written.
	DefaultReadBuffer  = 256
	DefaultWriteBuffer = 256
)

//go:embed patterns.txt
var defaultPatterns string

// DefaultPatterns returns the embedded pattern mix.
func DefaultPatterns() []string {
	p, _ := ParsePatterns(strings.NewReader(defaultPatterns))
	return p
}

// ParsePatterns reads one pattern per line, skipping blank lines and
// lines starting with '#'. Patterns are not checked here: the target
// judges them, and a rejected join is reported as an error.
func ParsePatterns(r io.Reader) ([]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, errors.New("load: no patterns (one per line; # starts a comment)")
	}
	return out, nil
}

// Skew is how pushes choose their subscription: uniformly when S is
// zero, otherwise by a Zipf law of exponent S (> 1), so that subscription
// 0 is the hottest.
type Skew struct {
	S float64 `json:"zipfS,omitempty"`
}

// ParseSkew reads "uniform" (or "") or "zipf:S" / "zipf" (S = 1.1).
func ParseSkew(s string) (Skew, error) {
	switch {
	case s == "" || s == "uniform":
		return Skew{}, nil
	case s == "zipf":
		return Skew{S: 1.1}, nil
	case strings.HasPrefix(s, "zipf:"):
		v, err := strconv.ParseFloat(strings.TrimPrefix(s, "zipf:"), 64)
		if err != nil || !(v > 1) || math.IsInf(v, 0) {
			return Skew{}, fmt.Errorf("skew %q: the Zipf exponent must be a number above 1", s)
		}
		return Skew{S: v}, nil
	}
	return Skew{}, fmt.Errorf("skew %q: want uniform or zipf:S (S > 1)", s)
}

func (s Skew) String() string {
	if s.S == 0 {
		return "uniform"
	}
	return "zipf:" + strconv.FormatFloat(s.S, 'g', -1, 64)
}

// Options configure a Driver. The zero value is usable (a short, modest
// run); a nil *Options means the zero value.
type Options struct {
	// Subscriptions is the total number of subscriptions of the run, over
	// all shards (DefaultSubscriptions).
	Subscriptions int
	// ConnectRate is how many joins start per second (DefaultConnectRate).
	ConnectRate float64
	// Patterns are taken in turn by the subscriptions (DefaultPatterns).
	Patterns []string
	// PushRate is the constant push rate of the whole run, over all
	// shards (DefaultPushRate), used when Stages is empty.
	PushRate float64
	// Idle holds the subscriptions for Duration and pushes nothing:
	// PushRate, Stages and Warmup are ignored. It is the mode that
	// measures how many subscriptions a driver holds, and at what memory
	// (loadresult.DriverHealth.MemoryPerSubscriptionBytes).
	Idle bool
	// Stages, when set, replace PushRate and Duration: the run pushes at
	// each stage's rate for its duration, in order.
	Stages []Stage
	// Duration is the measured time of pushing (DefaultDuration); Warmup
	// comes before it.
	Duration time.Duration
	// Warmup is pushed at the first stage's rate before Duration and left
	// out of the latency figures and rates (not of the delivery
	// accounting: every push counts there).
	Warmup time.Duration
	// PayloadSize is the size of each push body in bytes
	// (DefaultPayloadSize); the body is never smaller than its header.
	PayloadSize int
	// Skew chooses the subscription of each push.
	Skew Skew
	// PushTimeout bounds each push request and is how long a frame may
	// take, from its push's intended send time, before it counts as late;
	// after the last push the driver waits at most this long for frames
	// still due (DefaultPushTimeout).
	PushTimeout time.Duration
	// Workers bounds the push requests in flight (DefaultWorkers).
	Workers int
	// NoReconnect turns off reconnecting: a subscription whose session
	// ends stays closed. Reconnects use full-jitter exponential backoff
	// up to BackoffMax, from the longer of BackoffBase and the time the
	// subscriptions' first joins take at ConnectRate (a failed first
	// join retries from BackoffBase): a server that ends every session
	// at once sees them come back at about ConnectRate.
	NoReconnect             bool
	BackoffBase, BackoffMax time.Duration
	// NoBackoffJitter turns the jitter of the backoff off: each wait is
	// its ceiling, min(BackoffMax, BackoffBase·2^attempt), so that the
	// subscriptions of a server that closed them all at once come back
	// all at once, a thundering herd. It is there to measure what the
	// jitter spares a server (BENCHMARKS.md), not for real runs.
	NoBackoffJitter bool
	// LateSend is the lag past its intended time at which a push start
	// counts as late (DefaultLateSend).
	LateSend time.Duration
	// Shard splits the run over processes; the zero value is 0/1.
	Shard Shard
	// StartAt, if set, is the instant pushing begins: the driver joins
	// its subscriptions, then waits for it, so that the shards of a run
	// given the same StartAt push in step (--start-at). Each result keeps
	// its actual push start (Meta.PushStart), from which a merge reports
	// the shards' skew. A StartAt already past by more than
	// StartAtTolerance when the options are checked is refused; one that
	// the joins overrun starts pushing when they end, with a warning.
	StartAt time.Time
	// SourceAddrs is the number of loopback source addresses joins are
	// spread over when the target is a loopback address
	// (DefaultSourceAddrs); 1 turns it off.
	SourceAddrs int
	// NetDialContext makes the joins' connections; nil spreads loopback
	// joins over SourceAddrs source addresses. HTTPClient overrides the
	// push client; nil builds one with Workers keep-alive connections.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	HTTPClient     *http.Client
	// Header holds extra headers for every join and push (a gateway's
	// key, say); the values of those that may be credentials
	// (protocol.SensitiveHeader) never reach an error or the result.
	Header http.Header
	// TLSConfig configures https and wss connections, joins and the
	// pushes of the driver's own HTTP client (nil: the default).
	TLSConfig *tls.Config
	// Proxy chooses the proxy of joins and of the driver's own HTTP
	// client's pushes (nil: none, every connection direct; the command
	// passes $HTTPS_PROXY, $HTTP_PROXY and $NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
	// Observer, if set, reads the target's counters before and after
	// the run for Result.Mock. Nil (the default) means no request but
	// the API's two endpoints goes to the target.
	Observer Observer
	// OnInterval, if set, receives each interval (a second, or less at a
	// boundary of the run) as it ends,
	// from the driver's ticker goroutine; it must not block for long.
	OnInterval func(Interval)
	// OnJoined, if set, is called once when the joins have ended (every
	// subscription has made its first join attempt, or the run was cut
	// short), before the wait for StartAt and the pushes or the idle
	// hold, on the goroutine running Run. The command sets it to
	// debug.FreeOSMemory: the garbage of the join ramp goes back to the
	// system instead of staying resident through the run, which roughly
	// halves an idle subscription's resident cost (load/scale/README.md).
	OnJoined func()
	// Now is the clock (time.Now). The driver's timers are the time
	// package's, so Now must move with them: time.Now, or time.Now in a
	// testing/synctest bubble, where both are the bubble's.
	Now func() time.Time
	// Origin, if set, is sent as the Origin header of every join and
	// push, as a browser page of that origin would: for a target that
	// restricts origins (docs/protocol.md section 3). An http or https URL
	// without a path; see protocol.ParseOrigin.
	Origin string
}

// ParseStages reads "30s:1000,60s:5000".
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for part := range strings.SplitSeq(s, ",") {
		d, r, ok := strings.Cut(strings.TrimSpace(part), ":")
		dur, err1 := time.ParseDuration(d)
		rate, err2 := strconv.ParseFloat(r, 64)
		if !ok || err1 != nil || err2 != nil || dur <= 0 || rate < 0 || math.IsInf(rate, 0) || rate != rate {
			return nil, fmt.Errorf("stage %q: want DURATION:RATE, such as 30s:1000", part)
		}
		out = append(out, Stage{Duration: dur, Rate: rate})
	}
	return out, nil
}

// withDefaults returns a copy of o with its zero fields set, or an error
// naming every invalid field.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	setInt(&c.Subscriptions, DefaultSubscriptions)
	setInt(&c.PayloadSize, DefaultPayloadSize)
	setInt(&c.Workers, DefaultWorkers)
	setInt(&c.SourceAddrs, DefaultSourceAddrs)
	setDur(&c.Duration, DefaultDuration)
	setDur(&c.PushTimeout, DefaultPushTimeout)
	setDur(&c.BackoffBase, DefaultBackoffBase)
	setDur(&c.BackoffMax, DefaultBackoffMax)
	setDur(&c.LateSend, DefaultLateSend)
	if c.ConnectRate == 0 {
		c.ConnectRate = DefaultConnectRate
	}
	if c.Idle {
		c.PushRate, c.Stages, c.Warmup = 0, nil, 0
	} else if c.PushRate == 0 && len(c.Stages) == 0 {
		c.PushRate = DefaultPushRate
	}
	if len(c.Patterns) == 0 {
		c.Patterns = DefaultPatterns()
	}
	if c.Shard.N == 0 {
		c.Shard = Shard{K: 0, N: 1}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	var errs []error
	bad := func(cond bool, format string, args ...any) {
		if cond {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	bad(c.Subscriptions < 0, "Subscriptions %d is negative", c.Subscriptions)
	bad(!(c.ConnectRate > 0) || math.IsInf(c.ConnectRate, 0), "ConnectRate %v is not a positive number", c.ConnectRate)
	bad(!(c.PushRate >= 0) || math.IsInf(c.PushRate, 0), "PushRate %v is not a number of pushes per second, 0 or more", c.PushRate)
	bad(c.Duration < 0 || c.Warmup < 0, "Duration and Warmup must not be negative")
	bad(c.PayloadSize < 0 || c.PayloadSize > maxPayload, "PayloadSize %d is not between 0 and %d", c.PayloadSize, maxPayload)
	bad(c.Skew.S != 0 && !(c.Skew.S > 1), "Skew.S %v is not above 1", c.Skew.S)
	bad(c.Workers < 0 || c.PushTimeout < 0, "Workers and PushTimeout must not be negative")
	bad(c.BackoffBase < 0 || c.BackoffMax < 0, "BackoffBase and BackoffMax must not be negative")
	bad(c.Shard.K < 0 || c.Shard.N < 1 || c.Shard.K >= c.Shard.N, "Shard %v: want 0 <= K < N", c.Shard)
	if !c.StartAt.IsZero() {
		past := c.Now().Sub(c.StartAt)
		bad(past > StartAtTolerance, "StartAt %s is already past by %v (more than %v): give a time still to come", c.StartAt.Format(time.RFC3339Nano), past.Round(time.Millisecond), StartAtTolerance)
	}
	if c.Origin != "" {
		origin, err := protocol.ParseOrigin(c.Origin)
		bad(err != nil, "Origin: %v", err)
		c.Origin = origin
	}
	for i, st := range c.Stages {
		bad(st.Duration <= 0 || !(st.Rate >= 0) || math.IsInf(st.Rate, 0), "Stages[%d] %v: duration must be positive and rate a number, 0 or more", i, st)
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, fmt.Errorf("load: options: %w", err)
	}
	if n := c.pushesPlanned(); n > MaxPushes {
		return Options{}, fmt.Errorf("load: options: the schedule holds %.4g pushes for this process, more than %d (each takes 8 bytes of the push table): lower the rate, shorten the run or split it over processes (Shard; --shard K/N)", n, MaxPushes)
	}
	return c, nil
}

// StartAtTolerance is how far in the past Options.StartAt may be when the
// options are checked: a start that late is close enough to the
// instant the other shards were given; one later is refused, since the
// shard would push out of step with them.
const StartAtTolerance = time.Second

// MaxPushes is the most pushes one process's schedule may hold: its push
// table takes 8 bytes per push, sized up front (1.6 GB at the limit).
const MaxPushes = 200_000_000

// pushesPlanned is about how many pushes this process's schedule holds,
// computed in floating point so that no rate or duration overflows.
func (o *Options) pushesPlanned() float64 {
	var n float64
	for _, st := range o.schedule().Stages {
		n += st.Duration.Seconds() * st.Rate
	}
	return n
}

// Check reports whether the options make a valid run, with the errors
// Run would return, so that a command can refuse bad options before it
// does anything else.
func (o *Options) Check() error {
	_, err := o.withDefaults()
	return err
}

// schedule is the push schedule of this shard: warmup then the stages.
func (o *Options) schedule() Schedule {
	stages := o.Stages
	if len(stages) == 0 {
		stages = []Stage{{Duration: o.Duration, Rate: o.PushRate}}
	}
	var out []Stage
	if o.Warmup > 0 {
		out = append(out, Stage{Duration: o.Warmup, Rate: stages[0].Rate})
	}
	for _, st := range stages {
		out = append(out, Stage{Duration: st.Duration, Rate: st.Rate / float64(o.Shard.N)})
	}
	if o.Warmup > 0 {
		out[0].Rate /= float64(o.Shard.N)
	}
	return Schedule{Stages: out}
}

// measured is the length of the measured part of the run.
func (o *Options) measured() time.Duration {
	if len(o.Stages) == 0 {
		return o.Duration
	}
	var d time.Duration
	for _, st := range o.Stages {
		d += st.Duration
	}
	return d
}

// mySubscriptions is how many subscriptions this shard holds.
func (o *Options) mySubscriptions() int {
	n := o.Subscriptions / o.Shard.N
	if o.Shard.K < o.Subscriptions%o.Shard.N {
		n++
	}
	return n
}

func setInt(p *int, def int) {
	if *p == 0 {
		*p = def
	}
}

func setDur(p *time.Duration, def time.Duration) {
	if *p == 0 {
		*p = def
	}
}

// fileReserve are the open files a driver keeps for itself besides its
// subscriptions and push connections (standard streams, listeners,
// files written, the runtime's).
const fileReserve = 64

// MaxSubscriptions is how many subscriptions one process can hold under
// a limit of fileLimit open files with workers push connections. When
// the target runs in the same process (the embedded mock), each
// subscription holds two files, one per end.
func MaxSubscriptions(fileLimit uint64, workers int, inProcessTarget bool) int {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	free := int64(fileLimit) - fileReserve - int64(workers)
	if inProcessTarget {
		free -= int64(workers) // the server ends of the push connections
		free /= 2
	}
	return int(max(free, 0))
}
