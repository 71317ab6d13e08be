package mockserver

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// fakeClock is a Clock that moves only when the test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 18, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Set moves the clock to t and fires the waiters that are due.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	c.waiters = slices.DeleteFunc(c.waiters, func(w fakeWaiter) bool {
		if w.at.After(t) {
			return false
		}
		w.ch <- t
		return true
	})
}

// waiting waits until someone waits on the clock and returns when for.
func (c *fakeClock) waiting(t *testing.T) time.Time {
	t.Helper()
	var at time.Time
	waitFor(t, "the replay to wait on the clock", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.waiters) == 0 {
			return false
		}
		at = c.waiters[0].at
		return true
	})
	return at
}

// recording builds a recording of triggers at the given offsets, event i
// about org orgs[i%len(orgs)].
func recording(offsets []int64, orgs ...string) []protocol.RecordingLine {
	lines := make([]protocol.RecordingLine, len(offsets))
	for i, off := range offsets {
		lines[i] = protocol.RecordingLine{OffsetMs: off, Event: triggerN(i+1, orgs[i%len(orgs)])}
	}
	return lines
}

// eventID returns the id of a trigger frame's event.
func eventID(t *testing.T, f protocol.Frame) string {
	t.Helper()
	var ev struct{ ID string }
	require.NoError(t, json.Unmarshal(f.Event, &ev))
	return ev.ID
}

// readIDs reads n frames and returns their event ids, checking seq.
func readIDs(t *testing.T, conn *websocket.Conn, firstSeq uint64, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		f := readFrame(t, conn)
		require.Equal(t, protocol.FrameTrigger, f.Type)
		assert.Equal(t, firstSeq+uint64(i), f.Seq)
		ids = append(ids, eventID(t, f))
	}
	return ids
}

// TestReplayMatches replays as fast as possible: each session receives
// the matching events, in recording order.
func TestReplayMatches(t *testing.T) {
	t.Parallel()
	rec := recording([]int64{0, 10, 10, 20, 5000, 90000}, "IBM", "SAP", "BASF")
	srv := startServer(t, &Options{Recording: rec, HoldReplay: true})
	ibm, _ := join(t, srv, `{"org":"IBM"}`)
	notSAP, _ := join(t, srv, `{"org":[{"anything-but":"SAP"}]}`)
	none, _ := join(t, srv, `{"org":"Siemens"}`)
	srv.StartReplay()
	assert.Equal(t, []string{"st-1", "st-4"}, readIDs(t, ibm, 1, 2))
	assert.Equal(t, []string{"st-1", "st-3", "st-4", "st-6"}, readIDs(t, notSAP, 1, 4))
	waitFor(t, "the replay", func() bool { return srv.Stats().TriggersReplayed == 6 })
	assert.Equal(t, uint64(6), srv.Stats().Deliveries)
	n, err := srv.Inject(triggerN(99, "Siemens"))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the Siemens session and the anything-but one")
	assert.Equal(t, []string{"st-99"}, readIDs(t, none, 1, 1), "nothing replayed reached the Siemens session")
}

// TestReplayStartsAtFirstJoin: without HoldReplay the first session gets
// the whole recording, though it joined after the server started.
func TestReplayStartsAtFirstJoin(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{Recording: recording([]int64{0, 1, 2}, "IBM")})
	assert.Zero(t, srv.Stats().TriggersReplayed)
	conn, _ := join(t, srv, "{}")
	assert.Equal(t, []string{"st-1", "st-2", "st-3"}, readIDs(t, conn, 1, 3))
}

// TestReplaySpeed schedules each event at start + offset/speed on an
// injected clock, without drift when the clock fires late.
func TestReplaySpeed(t *testing.T) {
	t.Parallel()
	for _, speed := range []float64{1, 2, 0.5} {
		t.Run(strconv.FormatFloat(speed, 'g', -1, 64), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			srv := startServer(t, &Options{Recording: recording([]int64{0, 1000, 1000, 2500}, "IBM"),
				Speed: speed, Clock: clock, HoldReplay: true})
			conn, _ := join(t, srv, "{}")
			start := clock.Now()
			at := func(ms int64) time.Time {
				return start.Add(time.Duration(float64(ms) * float64(time.Millisecond) / speed))
			}
			srv.StartReplay()
			assert.Equal(t, []string{"st-1"}, readIDs(t, conn, 1, 1), "offset 0 is due at once")
			require.Equal(t, at(1000), clock.waiting(t))
			clock.Set(at(1000).Add(300 * time.Millisecond)) // a late wake-up
			assert.Equal(t, []string{"st-2", "st-3"}, readIDs(t, conn, 2, 2))
			require.Equal(t, at(2500), clock.waiting(t), "scheduled from the start, not from the late wake-up")
			clock.Set(at(2500))
			assert.Equal(t, []string{"st-4"}, readIDs(t, conn, 4, 1))
			waitFor(t, "the end", func() bool { return srv.Stats().TriggersReplayed == 4 })
		})
	}
}

// TestReplayLoop: a looped recording starts again after the last offset
// plus the mean gap, for as many passes as the clock allows.
func TestReplayLoop(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := startServer(t, &Options{Recording: recording([]int64{500, 1500}, "IBM", "SAP"),
		Speed: 1, Loop: true, Clock: clock, HoldReplay: true})
	conn, _ := join(t, srv, `{"org":"SAP"}`)
	start := clock.Now()
	srv.StartReplay()
	// The period is 1500ms + 1000ms (the mean gap): events at 500, 1500,
	// 3000, 4000, 5500, 6500, ...
	want := []time.Duration{500, 1500, 3000, 4000, 5500, 6500}
	for i, ms := range want {
		require.Equal(t, start.Add(ms*time.Millisecond), clock.waiting(t), "event %d", i)
		clock.Set(start.Add(ms * time.Millisecond))
		if i%2 == 1 { // the SAP event of each pass
			assert.Equal(t, []string{"st-2"}, readIDs(t, conn, uint64(i/2+1), 1))
		}
	}
	waitFor(t, "six events", func() bool { return srv.Stats().TriggersReplayed == 6 })
	assert.Equal(t, uint64(3), srv.Stats().Deliveries)
}

func TestReplayNothing(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{Recording: []protocol.RecordingLine{}})
	join(t, srv, "{}")
	srv.StartReplay()
	assert.Zero(t, srv.Stats().TriggersReplayed)
}

func TestLoopPeriod(t *testing.T) {
	t.Parallel()
	ev := func(ms ...int64) []replayEvent {
		var out []replayEvent
		for _, m := range ms {
			out = append(out, replayEvent{offset: time.Duration(m) * time.Millisecond})
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		events []replayEvent
		want   time.Duration
	}{
		{"empty", nil, 0},
		{"one", ev(0), time.Second},
		{"same offset", ev(200, 200), 1200 * time.Millisecond},
		{"even", ev(0, 1000, 2000), 3000 * time.Millisecond},
		{"late start", ev(1000, 2000), 3000 * time.Millisecond},
	} {
		assert.Equal(t, tt.want, loopPeriod(tt.events), tt.name)
	}
}

func TestRecordingOption(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		rec  []protocol.RecordingLine
		err  string
	}{
		{"negative", []protocol.RecordingLine{{OffsetMs: -1, Event: []byte(`{}`)}}, "line 1: offsetMs -1 is negative"},
		{"order", []protocol.RecordingLine{{OffsetMs: 5, Event: []byte(`{}`)}, {OffsetMs: 4, Event: []byte(`{}`)}}, "line 2: offsets out of order"},
		{"not an object", []protocol.RecordingLine{{OffsetMs: 5, Event: []byte(`[]`)}}, "line 1: event is not a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(&Options{Recording: tt.rec})
			assert.ErrorContains(t, err, tt.err)
		})
	}
}

// TestDefaultRecording checks the embedded recording: it parses, spans
// about 12 minutes, and every event makes a trigger frame that the
// AsyncAPI document accepts.
func TestDefaultRecording(t *testing.T) {
	t.Parallel()
	lines := DefaultRecording()
	require.NotEmpty(t, lines)
	t.Logf("%d events over %v", len(lines), time.Duration(lines[len(lines)-1].OffsetMs)*time.Millisecond)
	assert.Greater(t, len(lines), 100)
	sp := mustSpec(t)
	for i, l := range lines {
		assert.NoError(t, sp.ValidateFrame(protocol.AppendTriggerFrame(nil, uint64(i+1), l.Event)), "line %d", i+1)
	}
	_, err := prepareRecording(lines)
	require.NoError(t, err)
}

// TestDefaultReplay: a zero Options replays the default recording, as
// fast as possible, from the first join.
func TestDefaultReplay(t *testing.T) {
	t.Parallel()
	srv, err := New(nil)
	require.NoError(t, err)
	defer srv.Close()
	conn, _ := join(t, srv, "{}")
	n := len(DefaultRecording())
	for i := range n {
		f := readFrame(t, conn)
		require.Equal(t, uint64(i+1), f.Seq)
	}
	assert.Equal(t, uint64(n), srv.Stats().TriggersReplayed)
	require.NoError(t, conn.Close()) // before srv.Close, which would wait for its close handshake
}
