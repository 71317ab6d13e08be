package mockserver

import (
	"bytes"
	"encoding/json"
	"runtime"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFanoutDoesNotHoldIndex: a fan-out held up by one session (here by
// the session's lock, which the test holds) does not hold up joins and
// leaves, which change the index.
//
// Serial: it finds the held fan-out among the stacks of every goroutine
// of the process, where another test's fan-out would do as well.
func TestFanoutDoesNotHoldIndex(t *testing.T) {
	serial(t)
	for _, tt := range []struct {
		name   string
		change func(t *testing.T, srv *Server, other *websocket.Conn)
	}{
		{"join", func(t *testing.T, srv *Server, _ *websocket.Conn) {
			join(t, srv, "{}") // reads its session frame
			waitOpen(t, srv, 3)
		}},
		{"leave", func(t *testing.T, srv *Server, other *websocket.Conn) {
			require.NoError(t, other.Close())
			waitOpen(t, srv, 1)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, nil)
			_, sf := join(t, srv, "{}")
			other, _ := join(t, srv, `{"org":"nobody"}`)
			ss := srv.lookup(sf.Session)
			require.NotNil(t, ss)
			ss.mu.Lock()
			locked := true
			unlock := func() {
				if locked {
					locked = false
					ss.mu.Unlock()
				}
			}
			defer unlock()
			delivered := make(chan int, 1)
			go func() {
				n, _ := srv.Inject(json.RawMessage(ibmJoin))
				delivered <- n
			}()
			waitFor(t, "the fan-out to wait for the session", func() bool {
				return goroutinesIn("(*session).enqueueTrigger")
			})
			tt.change(t, srv, other)
			unlock()
			assert.Equal(t, 1, <-delivered)
		})
	}
}

// goroutinesIn reports whether a goroutine is running fn.
func goroutinesIn(fn string) bool {
	buf := make([]byte, 1<<20)
	return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte(fn))
}
