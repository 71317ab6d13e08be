package mocktest

import (
	"flag"
	"strconv"
)

// DefaultParallel is how many parallel tests SetParallel lets run at
// once.
const DefaultParallel = 8

// SetParallel, called from TestMain before m.Run, raises -test.parallel
// to n (DefaultParallel when n <= 0) unless the command line set it, or
// the race detector is on. The default, GOMAXPROCS, suits tests that burn
// CPU, as every test does under -race; without it, the network tests of
// this repository mostly wait (on time limits, replays, observation
// windows), so on 2 cores they would run two at a time and wait in turn.
func SetParallel(n int) {
	if Race {
		return
	}
	if n <= 0 {
		n = DefaultParallel
	}
	if !flag.Parsed() {
		flag.Parse()
	}
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}

// Slots returns a semaphore of n slots, or of one under the race
// detector, for the tests that each keep a core busy (the pattern
// oracle's hundreds of sessions): more of them side by side on 2 cores
// only make each one too slow for its window. Send to take a slot,
// receive to give it back.
func Slots(n int) chan struct{} {
	if Race || n < 1 {
		n = 1
	}
	return make(chan struct{}, n)
}
