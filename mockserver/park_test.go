package mockserver

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// TestIdleWriterParks: a session with nothing to write holds no writer
// goroutine, and is still pinged on time and sent what comes next; a
// close starts a writer to finish it.
//
// Serial: it looks for writer goroutines among the whole process's.
func TestIdleWriterParks(t *testing.T) {
	serial(t)
	const hb = 50 * time.Millisecond
	srv := startServer(t, &Options{Heartbeat: hb})
	conn, _ := join(t, srv, "{}")
	waitFor(t, "the writer parked", func() bool { return !goroutinesIn("(*session).writeLoop") })

	pings := make(chan struct{}, 64)
	conn.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	frames := make(chan protocol.Frame, 4)
	done := make(chan error, 1)
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				done <- err
				return
			}
			f, err := protocol.DecodeFrame(data)
			if err == nil {
				frames <- f
			}
		}
	}()
	for i := range 3 { // each ping starts a writer from the parked state
		select {
		case <-pings:
		case <-time.After(waitTimeout):
			t.Fatalf("ping %d did not come", i+1)
		}
	}

	ev, err := prepareEvent([]byte(`{"kind":"sales-trigger","org":"IBM"}`))
	require.NoError(t, err)
	waitFor(t, "the writer parked again", func() bool { return !goroutinesIn("(*session).writeLoop") })
	require.Equal(t, 1, srv.fanout(ev))
	select {
	case f := <-frames:
		assert.Equal(t, protocol.FrameTrigger, f.Type)
		assert.Equal(t, uint64(1), f.Seq)
	case <-time.After(waitTimeout):
		t.Fatal("the trigger did not come")
	}

	waitFor(t, "the writer parked again", func() bool { return !goroutinesIn("(*session).writeLoop") })
	srv.Close() // closes the parked session with 1001
	select {
	case err := <-done:
		assert.True(t, websocket.IsCloseError(err, protocol.CloseGoingAway), "closed with 1001: %v", err)
	case <-time.After(waitTimeout):
		t.Fatal("the session was not closed")
	}
	waitClosed(t, srv, 0, 1)
}
