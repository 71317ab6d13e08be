package mockserver

import (
	"bytes"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// TestProtocolErrorIsRecordedAsSent sends frames gorilla refuses with a
// close of its own: the session's end is counted under the code the
// client was sent (1002), not as an abnormal closure (1006).
func TestProtocolErrorIsRecordedAsSent(t *testing.T) {
	t.Parallel()
	mask := []byte{1, 2, 3, 4}
	cases := []struct {
		name  string
		frame []byte
		want  int
	}{
		{"reserved bit set", append([]byte{0xc1, 0x81}, append(mask, 'x'^1)...), websocket.CloseProtocolError},
		{"unknown opcode", append([]byte{0x83, 0x80}, mask...), websocket.CloseProtocolError},
		{"unmasked client frame", []byte{0x81, 0x01, 'x'}, websocket.CloseProtocolError},
		{"over the read limit", append([]byte{0x81, 0xfe, byte((protocol.MaxClientFrame + 1) >> 8), byte((protocol.MaxClientFrame + 1) & 0xff)}, mask...), websocket.CloseMessageTooBig},
		// RFC 6455 section 5.2: the most significant bit of a 64-bit
		// length MUST be 0. gorilla refuses the frame without a close.
		{"64-bit length with its top bit set", append([]byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1}, mask...), websocket.CloseProtocolError},
		{"64-bit length of all ones", append([]byte{0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mask...), websocket.CloseProtocolError},
		// Section 5.5.1: a close body is empty or starts with a 2-byte
		// code. gorilla takes a 1-byte one for an empty one.
		{"close frame with a 1-byte body", append([]byte{0x88, 0x81}, append(mask, 'x'^1)...), websocket.CloseProtocolError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, nil)
			conn, _ := join(t, srv, "{}")
			_, err := conn.NetConn().Write(tc.frame)
			require.NoError(t, err)
			_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
			_, _, err = conn.ReadMessage()
			var ce *websocket.CloseError
			require.ErrorAs(t, err, &ce, "the mock closes with a close frame")
			assert.Equal(t, tc.want, ce.Code)
			_ = conn.Close()
			waitFor(t, "the session's end to be counted", func() bool { return len(srv.Stats().Closes) > 0 })
			assert.Equal(t, map[int]uint64{tc.want: 1}, srv.Stats().Closes)
		})
	}
}

// TestClientFrameScan follows frames fed whole and a byte at a time: only
// the breaches gorilla lets pass are caught, wherever they fall.
func TestClientFrameScan(t *testing.T) {
	t.Parallel()
	mask := []byte{1, 2, 3, 4}
	frame := func(b0 byte, payload int) []byte {
		var h []byte
		switch {
		case payload < 126:
			h = []byte{b0, 0x80 | byte(payload)}
		default:
			h = []byte{b0, 0x80 | 126, byte(payload >> 8), byte(payload)}
		}
		return append(append(h, mask...), make([]byte, payload)...)
	}
	cat := func(frames ...[]byte) []byte { return bytes.Join(frames, nil) }
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"text, ping, close with a code", cat(frame(0x81, 5), frame(0x89, 0), frame(0x88, 2)), ""},
		{"an empty close", frame(0x88, 0), ""},
		{"a 1-byte close after a 300-byte frame", cat(frame(0x82, 300), frame(0x88, 1)), badCloseBody},
		{"a 1-byte close after an empty frame", cat(frame(0x81, 0), frame(0x88, 1)), badCloseBody},
		{"a 64-bit length with its top bit set", append([]byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0}, mask...), badLength},
		{"a 64-bit length without it", append([]byte{0x81, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0}, mask...), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var whole, bytewise clientFrames
			whole.scan(tc.in)
			for i := range tc.in {
				bytewise.scan(tc.in[i : i+1])
			}
			assert.Equal(t, tc.want, whole.bad, "fed whole")
			assert.Equal(t, tc.want, bytewise.bad, "fed a byte at a time")
		})
	}
}
