package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/wstrigger/wstrigger/protocol"
)

// event is a trigger ready for fan-out: its compact JSON, shared by the
// frames of every session it goes to, and its decoded form for matching.
// Both are computed once per event.
type event struct {
	raw []byte
	val any
}

// prepareEvent checks that raw is one JSON object, valid UTF-8 and at
// most protocol.MaxNesting deep, and prepares it. Numbers
// are decoded as json.Number, so patterns compare them exactly.
func prepareEvent(raw []byte) (*event, error) {
	if err := protocol.CheckValue(raw); err != nil && !errors.Is(err, protocol.ErrNotJSON) {
		return nil, fmt.Errorf("event is %w", err) // invalid UTF-8, or too deep
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("event is not JSON: %w", err)
	}
	compact := buf.Bytes()
	if len(compact) == 0 || compact[0] != '{' {
		return nil, errors.New("event is not a JSON object")
	}
	v, err := protocol.DecodeEvent(compact)
	if err != nil {
		return nil, fmt.Errorf("event is not a JSON object: %w", err)
	}
	return &event{raw: compact, val: v}, nil
}

// Inject delivers an event now to every open session whose pattern
// matches it and returns how many sessions it was queued for. event must
// be one JSON object (a Sales Trigger or News Item, PROTOCOL.md section
// 7; its shape is not checked).
func (s *Server) Inject(event json.RawMessage) (int, error) {
	ev, err := prepareEvent(event)
	if err != nil {
		return 0, fmt.Errorf("mockserver: inject: %w", err)
	}
	s.stats.injected.Add(1)
	return s.fanout(ev), nil
}

// matchPool holds the slices fan-out collects matching sessions in, so
// that fan-out allocates nothing in the steady state.
var matchPool = sync.Pool{New: func() any { return new([]*session) }}

// fanout queues ev for every matching session, found through the index.
// The matches are collected first and the index's lock released before
// the enqueues, so that joins and leaves do not wait for a fan-out.
// Enqueueing never blocks: a session whose queue is full is closed with
// 4008 instead, and the others are not held up. A session that leaves
// meanwhile is closing already, and takes nothing.
func (s *Server) fanout(ev *event) int {
	at := s.since()
	mp := matchPool.Get().(*[]*session)
	matches := s.index.AppendMatches((*mp)[:0], ev.val)
	n := 0
	for _, ss := range matches {
		if ss.enqueueTrigger(ev.raw, at) {
			n++
		}
	}
	clear(matches) // keep no session alive from the pool
	*mp = matches[:0]
	matchPool.Put(mp)
	s.stats.deliveries.Add(uint64(n))
	return n
}

// checkRecording checks lines given in Options.Recording as ReadRecording
// would.
func checkRecording(lines []protocol.RecordingLine) error {
	for i, l := range lines {
		switch {
		case l.OffsetMs < 0:
			return &protocol.RecordingError{Line: i + 1, Reason: fmt.Sprintf("offsetMs %d is negative", l.OffsetMs)}
		case i > 0 && l.OffsetMs < lines[i-1].OffsetMs:
			return &protocol.RecordingError{Line: i + 1, Reason: "offsets out of order"}
		}
	}
	return nil
}
