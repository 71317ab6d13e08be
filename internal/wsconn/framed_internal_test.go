package wsconn

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frame builds a server frame: fin, opcode, payload, masked or not.
func frame(op byte, payload []byte, masked bool) []byte {
	b := []byte{0x80 | op, 0}
	switch n := len(payload); {
	case n < 126:
		b[1] = byte(n)
	case n < 1<<16:
		b[1] = 126
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b[1] = 127
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if masked {
		b[1] |= 0x80
		b = append(b, 1, 2, 3, 4)
	}
	return append(b, payload...)
}

// chunkConn is a net.Conn whose Reads return the stream in the chunks
// given, then io.EOF.
type chunkConn struct {
	net.Conn
	chunks [][]byte
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if c.chunks[0] = c.chunks[0][n:]; len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

// TestFramedConnReadsEndAtUnits: whatever the chunks the socket gives
// and the sizes asked for, the bytes pass unchanged, no Read crosses
// the end of a response head or a frame, and idle holds exactly at the
// frames' ends (where gorilla has consumed all it was given).
func TestFramedConnReadsEndAtUnits(t *testing.T) {
	head101 := []byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	proxy200 := []byte("HTTP/1.1 200 Connection established\r\n\r\n")
	big := bytes.Repeat([]byte("x"), 70000)
	tests := []struct {
		name     string
		units    [][]byte
		frames   int  // how many of the units, from the end, are frames
		opaque   bool // the stream stops parsing as frames
		headOnly bool // no 101: frames never start
	}{
		{name: "session frame and triggers", units: [][]byte{head101, frame(1, []byte(`{"type":"session"}`), false), frame(1, []byte(`{"type":"trigger","seq":1}`), false), frame(9, nil, false)}, frames: 3},
		{name: "pings and pongs among messages", units: [][]byte{head101, frame(9, []byte("p1"), false), frame(1, []byte("one"), false), frame(10, bytes.Repeat([]byte("q"), 125), false), frame(9, nil, false), frame(1, []byte("two"), false), frame(9, []byte("last"), false)}, frames: 6},
		{name: "every length form", units: [][]byte{head101, frame(1, nil, false), frame(1, bytes.Repeat([]byte("a"), 125), false), frame(2, bytes.Repeat([]byte("b"), 126), false), frame(2, bytes.Repeat([]byte("c"), 65535), false), frame(2, big, false)}, frames: 5},
		{name: "masked frames (a broken server)", units: [][]byte{head101, frame(1, []byte("hello"), true), frame(1, bytes.Repeat([]byte("d"), 300), true)}, frames: 2},
		{name: "a proxy's answer to CONNECT first", units: [][]byte{proxy200, head101, frame(1, []byte("one"), false), frame(1, []byte("two"), false)}, frames: 2},
		{name: "a refused handshake", units: [][]byte{[]byte("HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\n"), []byte("nope")}, headOnly: true},
		{name: "a length with its top bit set", units: [][]byte{head101, frame(1, []byte("ok"), false), {0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 'z', 'z'}}, frames: 1, opaque: true},
	}
	for _, tt := range tests {
		for seed := range uint64(20) {
			rng := rand.New(rand.NewPCG(seed, 7))
			stream := bytes.Join(tt.units, nil)
			var ends []int             // offsets where a unit ends
			unitAt := map[int][]byte{} // the unit that starts at an offset
			off := 0
			for _, u := range tt.units {
				unitAt[off] = u
				off += len(u)
				ends = append(ends, off)
			}
			frameEnds := map[int]bool{} // the 101's end and the frames'
			for _, e := range ends[max(0, len(ends)-tt.frames-1):] {
				frameEnds[e] = true
			}
			var chunks [][]byte // the socket's deliveries
			for rest := stream; len(rest) > 0; {
				n := min(len(rest), 1+rng.IntN(600))
				if seed == 0 {
					n = len(rest) // all at once
				}
				chunks = append(chunks, rest[:n])
				rest = rest[n:]
			}
			f := &framedConn{Conn: &chunkConn{chunks: chunks}}
			var got []byte
			for {
				p := make([]byte, 1+rng.IntN(400))
				n, err := f.Read(p)
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				require.Positive(t, n, "%s (seed %d): an empty read", tt.name, seed)
				start, end := len(got), len(got)+n
				got = append(got, p[:n]...)
				if !tt.opaque {
					for _, e := range ends {
						require.False(t, start < e && e < end, "%s (seed %d): a read of %d..%d crosses the unit end at %d", tt.name, seed, start, end, e)
					}
				}
				idle := f.idle()
				switch {
				case tt.opaque && f.state == stOpaque, tt.headOnly:
					assert.False(t, idle, "%s (seed %d): idle at %d", tt.name, seed, end)
				case !tt.opaque:
					// Idle at a frame's end with nothing pending, or only
					// the start of a ping or pong.
					next := unitAt[end]
					startsPing := len(f.pend) < len(next) && (next[0] == 0x89 || next[0] == 0x8a)
					assert.Equal(t, frameEnds[end] && (len(f.pend) == 0 || startsPing), idle, "%s (seed %d): idle at %d", tt.name, seed, end)
				}
			}
			require.Equal(t, stream, got, "%s (seed %d): the bytes changed", tt.name, seed)
			assert.Equal(t, tt.headOnly, f.state == stHead, "%s: still reading heads", tt.name)
			assert.Equal(t, tt.opaque, f.state == stOpaque, "%s: opaque", tt.name)
		}
	}
}
