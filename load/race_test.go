//go:build race

package load

// raceEnabled is set when the race detector is on: timing assertions
// that need the machine's full speed skip themselves.
const raceEnabled = true
