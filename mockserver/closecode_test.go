package mockserver

import (
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
