package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestTrimmer: a trim once a burst of joins has ended, not during it,
// not after a small one, and again after the next burst.
func TestTrimmer(t *testing.T) {
	cases := []struct {
		name  string
		joins []uint64 // at each tick
		trims []bool
	}{
		{"idle", []uint64{0, 0, 0}, []bool{false, false, false}},
		{"a burst, then quiet", []uint64{300, 900, 900, 900}, []bool{false, false, true, false}},
		{"a small burst", []uint64{100, 499, 499}, []bool{false, false, false}},
		{"small bursts adding up", []uint64{400, 400, 800, 800}, []bool{false, false, false, true}},
		{"two bursts", []uint64{1000, 1000, 1200, 1600, 1600}, []bool{false, true, false, false, true}},
		{"stats reset", []uint64{1000, 1000, 10, 600, 600}, []bool{false, true, false, false, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var tr trimmer
			for i, j := range tc.joins {
				assert.Equal(t, tc.trims[i], tr.tick(j), "tick %d at %d joins", i, j)
			}
		})
	}
}

// TestTrimLoop: the loop frees once the joins are quiet, and ends with
// its context.
func TestTrimLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	freed := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		trimLoop(ctx, time.Millisecond, func() uint64 { return trimMinJoins }, func() {
			select {
			case freed <- struct{}{}:
			default:
			}
		})
	}()
	select {
	case <-freed:
	case <-time.After(5 * time.Second):
		t.Fatal("no trim after a burst of joins")
	}
	cancel()
	<-done
}
