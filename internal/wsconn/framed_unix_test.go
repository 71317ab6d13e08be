//go:build unix

package wsconn

import (
	"bytes"
	"errors"
	"io"
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
	ends := socketPair(t)
	f := newFramedConn(ends[0])
	require.NotNil(t, f)
	_, err := ends[1].Write([]byte{0x81}) // stays in the socket: wait only peeks
	require.NoError(t, err)
	f.wait()
	assert.Zero(t, testing.AllocsPerRun(100, f.wait))
	f.state = stFrames
	one := []byte{0x81}
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		f.fill() // the byte: the start of a frame, pending
		f.pend = f.pend[:0]
		f.releasePend()
		_, _ = ends[1].Write(one)
	}), "fill")
}

// TestTakeControl: what fill reads from the socket without waiting,
// takeControl answers while it is pings and pongs, through the
// handlers, until anything else begins; idle holds while all that is
// pending is the start of a ping or pong (one that came apart), so that
// the reader waits for the rest; what fill read of other frames, and
// the end of the stream, reach gorilla's reads unchanged.
func TestTakeControl(t *testing.T) {
	text := frame(1, []byte("data"), false)
	tests := []struct {
		name    string
		writes  [][]byte // written one after another, each followed by fill and takeControl
		idle    []bool   // idle after each
		handled []string // what the handlers got, in order
		rest    []byte   // what Reads give after the writes
	}{
		{name: "a ping", writes: [][]byte{{0x89, 0}}, idle: []bool{true}, handled: []string{"ping:"}},
		{name: "a ping and a pong", writes: [][]byte{{0x89, 1, 'a', 0x8a, 2, 'b', 'c'}}, idle: []bool{true}, handled: []string{"ping:a", "pong:bc"}},
		{name: "a ping in three parts", writes: [][]byte{{0x89}, {3, 'x'}, {'y', 'z'}}, idle: []bool{true, true, true}, handled: []string{"ping:xyz"}},
		{name: "a ping then a message", writes: [][]byte{append([]byte{0x89, 1, 'p'}, text...)}, idle: []bool{false}, handled: []string{"ping:p"}, rest: text},
		{name: "a message then a ping: left to gorilla", writes: [][]byte{append(bytes.Clone(text), 0x89, 0)}, idle: []bool{false}, rest: append(bytes.Clone(text), 0x89, 0)},
		{name: "a masked ping: left to gorilla", writes: [][]byte{{0x89, 0x81, 1, 2, 3, 4, 'm'}}, idle: []bool{false}, rest: []byte{0x89, 0x81, 1, 2, 3, 4, 'm'}},
		{name: "a fragmented ping: left to gorilla", writes: [][]byte{{0x09, 0}}, idle: []bool{false}, rest: []byte{0x09, 0}},
		{name: "a close frame: left to gorilla", writes: [][]byte{{0x88, 2, 0x03, 0xe8}}, idle: []bool{false}, rest: []byte{0x88, 2, 0x03, 0xe8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ends := socketPair(t)
			f := newFramedConn(ends[0])
			require.NotNil(t, f)
			f.state = stFrames // past the handshake
			var handled []string
			record := func(kind string) func(string) error {
				return func(p string) error { handled = append(handled, kind+":"+p); return nil }
			}
			assert.False(t, f.fill(), "an empty socket")
			for i, w := range tt.writes {
				_, err := ends[1].Write(w)
				require.NoError(t, err)
				require.True(t, f.fill(), "write %d", i)
				require.NoError(t, f.takeControl(record("ping"), record("pong")))
				assert.Equal(t, tt.idle[i], f.idle(), "idle after write %d", i)
			}
			assert.Equal(t, tt.handled, handled)
			require.NoError(t, ends[1].Close())
			var rest []byte
			for {
				p := make([]byte, 64)
				n, err := f.Read(p)
				rest = append(rest, p[:n]...)
				if err != nil {
					require.ErrorIs(t, err, io.EOF)
					break
				}
			}
			assert.Equal(t, string(tt.rest), string(rest))
		})
	}
}

// TestFillKeepsTheEnd: the end of the stream, or a reset, that fill
// meets reaches the Read after what is pending, as the socket's read
// would have returned it; a handler's error stops takeControl.
func TestFillKeepsTheEnd(t *testing.T) {
	ends := socketPair(t)
	f := newFramedConn(ends[0])
	f.state = stFrames
	_, err := ends[1].Write([]byte{0x89})
	require.NoError(t, err)
	require.NoError(t, ends[1].Close())
	require.True(t, f.fill())
	require.True(t, f.fill(), "the end is news")
	assert.False(t, f.idle(), "idle once the stream has ended")
	p := make([]byte, 8)
	n, err := f.Read(p)
	assert.Equal(t, 1, n)
	require.NoError(t, err)
	_, err = f.Read(p)
	require.ErrorIs(t, err, io.EOF)
	_, err = f.Read(p)
	require.ErrorIs(t, err, io.EOF, "the end stays")

	ends = socketPair(t)
	f = newFramedConn(ends[0])
	f.state = stFrames
	_, err = ends[1].Write([]byte{0x89, 0, 0x89, 0})
	require.NoError(t, err)
	require.True(t, f.fill())
	calls := 0
	stop := errors.New("handler error")
	err = f.takeControl(func(string) error { calls++; return stop }, nil)
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, calls, "takeControl stops at the handler's error")
}

// socketPair is a connected pair of stream sockets, closed at the end
// of the test.
func socketPair(t *testing.T) [2]net.Conn {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	var ends [2]net.Conn
	for i, fd := range fds {
		file := os.NewFile(uintptr(fd), "socketpair")
		ends[i], err = net.FileConn(file) // a copy of the descriptor
		require.NoError(t, err)
		require.NoError(t, file.Close())
		t.Cleanup(func() { _ = ends[i].Close() })
	}
	return ends
}
