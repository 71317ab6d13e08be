//go:build unix

package wsconn

import "syscall"

// wait blocks until the socket has something to read (or is closed, or
// its read deadline passes), leaving the bytes in the socket: it peeks
// at one byte from a goroutine parked a few frames deep. An error is
// left for the read that follows to meet. Woken, it does not peek
// again: the read that follows would cost the same system call, and a
// spurious wake-up only means that read parks as it did without the
// option. It allocates nothing (its callback and state live in f): an
// allocation is garbage per burst, and can run deep on the reader's
// small stack.
func (f *framedConn) wait() {
	if f.ready == nil {
		f.ready = f.peekReady
	}
	f.woken = false
	_ = f.rc.Read(f.ready)
}

// peekReady is wait's callback: whether the socket is ready.
func (f *framedConn) peekReady(fd uintptr) bool {
	if f.woken {
		return true
	}
	f.woken = true
	for {
		_, _, err := syscall.Recvfrom(int(fd), f.peek[:], syscall.MSG_PEEK)
		if err != syscall.EINTR {
			return err != syscall.EAGAIN
		}
	}
}

// canWait says that wait waits here: the reader can park in it and
// leave the reading to the shared read workers.
const canWait = true
