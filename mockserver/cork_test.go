package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// writesConn records each Write it gets, and fails them once fail is set.
// With room set, it takes that many bytes more and cuts short the write
// that goes beyond, as a socket that the client stopped reading does.
type writesConn struct {
	net.Conn
	mu     sync.Mutex
	writes []string
	fail   error
	room   *int
}

func (c *writesConn) Write(p []byte) (int, error) {
	n, err := c.take(p, "")
	if err == nil && n < len(p) {
		return n, os.ErrDeadlineExceeded
	}
	return n, err
}

// tryWrite is the write that never waits: it takes what there is room
// for, maybe nothing, with no error. Its writes are recorded as "try …".
func (c *writesConn) tryWrite(p []byte) (int, error) { return c.take(p, "try ") }

// take records what there is room for of p, after prefix, and returns
// its length; it fails once fail is set.
func (c *writesConn) take(p []byte, prefix string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return 0, c.fail
	}
	n := len(p)
	if c.room != nil {
		n = min(n, *c.room)
		*c.room -= n
	}
	if n > 0 {
		c.writes = append(c.writes, prefix+string(p[:n]))
	}
	return n, nil
}

// setRoom lets the connection take n bytes more.
func (c *writesConn) setRoom(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.room = &n
}

func (c *writesConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes = append(c.writes, "deadline "+t.Format("15:04:05"))
	return nil
}

func (c *writesConn) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.writes...)
}

func TestCorkConn(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", corkLimit)
	broken := errors.New("connection reset")
	cases := []struct {
		name    string
		steps   func(c *corkConn, under *writesConn) error
		want    []string // the writes that reached the connection
		wantErr error
	}{
		{"uncorked writes go straight through", func(c *corkConn, _ *writesConn) error {
			_, _ = c.Write([]byte("a"))
			_, err := c.Write([]byte("b"))
			return err
		}, []string{"a", "b"}, nil},
		{"corked writes go out together when uncorked", func(c *corkConn, under *writesConn) error {
			c.cork()
			_, _ = c.Write([]byte("a"))
			_, _ = c.Write([]byte("b"))
			if len(under.got()) != 0 {
				return errors.New("a corked write reached the connection")
			}
			return c.uncork()
		}, []string{"ab"}, nil},
		{"a write from elsewhere joins the batch in order", func(c *corkConn, _ *writesConn) error {
			c.cork()
			_, _ = c.Write([]byte("frame1"))
			var g sync.WaitGroup
			g.Go(func() { _, _ = c.Write([]byte("pong")) }) // as gorilla's reader would
			g.Wait()
			_, _ = c.Write([]byte("frame2"))
			return c.uncork()
		}, []string{"frame1pongframe2"}, nil},
		{"a full buffer is written at once", func(c *corkConn, _ *writesConn) error {
			c.cork()
			_, _ = c.Write([]byte("a"))
			_, _ = c.Write([]byte(big))
			_, _ = c.Write([]byte("b"))
			return c.uncork()
		}, []string{"a" + big, "b"}, nil},
		{"a batch sets its latest write deadline once", func(c *corkConn, _ *writesConn) error {
			t0 := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
			_ = c.SetWriteDeadline(t0)
			c.cork()
			_ = c.SetWriteDeadline(t0.Add(time.Second))
			_, _ = c.Write([]byte("a"))
			_ = c.SetWriteDeadline(t0.Add(2 * time.Second))
			_, _ = c.Write([]byte("b"))
			_ = c.SetWriteDeadline(t0.Add(time.Second)) // a pong's, shorter
			_, _ = c.Write([]byte("p"))
			return c.uncork()
		}, []string{"deadline 18:00:00", "deadline 18:00:02", "abp"}, nil},
		{"text frames of each header size, in order", func(c *corkConn, _ *writesConn) error {
			c.cork()
			for _, n := range []int{0, 125, 126, 0xffff} {
				if err := c.writeText(n, func(b []byte) []byte { return append(b, strings.Repeat("x", n)...) }); err != nil {
					return err
				}
			}
			return c.uncork()
		}, []string{"\x81\x00" + "\x81\x7d" + strings.Repeat("x", 125) + "\x81\x7e\x00\x7e" + strings.Repeat("x", 126) + "\x81\x7e\xff\xff" + strings.Repeat("x", 0xffff)}, nil},
		{"a text frame over 64 KiB has a 64-bit length, and goes out at once", func(c *corkConn, _ *writesConn) error {
			c.cork()
			return c.writeText(0x10000, func(b []byte) []byte { return append(b, strings.Repeat("y", 0x10000)...) })
		}, []string{"\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00" + strings.Repeat("y", 0x10000)}, nil},
		{"no text frame after a close frame", func(c *corkConn, _ *writesConn) error {
			_, _ = c.Write([]byte{0x88, 0x02, 0x03, 0xe8}) // gorilla's close, 1000
			return c.writeText(1, func(b []byte) []byte { return append(b, 'z') })
		}, []string{"\x88\x02\x03\xe8"}, websocket.ErrCloseSent},
		{"a frame whose length lies is not written", func(c *corkConn, _ *writesConn) error {
			c.cork()
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "four"...) })
			return c.uncork()
		}, nil, nil},
		{"uncorking with nothing gathered writes nothing", func(c *corkConn, _ *writesConn) error {
			c.cork()
			return c.uncork()
		}, nil, nil},
		{"the connection's error comes back from uncork", func(c *corkConn, under *writesConn) error {
			c.cork()
			_, _ = c.Write([]byte("a"))
			under.mu.Lock()
			under.fail = broken
			under.mu.Unlock()
			return c.uncork()
		}, nil, broken},
		{"a write cut short in a frame owes its rest, which goes out ahead of the close frame", func(c *corkConn, under *writesConn) error {
			c.cork()
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "abc"...) })
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "def"...) })
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "ghi"...) })
			under.setRoom(7) // the first frame and the header of the second
			if err := c.uncork(); !errors.Is(err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("uncork: %v", err)
			}
			if in, out, owed := c.texts(); in != 3 || out != 1 || !owed {
				return fmt.Errorf("texts in %d, out %d, owed %v; want 3, 1, true", in, out, owed)
			}
			c.halt()
			if _, err := c.Write([]byte{0x89, 0x00}); !errors.Is(err, errHalted) { // a ping
				return fmt.Errorf("a write after halt: %v", err)
			}
			under.setRoom(1 << 10)
			if err := c.writeClose([]byte{0x0f, 0xa8}, time.Time{}); err != nil {
				return err
			}
			if _, out, owed := c.texts(); out != 2 || owed {
				return fmt.Errorf("texts out %d, owed %v after the close; want 2, false", out, owed)
			}
			_, err := c.Write([]byte{0x88, 0x02, 0x03, 0xe8}) // gorilla's answer to the client's close
			return err
		}, []string{"\x81\x03abc\x81\x03", "deadline 00:00:00", "def\x88\x02\x0f\xa8"}, nil},
		{"a flusher's batch, past corkLimit and a write from elsewhere, goes out in one write that does not wait", func(c *corkConn, under *writesConn) error {
			t0 := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
			if !c.corkNoWait() {
				return errors.New("not corked")
			}
			_ = c.SetWriteDeadline(t0)
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "abc"...) })
			_, _ = c.Write([]byte(big))
			var g sync.WaitGroup
			g.Go(func() { _, _ = c.Write([]byte("pong")) })
			g.Wait()
			if len(under.got()) != 0 {
				return errors.New("a write reached the connection before uncork")
			}
			if err := c.uncork(); err != nil {
				return err
			}
			if _, out, owed := c.texts(); out != 1 || owed {
				return fmt.Errorf("texts out %d, owed %v; want 1, false", out, owed)
			}
			return nil
		}, []string{"deadline 18:00:00", "try \x81\x03abc" + big + "pong"}, nil},
		{"what the socket does not take waits for flush, the rest of a frame first", func(c *corkConn, under *writesConn) error {
			c.corkNoWait()
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "abc"...) })
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "def"...) })
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "ghi"...) })
			under.setRoom(7) // the first frame and the header of the second
			if err := c.uncork(); !errors.Is(err, errWouldBlock) {
				return fmt.Errorf("uncork: %v", err)
			}
			if in, out, owed := c.texts(); in != 3 || out != 1 || !owed {
				return fmt.Errorf("texts in %d, out %d, owed %v; want 3, 1, true", in, out, owed)
			}
			under.setRoom(1 << 10)
			if err := c.flush(); err != nil {
				return err
			}
			if _, out, owed := c.texts(); out != 3 || owed {
				return fmt.Errorf("texts out %d, owed %v after flush; want 3, false", out, owed)
			}
			return nil
		}, []string{"try \x81\x03abc\x81\x03", "def", "\x81\x03ghi"}, nil},
		{"the rest of the last frame alone waits for flush", func(c *corkConn, under *writesConn) error {
			c.corkNoWait()
			_ = c.writeText(3, func(b []byte) []byte { return append(b, "abc"...) })
			under.setRoom(3)
			if err := c.uncork(); !errors.Is(err, errWouldBlock) {
				return fmt.Errorf("uncork: %v", err)
			}
			under.setRoom(1 << 10)
			if err := c.flush(); err != nil {
				return err
			}
			if _, out, owed := c.texts(); out != 1 || owed {
				return fmt.Errorf("texts out %d, owed %v after flush; want 1, false", out, owed)
			}
			return c.flush() // nothing left: writes nothing
		}, []string{"try \x81\x03a", "bc"}, nil},
		{"a socket that takes nothing leaves everything for flush", func(c *corkConn, under *writesConn) error {
			c.corkNoWait()
			_ = c.writeText(1, func(b []byte) []byte { return append(b, 'a') })
			_, _ = c.Write([]byte{0x89, 0x00}) // a ping
			under.setRoom(0)
			if err := c.uncork(); !errors.Is(err, errWouldBlock) {
				return fmt.Errorf("uncork: %v", err)
			}
			if _, out, owed := c.texts(); out != 0 || owed {
				return fmt.Errorf("texts out %d, owed %v; want 0, false", out, owed)
			}
			under.setRoom(1 << 10)
			return c.flush()
		}, []string{"\x81\x01a\x89\x00"}, nil},
		{"a halted connection lets a flusher write nothing", func(c *corkConn, _ *writesConn) error {
			c.corkNoWait()
			_ = c.writeText(1, func(b []byte) []byte { return append(b, 'a') })
			c.halt()
			return c.uncork()
		}, nil, errHalted},
		{"the connection's error comes back from a flusher's uncork", func(c *corkConn, under *writesConn) error {
			c.corkNoWait()
			_ = c.writeText(1, func(b []byte) []byte { return append(b, 'a') })
			under.mu.Lock()
			under.fail = broken
			under.mu.Unlock()
			return c.uncork()
		}, nil, broken},
		{"a connection another goroutine holds is not corked for a flusher", func(c *corkConn, _ *writesConn) error {
			c.mu.Lock()
			held := c.corkNoWait()
			c.mu.Unlock()
			if held || c.corked {
				return errors.New("corked while held")
			}
			noTry := &corkConn{Conn: c.Conn}
			if noTry.corkNoWait() {
				return errors.New("corked with no write that never waits")
			}
			return nil
		}, nil, nil},
		{"a write cut short in a header owes the rest of the frame", func(c *corkConn, under *writesConn) error {
			under.setRoom(1)
			_ = c.writeText(2, func(b []byte) []byte { return append(b, "xy"...) })
			under.setRoom(1 << 10)
			_, err := c.Write([]byte{0x8a, 0x00}) // a pong
			return err
		}, []string{"\x81", "\x02xy", "\x8a\x00"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			under := &writesConn{}
			c := &corkConn{Conn: under}
			c.try = under.tryWrite
			err := tc.steps(c, under)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want, under.got())
			assert.Nil(t, c.buf, "the buffer went back to the pool")
		})
	}
}

// TestBatchedFramesKeepTheirOrder queues frames faster than the writer
// sends them, so that it gathers them: they arrive in seq order, every
// one, and are counted.
func TestBatchedFramesKeepTheirOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{HoldReplay: true})
	conn, _ := join(t, srv, `{"org":"IBM"}`)
	const n = 500
	for range n {
		d, err := srv.Inject(json.RawMessage(ibmJoin))
		require.NoError(t, err)
		require.Equal(t, 1, d)
	}
	for want := uint64(1); want <= n; want++ {
		f := readFrame(t, conn)
		require.Equal(t, protocol.FrameTrigger, f.Type)
		require.Equal(t, want, f.Seq, "frames out of order")
	}
	assert.Equal(t, uint64(n), srv.Stats().FramesSent["trigger"])
}
