package protocol

import "fmt"

// SeqKind says how a frame's seq relates to the ones before it.
type SeqKind int

// The ways a seq can arrive (docs/protocol.md section 3.1: from 1, one more
// than the frame before, in the order they were sent).
const (
	SeqInOrder   SeqKind = iota // one more than the highest seen so far
	SeqGap                      // higher than that by more than one: frames are missing
	SeqDuplicate                // equal to the highest seen so far
	SeqReordered                // below the highest seen so far
)

// SeqEvent is what one Observe saw.
type SeqEvent struct {
	Kind    SeqKind
	Seq     uint64 // the seq observed
	Prev    uint64 // the highest seq seen before it (0 before the first)
	Missing uint64 // for SeqGap: how many seqs were skipped
}

// Problem describes a departure from the rule, or returns "" for a frame
// in order.
func (e SeqEvent) Problem() string {
	switch e.Kind {
	case SeqGap:
		return fmt.Sprintf("seq gap: %d after %d, %d frames missing", e.Seq, e.Prev, e.Missing)
	case SeqDuplicate:
		return fmt.Sprintf("duplicate seq %d", e.Seq)
	case SeqReordered:
		return fmt.Sprintf("frames out of order: seq %d after %d", e.Seq, e.Prev)
	}
	return ""
}

// SeqCheck follows the seq numbers of one session and counts departures.
// The zero value expects seq 1 first. It is not safe for concurrent use:
// one session has one reader.
type SeqCheck struct {
	Last       uint64 // the highest seq seen
	Gaps       uint64 // gap events
	Missing    uint64 // seqs skipped over in those gaps
	Duplicates uint64 // frames with the seq of the highest seen
	Reordered  uint64 // frames with a seq below the highest seen
}

// Observe takes the seq of the session's next frame.
func (c *SeqCheck) Observe(seq uint64) SeqEvent {
	e := SeqEvent{Seq: seq, Prev: c.Last}
	switch {
	case seq == c.Last+1:
		c.Last = seq
	case seq > c.Last:
		e.Kind, e.Missing = SeqGap, seq-c.Last-1
		c.Gaps++
		c.Missing += e.Missing
		c.Last = seq
	case seq == c.Last:
		e.Kind = SeqDuplicate
		c.Duplicates++
	default:
		e.Kind = SeqReordered
		c.Reordered++
	}
	return e
}
