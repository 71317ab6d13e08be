//go:build unix

package wsconn

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

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

// fill reads, without waiting, what the socket holds after what pend
// holds, and reports whether anything came (or an error, kept in rerr
// for the Read that meets it, as the socket's read would have returned
// it). It allocates nothing: its callback and state live in f, and the
// buffer is lent by pendBufs.
func (f *framedConn) fill() bool {
	if f.rerr != nil {
		return true
	}
	if f.pendBuf == nil {
		f.pendBuf = pendBufs.Get().(*[]byte)
		f.pend = (*f.pendBuf)[:0]
	}
	buf := append((*f.pendBuf)[:0], f.pend...) // what is pending moves to the front
	if f.filler == nil {
		f.filler = f.readNow
	}
	f.fillDst, f.fillN, f.fillErr = buf[len(buf):cap(buf)], 0, nil
	rerr := f.rc.Read(f.filler)
	f.fillDst = nil
	n, err := f.fillN, f.fillErr
	switch {
	case rerr != nil: // closed: the callback did not run
		if oe := (*net.OpError)(nil); errors.As(rerr, &oe) {
			rerr = oe.Err
		}
		f.rerr = f.readError(rerr)
	case n > 0:
		f.pend = buf[:len(buf)+n]
		return true
	case err == syscall.EAGAIN:
		if f.pend = buf; len(buf) == 0 {
			f.releasePend()
		}
		return false
	case err == nil:
		f.rerr = io.EOF
	default:
		f.rerr = f.readError(os.NewSyscallError("read", err))
	}
	f.pend = buf
	if len(buf) == 0 {
		f.releasePend()
	}
	return true
}

// readError is err as the socket's read returns it.
func (f *framedConn) readError(err error) error {
	return &net.OpError{Op: "read", Net: f.LocalAddr().Network(), Source: f.LocalAddr(), Addr: f.RemoteAddr(), Err: err}
}

// readNow is fill's callback: one read that does not wait.
func (f *framedConn) readNow(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), f.fillDst)
		if err != syscall.EINTR {
			f.fillN, f.fillErr = max(n, 0), err
			return true
		}
	}
}
