package load

import (
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
)

// rejoins tracks the sessions that end before the run does and the
// subscriptions' way back, for Result.Rejoins: a reconnect storm's
// figures. Sessions end rarely next to frames (at most one per
// subscription per storm), so one lock is enough.
type rejoins struct {
	away atomic.Int64 // subscriptions whose session ended, not back yet

	mu      sync.Mutex
	closes  map[int]uint64
	back    uint64
	refused uint64
	times   *hdrhistogram.Histogram // µs, from a session's end to the next session frame
}

// ended records a session of s that ended at at with err (the reader's
// error: a close frame's code, 1006 without one). The next Open of s
// measures its rejoin time from at.
func (r *rejoins) ended(s *subscription, at time.Time, err error) {
	code := websocket.CloseAbnormalClosure
	var ce *client.CloseError
	if errors.As(err, &ce) {
		code = ce.Code
	}
	s.endedAt = at
	r.away.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closes == nil {
		r.closes = map[int]uint64{}
	}
	r.closes[code]++
}

// opened records that s opened a session at at; it is a rejoin when a
// session of s had ended before.
func (r *rejoins) opened(s *subscription, at time.Time) {
	if s.endedAt.IsZero() {
		return
	}
	d := at.Sub(s.endedAt)
	s.endedAt = time.Time{}
	r.away.Add(-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.times == nil {
		r.times = loadresult.NewHistogram()
	}
	r.back++
	_ = r.times.RecordValue(micros(d))
}

// refusal counts a failed join attempt of a subscription on its way back.
func (r *rejoins) refusal() {
	r.mu.Lock()
	r.refused++
	r.mu.Unlock()
}

// figures returns the rejoins so far, nil when no session has ended.
func (r *rejoins) figures() *loadresult.Rejoins {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.closes) == 0 {
		return nil
	}
	out := &loadresult.Rejoins{Closes: maps.Clone(r.closes), Back: r.back, NotBack: uint64(max(r.away.Load(), 0)), Refused: r.refused}
	if r.times != nil {
		out.Time = loadresult.Summarize(r.times, true)
	}
	return out
}
