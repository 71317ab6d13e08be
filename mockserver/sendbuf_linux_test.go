//go:build linux

package mockserver

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSendBuffer: each session's socket gets Options.SendBuffer as its
// SO_SNDBUF (which Linux reports doubled), so that a client that stops
// reading holds a bounded amount of the kernel's memory; a negative
// size is refused.
func TestSendBuffer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		opt, want int
	}{
		{"default", 0, DefaultSendBuffer},
		{"set", 24 << 10, 24 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{SendBuffer: tc.opt})
			join(t, srv, "{}")
			var ss *session
			srv.mu.RLock()
			for _, s := range srv.sessions {
				ss = s
			}
			srv.mu.RUnlock()
			require.NotNil(t, ss)
			tcp, ok := ss.nc.Conn.(*net.TCPConn)
			require.True(t, ok)
			raw, err := tcp.SyscallConn()
			require.NoError(t, err)
			var got int
			var gerr error
			require.NoError(t, raw.Control(func(fd uintptr) {
				got, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
			}))
			require.NoError(t, gerr)
			assert.Equal(t, 2*tc.want, got)
		})
	}
	_, err := New(&Options{SendBuffer: -1})
	assert.ErrorContains(t, err, "SendBuffer -1 is negative")
}
