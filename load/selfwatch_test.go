package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestSelfWatchCountsFromStart: CPU the process used before the watch
// started is not the first interval's.
func TestSelfWatchCountsFromStart(t *testing.T) {
	deadline := time.Now().Add(600 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) { // busy, before the watch
		x++
	}
	var w selfWatch
	w.start()
	var iv Interval
	w.sample(&iv, minInterval)
	assert.Less(t, iv.DriverCPU, 5.0, "the first interval counts only from start (spun %d times before)", x)
}
