//go:build unix

package mockserver

import (
	"net"
	"os"
	"syscall"
)

// tryWriter returns a write to nc's socket that never waits: it writes
// what the socket's send buffer takes at once, maybe nothing, and
// returns how much that was. It returns nil for a connection that is
// not a socket (a net.Pipe in tests). The write allocates nothing; it is
// called with the corkConn's mu held, one call at a time.
func tryWriter(nc net.Conn) func([]byte) (int, error) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWrite{rc: rc}
	w.write = w.once
	return w.try
}

// rawWrite holds a non-blocking write's callback, made once, and the
// state it shares with the call under way.
type rawWrite struct {
	rc    syscall.RawConn
	write func(fd uintptr) bool // once, as a func value
	b     []byte
	n     int
	err   error
}

func (w *rawWrite) try(b []byte) (int, error) {
	w.b = b
	err := w.rc.Write(w.write)
	n, werr := w.n, w.err
	w.b, w.err = nil, nil
	switch {
	case err != nil:
		return 0, err
	case werr == syscall.EAGAIN:
		return 0, nil
	case werr != nil:
		return 0, os.NewSyscallError("write", werr)
	}
	return n, nil
}

// once writes what the socket takes of w.b, and reports done whatever
// that was: it never waits.
func (w *rawWrite) once(fd uintptr) bool {
	for {
		w.n, w.err = syscall.Write(int(fd), w.b)
		if w.err != syscall.EINTR {
			return true
		}
	}
}
