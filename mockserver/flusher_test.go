package mockserver

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlushersNeverWaitOnAClient: with one flusher for every session, a
// client that has stopped reading, its socket full, holds up no one
// else: the reading client gets every frame long before the stuck one's
// write deadline. The stuck session's turns go to a goroutine of its own
// (handoffs), which keeps every frame: once the client reads again, it
// gets them all, in order, and none is dropped.
func TestFlushersNeverWaitOnAClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pad  int
	}{
		{"frames of 512 bytes", 512},
		{"frames of 4 KiB", 4 << 10},
		{"frames of 40 KiB, more than the send buffer", 40 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Enough to fill the stuck client's socket buffers, some
			// hundreds of KiB on loopback, several times over.
			events := max(200, (2<<20)/tc.pad)
			srv := startServer(t, &Options{
				Heartbeat:  30 * time.Second, // a write waits up to a minute
				SendBuffer: 16 << 10,
				QueueSize:  2 * events,
			})
			srv.flushers.mu.Lock()
			srv.flushers.max = 1
			srv.flushers.mu.Unlock()

			stuck, _ := join(t, srv, "{}")
			conn, _ := join(t, srv, "{}")
			r := startReader(t, conn)

			ev, err := json.Marshal(map[string]any{"kind": "news-item", "uid": "n", "eid": "e", "headline": "h", "url": "u", "date": "d", "source": "s", "pad": strings.Repeat("p", tc.pad)})
			require.NoError(t, err)
			for range events {
				d, err := srv.Inject(ev)
				require.NoError(t, err)
				require.Equal(t, 2, d)
			}
			waitFor(t, "the reading client's frames", func() bool { return r.frames.Load() == int64(events) })
			assert.Zero(t, r.gaps.Load(), "frames in seq order without a gap")
			assert.Positive(t, srv.flushers.handoffs.Load(), "the stuck session's socket never filled")

			for want := uint64(1); want <= uint64(events); want++ {
				f := readFrame(t, stuck)
				require.Equal(t, want, f.Seq, "the stuck client's frames out of order")
			}
			waitFor(t, "every frame counted", func() bool { return srv.Stats().FramesSent["trigger"] == uint64(2*events) })
			assert.Zero(t, srv.Stats().Dropped)
		})
	}
}
