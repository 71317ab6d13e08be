//go:build !race

package mocktest

// Race reports whether the race detector is on.
const Race = false
