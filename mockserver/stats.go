package mockserver

import (
	"maps"
	"sync"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
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
