package mockserver

import (
	"maps"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// Stats are the server's counters since it started or since ResetStats,
// as GET /_mock/stats writes them. The type is defined once, in package
// mockapi, so that a load run reads the same shape without linking the
// mock.
type Stats = mockapi.Stats

// counters are the live counters behind Stats. The hot ones are atomic;
// the maps are keyed by few values and change at request rate.
type counters struct {
	joins, replayed, injected, deliveries, dropped atomic.Uint64
	sessionFrames, triggerFrames, pushFrames       atomic.Uint64
	disconnects                                    atomic.Uint64
	joinRate                                       joinMeter
	closes                                         countMap[int]
	rejectedJoins, pushes                          countMap[Outcome] // Stats counts them by status
}

// Outcome is how the server answered a join or a push: its HTTP status
// and, for a rejection, the error code of its body ("" for an accepted
// join or push).
type Outcome struct {
	Status int
	Code   protocol.ErrorCode
}

// byStatus adds the counts of m up by status.
func byStatus(m map[Outcome]uint64) map[int]uint64 {
	out := make(map[int]uint64, len(m))
	for o, n := range m {
		out[o.Status] += n
	}
	return out
}

// outcomes returns the joins and the pushes by outcome, the accepted
// joins under 101 (counted apart, as Stats.Joins).
func (c *counters) outcomes() (joins, pushes map[Outcome]uint64) {
	joins = c.rejectedJoins.snapshot()
	joins[Outcome{Status: http.StatusSwitchingProtocols}] = c.joins.Load()
	return joins, c.pushes.snapshot()
}

func (c *counters) snapshot() Stats {
	return Stats{
		Joins:         c.joins.Load(),
		RejectedJoins: byStatus(c.rejectedJoins.snapshot()),
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
		Pushes:           byStatus(c.pushes.snapshot()),
		PeakJoinRate:     c.joinRate.rate(),
		Disconnects:      c.disconnects.Load(),
	}
}

func (c *counters) reset() {
	for _, a := range []*atomic.Uint64{&c.joins, &c.replayed, &c.injected, &c.deliveries, &c.dropped, &c.sessionFrames, &c.triggerFrames, &c.pushFrames, &c.disconnects} {
		a.Store(0)
	}
	c.rejectedJoins.reset()
	c.joinRate.reset()
	c.closes.reset()
	c.pushes.reset()
}

// countMap counts by a key of few values.
type countMap[K comparable] struct {
	mu sync.Mutex
	m  map[K]uint64
}

func (c *countMap[K]) add(key K) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[K]uint64)
	}
	c.m[key]++
	c.mu.Unlock()
}

func (c *countMap[K]) snapshot() map[K]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := maps.Clone(c.m)
	if out == nil {
		out = map[K]uint64{}
	}
	return out
}

func (c *countMap[K]) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
