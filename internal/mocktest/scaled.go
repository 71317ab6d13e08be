package mocktest

import "time"

// RaceSlowdown is how many times longer the code under test takes with
// the race detector, on the 2 cores this repository is tested on, when
// its tests run side by side.
const RaceSlowdown = 4

// Scaled is a test's time limit d, made RaceSlowdown times longer under
// the race detector. Use it for the short limits a test gives the code
// under test (a check's time limit, a heartbeat) so that they are short
// without -race and still met with it.
func Scaled(d time.Duration) time.Duration {
	if Race {
		return d * RaceSlowdown
	}
	return d
}
