//go:build unix

package load

import (
	"syscall"
	"time"
)

// RaiseFileLimit raises this process's soft limit of open files to its
// hard limit and returns the soft limit before and after. It is the caller's (a command's) choice to
// change the process; the package never calls it itself.
func RaiseFileLimit() (was, now uint64, err error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, 0, err
	}
	was = uint64(l.Cur)
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, 0, err
		}
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, 0, err
		}
	}
	return was, uint64(l.Cur), nil
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
