package contract

import (
	"bytes"
	"context"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/contract/internal/oracle"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// This file holds what PAT-003 (checks_oracle.go) reads its sessions
// with: a watch per session, and one cache of event keys they share.

// oracleWatch drains one session of the oracle and remembers the
// triggers it received; the judge's also keeps each trigger's value,
// bytes and first arrival.
type oracleWatch struct {
	s      *wsSession
	judge  bool
	marker chan struct{}
	cache  *oracleKeys

	mu      sync.Mutex
	keys    map[string]int
	seen    map[string]*oracleSeen
	marked  bool // the end marker has come
	started bool // the start marker has come
	once    sync.Once
}

// oracleSeen is a trigger the judge received.
type oracleSeen struct {
	value map[string]any
	raw   []byte
	first time.Time
	count int
	// early: it came before the end marker; late: before the start
	// marker.
	early, late bool
}

func newOracleWatch(s *wsSession, judge bool, cache *oracleKeys) *oracleWatch {
	return &oracleWatch{s: s, judge: judge, cache: cache, marker: make(chan struct{}), keys: map[string]int{}, seen: map[string]*oracleSeen{}}
}

// oracleKeys maps the bytes of an event to its key and value, so that
// an event sent the same way to many sessions is decoded once.
type oracleKeys struct {
	frames atomic.Int64 // trigger frames looked up
	mu     sync.Mutex
	m      map[string]oracleKeyed
}

type oracleKeyed struct {
	key   string
	value map[string]any
	ok    bool
}

func (k *oracleKeys) get(raw []byte) oracleKeyed {
	k.frames.Add(1)
	k.mu.Lock()
	e, ok := k.m[string(raw)]
	k.mu.Unlock()
	if ok {
		return e
	}
	if v, err := oracle.Decode(raw); err == nil {
		e = oracleKeyed{key: oracle.Key(v), value: v, ok: true}
	}
	k.mu.Lock()
	k.m[string(raw)] = e
	k.mu.Unlock()
	return e
}

// run reads the session until it ends or ctx is done.
func (w *oracleWatch) run(ctx context.Context) {
	for {
		f, err := w.s.next(ctx)
		if err != nil {
			return
		}
		switch f.Type {
		case protocol.FramePush:
			if bytes.Equal(f.Data, oracleStart) {
				w.mu.Lock()
				w.started = true
				w.mu.Unlock()
				continue
			}
			w.mu.Lock()
			w.marked = true
			w.mu.Unlock()
			w.once.Do(func() { close(w.marker) })
		case protocol.FrameTrigger:
			e := w.cache.get(f.Event)
			if !e.ok {
				continue // not an object: the frame checks report it
			}
			k := e.key
			w.mu.Lock()
			w.keys[k]++
			if w.judge {
				if seen := w.seen[k]; seen != nil {
					seen.count++
				} else {
					w.seen[k] = &oracleSeen{value: e.value, raw: f.Event, first: time.Now(), count: 1, early: !w.marked, late: !w.started}
				}
			}
			w.mu.Unlock()
		}
	}
}

// delivered returns the keys of the triggers received.
func (w *oracleWatch) delivered() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]bool, len(w.keys))
	for k := range w.keys {
		out[k] = true
	}
	return out
}

// lacks reports whether the session has not received one of the events
// that p matches.
func (w *oracleWatch) lacks(p *pattern.Pattern, events []oracle.Event) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range events {
		if w.keys[e.Key] == 0 && p.Match(e.Value) {
			return true
		}
	}
	return false
}

// markerIn waits up to d for the marker.
func (w *oracleWatch) markerIn(d time.Duration) bool {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-w.marker:
		return true
	case <-t.C:
		return false
	}
}

// judged returns the triggers the judge received once, after its start
// marker (or, when from is set, from then on) and before its end marker
// (byMarker) or else before end, in the order they came, and their bytes
// by key. A trigger received twice is left out: which copy a session got
// cannot be told.
func (w *oracleWatch) judged(byMarker bool, from, end time.Time) ([]oracle.Event, map[string][]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []oracle.Event
	raw := map[string][]byte{}
	for k, e := range w.seen {
		begun := (from.IsZero() && !e.late) || (!from.IsZero() && !e.first.Before(from))
		if e.count == 1 && begun && ((byMarker && e.early) || (!byMarker && e.first.Before(end))) {
			out = append(out, oracle.Event{Key: k, Value: e.value})
			raw[k] = e.raw
		}
	}
	sort.Slice(out, func(i, j int) bool { return w.seen[out[i].Key].first.Before(w.seen[out[j].Key].first) })
	return out, raw
}
