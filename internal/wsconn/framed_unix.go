//go:build unix

package wsconn

import "syscall"

// wait blocks until the socket has something to read (or is closed, or
// its read deadline passes), leaving the bytes in the socket: it peeks
// at one byte from a goroutine parked a few frames deep. An error is
// left for the read that follows to meet. Woken, it does not peek
// again: the read that follows would cost the same system call, and a
// spurious wake-up only means that read parks as it did without the
// option.
func (f *framedConn) wait() {
	var b [1]byte
	woken := false
	_ = f.rc.Read(func(fd uintptr) bool {
		if woken {
			return true
		}
		woken = true
		for {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
			if err != syscall.EINTR {
				return err != syscall.EAGAIN
			}
		}
	})
}

// canWait says that wait waits here: the reader can park in it and
// leave the reading to the shared read workers.
const canWait = true
