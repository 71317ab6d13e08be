//go:build unix

package wsconn

import (
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWaitAllocatesNothing: the readiness wait, which runs once per
// burst on the reader's small stack, makes no garbage (its callback was
// a new closure per call).
func TestWaitAllocatesNothing(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	ends := make([]net.Conn, 2)
	for i, fd := range fds {
		file := os.NewFile(uintptr(fd), "socketpair")
		ends[i], err = net.FileConn(file) // a copy of the descriptor
		require.NoError(t, err)
		require.NoError(t, file.Close())
		defer ends[i].Close()
	}
	f := newFramedConn(ends[0])
	require.NotNil(t, f)
	_, err = ends[1].Write([]byte{0x81}) // stays in the socket: wait only peeks
	require.NoError(t, err)
	f.wait()
	assert.Zero(t, testing.AllocsPerRun(100, f.wait))
}
