package main

import (
	"context"
	"time"
)

// trimMinJoins is the smallest burst of joins after which the mock
// returns its free memory to the system.
const trimMinJoins = 500

// trimmer decides when the mock returns memory to the system: once a
// burst of at least trimMinJoins joins has ended, that is at the first
// tick that saw no new join. A join ramp leaves behind garbage (the
// hijacked connections' buffers, the handshakes) that the runtime would
// otherwise keep resident for as long as the sessions idle.
type trimmer struct {
	last    uint64 // accepted joins at the last tick
	trimmed uint64 // accepted joins at the last trim
}

// tick takes the accepted joins so far and reports whether to trim now.
func (t *trimmer) tick(joins uint64) bool {
	if joins < t.last { // the stats were reset
		t.last, t.trimmed = joins, 0
	}
	quiet := joins == t.last
	t.last = joins
	if quiet && joins-t.trimmed >= trimMinJoins {
		t.trimmed = joins
		return true
	}
	return false
}

// trimLoop calls free each time the trimmer says so, looking at joins
// every interval, until ctx is done.
func trimLoop(ctx context.Context, every time.Duration, joins func() uint64, free func()) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var t trimmer
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if t.tick(joins()) {
				free()
			}
		}
	}
}
