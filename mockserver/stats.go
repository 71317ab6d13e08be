package mockserver

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Stats are the server's counters since it started or since ResetStats.
// In JSON (GET /_mock/stats) map keys are written as strings.
type Stats struct {
	// OpenSessions is the number of sessions open now (not reset).
	OpenSessions int `json:"openSessions"`
	// Joins counts accepted joins.
	Joins uint64 `json:"joins"`
	// RejectedJoins counts rejected joins by HTTP status.
	RejectedJoins map[int]uint64 `json:"rejectedJoins"`
	// FramesSent counts frames written, by type: session, trigger, push.
	FramesSent map[string]uint64 `json:"framesSent"`
	// TriggersReplayed counts events taken from the recording.
	TriggersReplayed uint64 `json:"triggersReplayed"`
	// TriggersInjected counts events injected with Inject or
	// POST /_mock/triggers.
	TriggersInjected uint64 `json:"triggersInjected"`
	// Deliveries counts trigger frames queued for sessions.
	Deliveries uint64 `json:"deliveries"`
	// Dropped counts frames queued or due for a session that ended
	// before they were written: those of a session closed with 4008
	// (including the frame that overflowed its queue), any left in a
	// queue when a session closes, and any whose write failed.
	Dropped uint64 `json:"dropped"`
	// Closes counts ended sessions by close code: the code the server
	// sent, or the client's when it closed first; 1006 when the
	// connection ended without a close frame (reset, no pong, dropped).
	Closes map[int]uint64 `json:"closes"`
	// Pushes counts push requests by HTTP status.
	Pushes map[int]uint64 `json:"pushes"`
}

// counters are the live counters behind Stats. The hot ones are atomic;
// the maps are keyed by few values and change at request rate.
type counters struct {
	joins, replayed, injected, deliveries, dropped atomic.Uint64
	sessionFrames, triggerFrames, pushFrames       atomic.Uint64
	rejectedJoins, closes, pushes                  countMap
}

func (c *counters) snapshot() Stats {
	return Stats{
		Joins:         c.joins.Load(),
		RejectedJoins: c.rejectedJoins.snapshot(),
		FramesSent: map[string]uint64{
			"session": c.sessionFrames.Load(),
			"trigger": c.triggerFrames.Load(),
			"push":    c.pushFrames.Load(),
		},
		TriggersReplayed: c.replayed.Load(),
		TriggersInjected: c.injected.Load(),
		Deliveries:       c.deliveries.Load(),
		Dropped:          c.dropped.Load(),
		Closes:           c.closes.snapshot(),
		Pushes:           c.pushes.snapshot(),
	}
}

func (c *counters) reset() {
	for _, a := range []*atomic.Uint64{&c.joins, &c.replayed, &c.injected, &c.deliveries, &c.dropped, &c.sessionFrames, &c.triggerFrames, &c.pushFrames} {
		a.Store(0)
	}
	c.rejectedJoins.reset()
	c.closes.reset()
	c.pushes.reset()
}

// countMap counts by an integer key.
type countMap struct {
	mu sync.Mutex
	m  map[int]uint64
}

func (c *countMap) add(key int) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[int]uint64)
	}
	c.m[key]++
	c.mu.Unlock()
}

func (c *countMap) snapshot() map[int]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := maps.Clone(c.m)
	if out == nil {
		out = map[int]uint64{}
	}
	return out
}

func (c *countMap) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
