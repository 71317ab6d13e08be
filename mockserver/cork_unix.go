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
// not a socket (a net.Pipe in tests).
func tryWriter(nc net.Conn) func([]byte) (int, error) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(b []byte) (int, error) {
		var (
			n    int
			werr error
		)
		if err := rc.Write(func(fd uintptr) bool {
			for {
				n, werr = syscall.Write(int(fd), b)
				if werr != syscall.EINTR {
					return true // done, whatever the socket took: never wait
				}
			}
		}); err != nil {
			return 0, err
		}
		switch {
		case werr == syscall.EAGAIN:
			return 0, nil
		case werr != nil:
			return 0, os.NewSyscallError("write", werr)
		}
		return n, nil
	}
}
