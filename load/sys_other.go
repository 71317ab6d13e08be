//go:build !unix

package load

import (
	"errors"
	"time"
)

// RaiseFileLimit is not supported on this system.
func RaiseFileLimit() (was, now uint64, err error) {
	return 0, 0, errors.New("load: no file limit to raise on this system")
}

// processCPU is not known here; the self-watch falls back to the Go
// runtime's estimate.
func processCPU() (time.Duration, bool) { return 0, false }
