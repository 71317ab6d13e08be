package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// Defaults of a zero Options.
const (
	// DefaultAddr is where New listens when Options.Addr is empty: a free
	// port on the loopback interface, as httptest does.
	DefaultAddr = "127.0.0.1:0"
	// DefaultMaxSessions is the per-token limit of open sessions: high
	// enough never to limit a load run from one machine.
	DefaultMaxSessions = 100000
	// DefaultHeartbeat is the ping interval.
	DefaultHeartbeat = protocol.DefaultHeartbeat
	// DefaultQueueSize is the outbound queue of a session, in frames.
	DefaultQueueSize = protocol.DefaultQueueSize
	// DefaultCloseTimeout bounds a close handshake: after a session is
	// closed, its connection is dropped if the peer has not answered
	// within this time.
	DefaultCloseTimeout = 5 * time.Second
	// DefaultSendBuffer is the kernel's send buffer of each session's
	// connection (SO_SNDBUF), in bytes: see Options.SendBuffer.
	DefaultSendBuffer = 64 << 10
	// DefaultRetryAfter is the Retry-After of 429 answers.
	DefaultRetryAfter = time.Second
	// DefaultSpeed is real-time replay. It is not the zero value: a zero
	// Options.Speed replays as fast as possible.
	DefaultSpeed = 1.0
	// DefaultFaultCloseCode is the close code of the close faults when
	// Faults.CloseCode is zero.
	DefaultFaultCloseCode = protocol.CloseInternalError
)

// Options configure a Server. The zero value is usable, and a nil
// *Options means the zero value.
type Options struct {
	// Addr is the TCP address to listen on (DefaultAddr).
	Addr string
	// Listener, if set, is used instead of listening on Addr. The Server
	// closes it.
	Listener net.Listener

	// Credentials are the accepted credentials. Nil, and only nil, means
	// DefaultCredentials(), the public demo accounts; an empty, non-nil
	// slice is an error in New, as no account could join. See
	// LoadCredentials for a file of them (it rejects an empty list).
	Credentials []Credential
	// MaxSessions is the limit of open sessions per access token
	// (DefaultMaxSessions); Credential.MaxSessions overrides it.
	MaxSessions int
	// AllowedOrigins, if not empty, restricts browsers: a join or a CORS
	// preflight of a push whose Origin header is not in the list
	// (compared case-insensitively) gets 403 forbidden_origin, and a push
	// from such an origin gets no CORS headers, so a browser hides its
	// answer from the page. Requests without an Origin header are always
	// accepted, as they do not come from a browser page. Empty: every
	// origin may join and push (PROTOCOL.md sections 3 and 4.1).
	AllowedOrigins []string

	// Heartbeat is the ping interval (DefaultHeartbeat). The session frame
	// announces it in whole seconds, rounded up, so an interval under one
	// second (for tests) is announced as 1.
	Heartbeat time.Duration
	// QueueSize is the outbound queue of each session, in frames
	// (DefaultQueueSize).
	QueueSize int
	// CloseTimeout bounds each close handshake (DefaultCloseTimeout).
	CloseTimeout time.Duration
	// SendBuffer is the kernel's send buffer (SO_SNDBUF) of each
	// session's TCP connection, in bytes (DefaultSendBuffer; Linux
	// doubles it for its bookkeeping and caps it at net.core.wmem_max).
	// It bounds what a client that stops reading holds in the kernel,
	// where the kernel's own sizing lets each such connection take
	// megabytes and thousands of them starve the other sessions' sends.
	// A session that closes raises it by a frame and its close frame,
	// so that the close frame goes out ahead of what it drops, even to a
	// client that stopped reading (PROTOCOL.md section 3.3).
	SendBuffer int
	// RetryAfter is announced by 429 answers, rounded up to whole seconds
	// (DefaultRetryAfter).
	RetryAfter time.Duration

	// Recording is the timeline of triggers to replay. Nil means the
	// embedded default recording; an empty, non-nil slice means no replay.
	Recording []protocol.RecordingLine
	// Speed scales the replay: 1 (DefaultSpeed) is real time, 2 twice as
	// fast, 0 as fast as possible.
	Speed float64
	// Loop restarts the recording when it ends. A pass lasts the last
	// offset plus the mean gap between events, so the seam between
	// passes looks like the rest.
	Loop bool
	// HoldReplay keeps the replay waiting until StartReplay is called (or
	// POST /_mock/replay). Without it, the replay starts when the first
	// session joins, so that no event is replayed to nobody.
	HoldReplay bool
	// Clock is the replay's time source; nil means the real clock.
	Clock Clock

	// NoControl turns off the control API under /_mock/, and with it the
	// join response header that invites a driver to read the counters.
	NoControl bool
	// Faults are the faults in force from the start; see SetFaults.
	Faults Faults
	// Rand is the source of randomness for faults; nil means a source
	// seeded from crypto/rand. A seeded source (rand.NewPCG(1, 2)) makes
	// the faults repeatable.
	Rand rand.Source

	// Logger receives one line per join, close and rejected request; nil
	// discards them. Lines carry no credential and no session id, only a
	// session tag (see SessionTag).
	Logger *slog.Logger

	// requestTimeout bounds the read of a whole request, body included
	// (requestReadTimeout); tests shorten it.
	requestTimeout time.Duration
}

// Clock is the time source of the replay. The replay schedules each event
// at start + offset/speed from Now, and waits with After.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// withDefaults returns a copy of o with every zero field set to its
// default, or an error naming the first invalid field.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Credentials == nil {
		c.Credentials = DefaultCredentials()
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	if c.SendBuffer == 0 {
		c.SendBuffer = DefaultSendBuffer
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.Recording == nil {
		c.Recording = DefaultRecording()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.requestTimeout == 0 {
		c.requestTimeout = requestReadTimeout
	}
	if c.Rand == nil {
		c.Rand = rand.NewChaCha8(seed())
	}
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.MaxSessions < 0, "MaxSessions %d is negative", c.MaxSessions)
	check(c.Heartbeat < 0, "Heartbeat %v is negative", c.Heartbeat)
	check(c.QueueSize < 0, "QueueSize %d is negative", c.QueueSize)
	check(c.CloseTimeout < 0, "CloseTimeout %v is negative", c.CloseTimeout)
	check(c.SendBuffer < 0, "SendBuffer %d is negative", c.SendBuffer)
	check(c.RetryAfter < 0, "RetryAfter %v is negative", c.RetryAfter)
	check(c.Speed < 0 || c.Speed != c.Speed, "Speed %v is not 0 or positive", c.Speed)
	if len(c.Credentials) == 0 {
		// Not nil, as nil was replaced by the defaults above.
		errs = append(errs, errors.New("Credentials is empty but not nil: no account could join (nil means DefaultCredentials())"))
	} else if err := checkCredentials(c.Credentials); err != nil {
		errs = append(errs, fmt.Errorf("Credentials: %w", err))
	}
	if err := checkRecording(c.Recording); err != nil {
		errs = append(errs, err)
	}
	if err := c.Faults.check(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Options{}, fmt.Errorf("mockserver: options: %w", err)
	}
	return c, nil
}

// heartbeatSeconds is the heartbeat as the session frame announces it:
// whole seconds, rounded up, at least 1.
func heartbeatSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// retryAfterSeconds is the Retry-After header value for d.
func retryAfterSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 0)
}
