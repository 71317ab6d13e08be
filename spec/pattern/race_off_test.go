//go:build !race

package pattern

// raceEnabled is set when testing with -race, which makes sync.Pool drop
// items at random, so allocation counts are not meaningful.
const raceEnabled = false
