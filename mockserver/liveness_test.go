package mockserver

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// TestBlockedWriteClosed: a client that stops reading fills the TCP
// buffers and blocks the writer in a write; the write fails after two
// heartbeats without a pong, the session ends without a close frame
// (1006), and every frame is either written or counted as dropped.
func TestBlockedWriteClosed(t *testing.T) {
	t.Parallel()
	const hb, events = 100 * time.Millisecond, 200
	srv := startServer(t, &Options{Heartbeat: hb, CloseTimeout: time.Second})
	dialer := &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := nc.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(64 << 10) // no autotuning: the buffers fill sooner
		}
		return nc, err
	}}
	conn, _, err := dialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	readFrame(t, conn) // the session frame; then the client reads no more

	ev, err := prepareEvent([]byte(`{"kind":"sales-trigger","org":"IBM","pad":"` + strings.Repeat("x", 60<<10) + `"}`))
	require.NoError(t, err)
	for range events { // 12 MB, far more than the TCP buffers hold, far less than the queue
		require.Equal(t, 1, srv.fanout(ev))
	}
	waitClosed(t, srv, 0, 1)
	st := srv.Stats()
	assert.Equal(t, map[int]uint64{websocket.CloseAbnormalClosure: 1}, st.Closes)
	assert.NotZero(t, st.Dropped)
	assert.Equal(t, uint64(events), st.FramesSent["trigger"]+st.Dropped, "every frame written or counted as dropped")
}

// TestLivenessDuringFaults: while a stall or a latency fault holds a
// frame back, the server still pings on time, and still drops a client
// that does not answer within two intervals.
//
// Serial: the answering clients must answer each ping within two 100 ms
// heartbeats, which tests burning the CPU beside them could make them
// miss. Its four subtests, each one idle session, run side by side.
func TestLivenessDuringFaults(t *testing.T) {
	serial(t)
	const hb = 100 * time.Millisecond
	for _, fault := range []struct {
		name   string
		faults Faults
	}{
		{"stall", Faults{Stall: Stall{Duration: time.Hour}}},
		{"latency", Faults{Latency: time.Hour}},
	} {
		t.Run(fault.name+"/answering client is pinged", func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{Heartbeat: hb, Faults: fault.faults})
			conn, sf := join(t, srv, "{}")
			var pings atomic.Int32
			conn.SetPingHandler(func(data string) error {
				pings.Add(1)
				return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					if _, _, err := conn.ReadMessage(); err != nil {
						return
					}
				}
			}()
			defer func() { _ = conn.Close(); <-done }()
			ss := srv.lookup(sf.Session)
			require.NotNil(t, ss)
			_, err := srv.Inject(json.RawMessage(ibmJoin))
			require.NoError(t, err)
			waitFor(t, "the writer to hold the frame", func() bool {
				ss.mu.Lock()
				defer ss.mu.Unlock()
				return ss.q.len() == 0
			})
			before := pings.Load()
			waitFor(t, "three pings while the frame is held", func() bool { return pings.Load() >= before+3 })
			st := srv.Stats()
			assert.Equal(t, 1, st.OpenSessions)
			assert.Zero(t, st.FramesSent["trigger"], "the fault still holds the frame")
		})
		t.Run(fault.name+"/silent client is dropped", func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{Heartbeat: hb, Faults: fault.faults})
			join(t, srv, "{}") // reads no more, so answers no ping
			_, err := srv.Inject(json.RawMessage(ibmJoin))
			require.NoError(t, err)
			waitClosed(t, srv, 0, 1)
			st := srv.Stats()
			assert.Equal(t, map[int]uint64{websocket.CloseAbnormalClosure: 1}, st.Closes)
			assert.Equal(t, uint64(1), st.Dropped, "the frame held back")
		})
	}
}

// TestLiveness follows pings and pongs on offsets from the session's
// opening, which come from the monotonic clock: the wall clock, which
// may step back (NTP, a VM resumed), plays no part. Times in intervals.
func TestLiveness(t *testing.T) {
	t.Parallel()
	const iv = time.Second
	type step struct {
		op       string  // "ping", "dead", "alive", "deadline"
		at, pong float64 // now, and the last pong (0: none yet)
		want     float64 // for "deadline"
	}
	for _, tt := range []struct {
		name  string
		steps []step
	}{
		{"answered pings", []step{{"ping", 1, 0, 0}, {"alive", 2, 1.01, 0}, {"ping", 2, 1.01, 0}, {"alive", 3, 2.01, 0}}},
		{"one interval unanswered", []step{{"ping", 1, 0, 0}, {"ping", 2, 0, 0}, {"alive", 2.5, 0, 0}}},
		{"two intervals unanswered", []step{{"ping", 1, 0, 0}, {"ping", 2, 0, 0}, {"dead", 3, 0, 0}}},
		{"slack for timer jitter", []step{{"ping", 1, 0, 0}, {"dead", 2.8, 0, 0}, {"alive", 2.7, 0, 0}}},
		{"a pong from before the ping does not answer it", []step{{"ping", 1, 0.5, 0}, {"dead", 3, 0.9, 0}}},
		{"after a pong the next ping starts the wait", []step{{"ping", 1, 0, 0}, {"ping", 2, 0, 0}, {"ping", 3, 1.5, 0}, {"alive", 4, 1.5, 0}, {"dead", 4.8, 1.5, 0}}},
		{"write deadline without a ping", []step{{"deadline", 0.5, 0, 2.5}}},
		{"write deadline with a ping pending", []step{{"ping", 1, 0, 0}, {"deadline", 1.5, 0, 3}, {"deadline", 1.5, 1.2, 3.5}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := liveness{interval: iv}
			d := func(f float64) time.Duration { return time.Duration(f * float64(iv)) }
			for i, s := range tt.steps {
				switch s.op {
				case "ping":
					require.False(t, l.dead(d(s.at), d(s.pong)), "step %d", i)
					l.pinged(d(s.at))
				case "dead", "alive":
					c := l // dead forgets an answered ping: check a copy
					assert.Equal(t, s.op == "dead", c.dead(d(s.at), d(s.pong)), "step %d", i)
				case "deadline":
					assert.Equal(t, d(s.want), l.deadline(d(s.at), d(s.pong)), "step %d", i)
				}
			}
		})
	}
}

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
