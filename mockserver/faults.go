package mockserver

import (
	"bytes"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// Faults are misbehaviours the mock can put on, in the spirit of
// toxiproxy and WireMock, so that clients can test reconnects, gap
// handling and latency accounting. The zero value is no fault. Random
// choices draw from Options.Rand.
//
// In JSON (GET and PUT /_mock/faults) durations are Go duration strings
// and every field may be left out:
//
//	{
//	  "latency": "50ms", "jitter": "10ms",
//	  "closeAfterFrames": 100, "closeProbability": 0.01,
//	  "closeCode": 1011, "closeReset": false,
//	  "rejectJoins":  {"share": 0.1, "status": 503},
//	  "rejectPushes": {"share": 0.1, "status": 429},
//	  "stall": {"start": "2025-03-18T10:00:00Z", "duration": "2s"},
//	  "disconnect": {"every": "30s", "code": 1012}
//	}
type Faults struct {
	// Latency delays the write of each trigger and push frame by Latency
	// ± Jitter (uniform) from the moment it was queued. Frames keep their
	// seq order: a frame never overtakes an earlier one. Pings are not
	// delayed. Each is at most MaxFaultDuration.
	Latency time.Duration
	Jitter  time.Duration
	// CloseAfterFrames closes each session after it has written this many
	// trigger and push frames (0: never).
	CloseAfterFrames int
	// CloseProbability closes a session after a trigger or push frame
	// with this probability (0 to 1).
	CloseProbability float64
	// CloseCode is the close code of those closes (DefaultFaultCloseCode).
	CloseCode int
	// CloseReset makes those closes abrupt instead: no close frame, and a
	// TCP reset (SO_LINGER 0), so the client sees an abnormal closure.
	CloseReset bool
	// RejectJoins rejects a share of otherwise valid joins, before the
	// upgrade.
	RejectJoins Rejection
	// RejectPushes rejects a share of otherwise valid pushes, before the
	// push is queued.
	RejectPushes Rejection
	// Stall stops writing trigger and push frames to every session
	// during a window of time; frames queued meanwhile (up to the queue
	// size) are written when it ends. Pings go on meanwhile. Its
	// duration is at most MaxFaultDuration.
	Stall Stall
	// Disconnect ends every open session at once, as Server.Disconnect
	// does, every Disconnect.Every from when the faults are set (0:
	// never), so that clients rehearse reconnect storms over and over.
	Disconnect Disconnect
}

// Disconnect is the disconnect fault: every Every, every open session is
// closed with Code (DefaultDisconnectCode). Every is at least
// MinDisconnectEvery and at most MaxFaultDuration.
type Disconnect struct {
	Every time.Duration
	Code  int
}

// MinDisconnectEvery is the shortest period of the disconnect fault: the
// sessions need a moment to come back between two storms.
const MinDisconnectEvery = 100 * time.Millisecond

// MaxFaultDuration is the longest Latency, Jitter and Stall.Duration
// the faults accept: a day is more than any test waits, and far from the
// overflow of time.Duration arithmetic.
const MaxFaultDuration = 24 * time.Hour

// Rejection rejects a share of requests with a status. For joins the
// status is 401, 403, 429 or 503 (DefaultJoinRejectStatus); for pushes
// 401, 404 or 429 (DefaultPushRejectStatus). The answer carries the error
// code of that status, and Retry-After on 429.
type Rejection struct {
	Share  float64 `json:"share"`
	Status int     `json:"status,omitempty"`
}

// Stall is a window in which no trigger or push frame is written. A zero
// Start means "when the faults are set".
type Stall struct {
	Start    time.Time
	Duration time.Duration
}

// End is when the stall ends.
func (st Stall) End() time.Time { return st.Start.Add(st.Duration) }

func (f *Faults) check() error {
	var errs []error
	bad := func(cond bool, format string, args ...any) {
		if cond {
			errs = append(errs, fmt.Errorf("faults: "+format, args...))
		}
	}
	bad(f.Latency < 0, "latency %v is negative", f.Latency)
	bad(f.Latency > MaxFaultDuration, "latency %v is over %v", f.Latency, MaxFaultDuration)
	bad(f.Jitter < 0, "jitter %v is negative", f.Jitter)
	bad(f.Jitter > MaxFaultDuration, "jitter %v is over %v", f.Jitter, MaxFaultDuration)
	bad(f.CloseAfterFrames < 0, "closeAfterFrames %d is negative", f.CloseAfterFrames)
	bad(!(f.CloseProbability >= 0 && f.CloseProbability <= 1), "closeProbability %v is not between 0 and 1", f.CloseProbability)
	bad(f.CloseCode != 0 && !sendableCloseCode(f.CloseCode), "closeCode %d cannot be sent in a close frame", f.CloseCode)
	bad(!(f.RejectJoins.Share >= 0 && f.RejectJoins.Share <= 1), "rejectJoins.share %v is not between 0 and 1", f.RejectJoins.Share)
	bad(!(f.RejectPushes.Share >= 0 && f.RejectPushes.Share <= 1), "rejectPushes.share %v is not between 0 and 1", f.RejectPushes.Share)
	_, ok := joinFaultCodes[f.RejectJoins.Status]
	bad(f.RejectJoins.Status != 0 && !ok, "rejectJoins.status %d is not one of 401, 403, 429, 503", f.RejectJoins.Status)
	_, ok = pushFaultCodes[f.RejectPushes.Status]
	bad(f.RejectPushes.Status != 0 && !ok, "rejectPushes.status %d is not one of 401, 404, 429", f.RejectPushes.Status)
	bad(f.Stall.Duration < 0, "stall.duration %v is negative", f.Stall.Duration)
	bad(f.Stall.Duration > MaxFaultDuration, "stall.duration %v is over %v", f.Stall.Duration, MaxFaultDuration)
	bad(f.Disconnect.Every != 0 && (f.Disconnect.Every < MinDisconnectEvery || f.Disconnect.Every > MaxFaultDuration),
		"disconnect.every %v is not between %v and %v", f.Disconnect.Every, MinDisconnectEvery, MaxFaultDuration)
	bad(f.Disconnect.Code != 0 && !sendableCloseCode(f.Disconnect.Code), "disconnect.code %d cannot be sent in a close frame", f.Disconnect.Code)
	return errors.Join(errs...)
}

// sendableCloseCode reports whether code may appear in a close frame
// (RFC 6455 section 7.4).
func sendableCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014, code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// resolved returns f with its defaults filled in and a zero stall start
// set to now.
func (f Faults) resolved(now time.Time) Faults {
	if f.CloseCode == 0 {
		f.CloseCode = DefaultFaultCloseCode
	}
	if f.RejectJoins.Status == 0 {
		f.RejectJoins.Status = DefaultJoinRejectStatus
	}
	if f.RejectPushes.Status == 0 {
		f.RejectPushes.Status = DefaultPushRejectStatus
	}
	if f.Disconnect.Code == 0 {
		f.Disconnect.Code = DefaultDisconnectCode
	}
	if f.Stall.Duration > 0 && f.Stall.Start.IsZero() {
		f.Stall.Start = now
	}
	return f
}

// closes reports whether any close fault is on.
func (f *Faults) closes() bool { return f.CloseAfterFrames > 0 || f.CloseProbability > 0 }

// oneByOne reports whether frames go out one at a time, each waiting
// out its latency or followed by the close faults, rather than gathered.
func (f *Faults) oneByOne() bool { return f.closes() || f.Latency > 0 || f.Jitter > 0 }

// stalled returns the end of the stall if t is within it.
func (f *Faults) stalled(t time.Time) (time.Time, bool) {
	if f.Stall.Duration <= 0 || t.Before(f.Stall.Start) {
		return time.Time{}, false
	}
	end := f.Stall.End()
	return end, t.Before(end)
}

// faultsJSON is the wire form of Faults.
type faultsJSON struct {
	Latency          string          `json:"latency,omitempty"`
	Jitter           string          `json:"jitter,omitempty"`
	CloseAfterFrames int             `json:"closeAfterFrames,omitempty"`
	CloseProbability float64         `json:"closeProbability,omitempty"`
	CloseCode        int             `json:"closeCode,omitempty"`
	CloseReset       bool            `json:"closeReset,omitempty"`
	RejectJoins      *Rejection      `json:"rejectJoins,omitempty"`
	RejectPushes     *Rejection      `json:"rejectPushes,omitempty"`
	Stall            *stallJSON      `json:"stall,omitempty"`
	Disconnect       *disconnectJSON `json:"disconnect,omitempty"`
}

type disconnectJSON struct {
	Every string `json:"every"`
	Code  int    `json:"code,omitempty"`
}

type stallJSON struct {
	Start    *time.Time `json:"start,omitempty"`
	Duration string     `json:"duration"`
}

// MarshalJSON writes the JSON form shown on Faults.
func (f Faults) MarshalJSON() ([]byte, error) {
	w := faultsJSON{
		CloseAfterFrames: f.CloseAfterFrames, CloseProbability: f.CloseProbability,
		CloseCode: f.CloseCode, CloseReset: f.CloseReset,
	}
	if f.Latency != 0 {
		w.Latency = f.Latency.String()
	}
	if f.Jitter != 0 {
		w.Jitter = f.Jitter.String()
	}
	if f.RejectJoins != (Rejection{}) {
		w.RejectJoins = &f.RejectJoins
	}
	if f.RejectPushes != (Rejection{}) {
		w.RejectPushes = &f.RejectPushes
	}
	if f.Stall.Duration != 0 {
		w.Stall = &stallJSON{Duration: f.Stall.Duration.String()}
		if !f.Stall.Start.IsZero() {
			start := f.Stall.Start.UTC()
			w.Stall.Start = &start
		}
	}
	if f.Disconnect.Every != 0 {
		w.Disconnect = &disconnectJSON{Every: f.Disconnect.Every.String(), Code: f.Disconnect.Code}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the JSON form shown on Faults. Unknown fields are
// errors, and errors name the field.
func (f *Faults) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w faultsJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("faults: %w", err)
	}
	var out Faults
	var err error
	if out.Latency, err = parseDuration("latency", w.Latency); err != nil {
		return err
	}
	if out.Jitter, err = parseDuration("jitter", w.Jitter); err != nil {
		return err
	}
	out.CloseAfterFrames, out.CloseProbability = w.CloseAfterFrames, w.CloseProbability
	out.CloseCode, out.CloseReset = w.CloseCode, w.CloseReset
	if w.RejectJoins != nil {
		out.RejectJoins = *w.RejectJoins
	}
	if w.RejectPushes != nil {
		out.RejectPushes = *w.RejectPushes
	}
	if w.Stall != nil {
		if out.Stall.Duration, err = parseDuration("stall.duration", w.Stall.Duration); err != nil {
			return err
		}
		if w.Stall.Start != nil {
			out.Stall.Start = *w.Stall.Start
		}
	}
	if w.Disconnect != nil {
		if out.Disconnect.Every, err = parseDuration("disconnect.every", w.Disconnect.Every); err != nil {
			return err
		}
		out.Disconnect.Code = w.Disconnect.Code
	}
	*f = out
	return nil
}

func parseDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("faults: %s: %q is not a duration such as \"250ms\"", field, s)
	}
	return d, nil
}

// lockedRand is a rand.Rand shared by goroutines.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(src rand.Source) *lockedRand { return &lockedRand{r: rand.New(src)} }

// Float64 returns a number in [0, 1).
func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

// chance reports true with probability p.
func (l *lockedRand) chance(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return l.Float64() < p
}

// jittered returns d ± j, uniform, never negative. d and j are taken
// as at most MaxFaultDuration, so that the arithmetic cannot overflow.
func (l *lockedRand) jittered(d, j time.Duration) time.Duration {
	d, j = min(d, MaxFaultDuration), min(j, MaxFaultDuration)
	if j > 0 {
		l.mu.Lock()
		d += time.Duration(l.r.Int64N(int64(2*j)+1)) - j
		l.mu.Unlock()
	}
	return max(d, 0)
}

// seed returns 32 bytes from crypto/rand.
func seed() [32]byte {
	var b [32]byte
	_, _ = crand.Read(b[:]) // never fails (Go 1.24+)
	return b
}

// closeCodeName is a short reason for a close frame.
func closeCodeName(code int) string {
	switch code {
	case protocol.CloseGoingAway:
		return "server shutting down"
	case protocol.CloseSlowConsumer:
		return "slow consumer"
	case protocol.CloseMessageTooBig:
		return "message too big"
	case DefaultDisconnectCode:
		return "service restart"
	}
	return ""
}
