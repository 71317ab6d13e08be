package mockserver

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestFaultLatency: every frame arrives no sooner than latency - jitter
// after it was queued, and in seq order.
func TestFaultLatency(t *testing.T) {
	t.Parallel()
	const latency, jitter = 120 * time.Millisecond, 40 * time.Millisecond
	srv := startServer(t, &Options{Faults: Faults{Latency: latency, Jitter: jitter}, Rand: rand.NewPCG(1, 2)})
	conn, sf := join(t, srv, "{}")
	c := httpClient(t)
	var sent []time.Time
	for i := range 6 {
		sent = append(sent, time.Now())
		if i%3 == 2 {
			push(t, c, srv, sf.Session, strconv.Itoa(i))
			continue
		}
		_, err := srv.Inject(triggerN(i, "IBM"))
		require.NoError(t, err)
	}
	for i := range sent {
		f := readFrame(t, conn)
		got := time.Since(sent[i])
		assert.Equal(t, uint64(i+1), f.Seq)
		assert.GreaterOrEqual(t, got, latency-jitter, "frame %d came after %v", i+1, got)
	}
}

// TestFaultClose closes sessions after N frames with a chosen code, with
// probability 1 per frame, or with a TCP reset.
func TestFaultClose(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		faults Faults
		frames int // frames before the close
		code   int
	}{
		{"after 3 frames with 4000", Faults{CloseAfterFrames: 3, CloseCode: 4000}, 3, 4000},
		{"after 2 frames, default code", Faults{CloseAfterFrames: 2}, 2, protocol.CloseInternalError},
		{"probability 1", Faults{CloseProbability: 1, CloseCode: protocol.ClosePolicy}, 1, protocol.ClosePolicy},
		{"reset", Faults{CloseAfterFrames: 1, CloseReset: true}, -1, websocket.CloseAbnormalClosure},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{Faults: tt.faults})
			conn, _ := join(t, srv, "{}")
			for i := range 5 {
				_, err := srv.Inject(triggerN(i, "IBM"))
				require.NoError(t, err)
			}
			code, frames := readClose(t, conn)
			assert.Equal(t, tt.code, code)
			if tt.frames >= 0 {
				assert.Len(t, frames, tt.frames)
			}
			for i, f := range frames {
				assert.Equal(t, uint64(i+1), f.Seq)
			}
			waitClosed(t, srv, 0, 1)
			assert.Equal(t, uint64(1), srv.Stats().Closes[tt.code])
		})
	}
}

// TestFaultResetIsAReset checks that the reset fault resets the TCP
// connection rather than closing it in order.
func TestFaultResetIsAReset(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{Faults: Faults{CloseAfterFrames: 1, CloseReset: true}})
	conn, _ := join(t, srv, "{}")
	_, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		_, _, err = conn.ReadMessage()
		if err != nil {
			break
		}
	}
	assert.True(t, errors.Is(err, syscall.ECONNRESET), "want a connection reset, got %v", err)
}

// TestFaultRejectJoins rejects a share of joins, with the draws of a
// seeded source.
func TestFaultRejectJoins(t *testing.T) {
	t.Parallel()
	const share, n = 0.3, 40
	srv := startServer(t, &Options{Faults: Faults{RejectJoins: Rejection{Share: share, Status: 429}}, Rand: rand.NewPCG(7, 8)})
	want := rand.New(rand.NewPCG(7, 8))
	c := httpClient(t)
	rejected := 0
	for i := range n {
		wantReject := want.Float64() < share
		conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
		if !wantReject {
			require.NoError(t, err, "join %d", i)
			require.NoError(t, conn.Close())
			continue
		}
		require.ErrorIs(t, err, websocket.ErrBadHandshake, "join %d", i)
		rejected++
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	}
	assert.InDelta(t, share*n, rejected, share*n)
	assert.Equal(t, uint64(rejected), srv.Stats().RejectedJoins[429])

	// The body and headers of a rejection, validated.
	require.NoError(t, srv.SetFaults(Faults{RejectJoins: Rejection{Share: 1}}))
	resp, body := do(t, c, upgradeRequest(t, http.MethodGet, srv.URL, url.Values{"pattern": {"{}"}}, credHeader(demo)))
	assert.Equal(t, DefaultJoinRejectStatus, resp.StatusCode)
	assert.Equal(t, protocol.CodeUnavailable, errorCode(t, body))
}

// TestFaultRejectPushes rejects pushes with each allowed status.
func TestFaultRejectPushes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	conn, sf := join(t, srv, "{}")
	c := httpClient(t)
	for status, code := range pushFaultCodes {
		require.NoError(t, srv.SetFaults(Faults{RejectPushes: Rejection{Share: 1, Status: status}}))
		resp, body := do(t, c, pushRequest(t, srv, sf.Session, demo, `{}`))
		assert.Equal(t, status, resp.StatusCode)
		assert.Equal(t, code, errorCode(t, body))
	}
	require.NoError(t, srv.SetFaults(Faults{}))
	assert.Equal(t, uint64(1), push(t, c, srv, sf.Session, `{}`), "rejected pushes use no seq")
	assert.Equal(t, uint64(1), readFrame(t, conn).Seq)
}

// TestFaultStall: frames queued during a stall are written when it ends,
// for a stall starting now and one starting later.
func TestFaultStall(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	conn, sf := join(t, srv, "{}")
	c := httpClient(t)

	require.NoError(t, srv.SetFaults(Faults{Stall: Stall{Duration: 200 * time.Millisecond}}))
	end := srv.Faults().Stall.End()
	_, err := srv.Inject(json.RawMessage(ibmJoin))
	require.NoError(t, err)
	push(t, c, srv, sf.Session, `1`)
	for range 2 {
		readFrame(t, conn)
		assert.False(t, time.Now().Before(end), "a frame was written during the stall")
	}

	start := time.Now().Add(100 * time.Millisecond)
	require.NoError(t, srv.SetFaults(Faults{Stall: Stall{Start: start, Duration: 200 * time.Millisecond}}))
	waitFor(t, "the stall to start", func() bool { return time.Now().After(start) })
	push(t, c, srv, sf.Session, `2`)
	f := readFrame(t, conn)
	assert.Equal(t, uint64(3), f.Seq)
	assert.False(t, time.Now().Before(start.Add(200*time.Millisecond)), "the frame waited for the end of the stall")

	// Clearing a stall releases the waiting frames at once.
	require.NoError(t, srv.SetFaults(Faults{Stall: Stall{Duration: time.Hour}}))
	push(t, c, srv, sf.Session, `3`)
	require.NoError(t, srv.SetFaults(Faults{}))
	assert.Equal(t, uint64(4), readFrame(t, conn).Seq)
}

func TestFaultsJSON(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 18, 10, 0, 0, 0, time.UTC)
	f := Faults{Latency: 50 * time.Millisecond, Jitter: 10 * time.Millisecond, CloseAfterFrames: 100, CloseProbability: 0.01,
		CloseCode: 4001, CloseReset: true, RejectJoins: Rejection{Share: 0.1, Status: 503}, RejectPushes: Rejection{Share: 0.2},
		Stall: Stall{Start: start, Duration: 2 * time.Second}, Disconnect: Disconnect{Every: 30 * time.Second, Code: 4000}}
	data, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, `{"latency":"50ms","jitter":"10ms","closeAfterFrames":100,"closeProbability":0.01,"closeCode":4001,
		"closeReset":true,"rejectJoins":{"share":0.1,"status":503},"rejectPushes":{"share":0.2},
		"stall":{"start":"2025-03-18T10:00:00Z","duration":"2s"},"disconnect":{"every":"30s","code":4000}}`, string(data))
	var back Faults
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, f, back)

	data, err = json.Marshal(Faults{})
	require.NoError(t, err)
	assert.Equal(t, `{}`, string(data))

	for _, tt := range []struct{ in, err string }{
		{`{"latency":"soon"}`, `latency: "soon" is not a duration`},
		{`{"stall":{"duration":"1x"}}`, "stall.duration"},
		{`{"latencyMs":5}`, `unknown field "latencyMs"`},
		{`{"closeCode":"x"}`, "closeCode"},
		{`{"disconnect":{"every":"often"}}`, "disconnect.every"},
	} {
		assert.ErrorContains(t, json.Unmarshal([]byte(tt.in), &back), tt.err, tt.in)
	}
}

func TestFaultsCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		f    Faults
		err  string
	}{
		{"ok", Faults{Latency: time.Second, CloseCode: 4999, RejectJoins: Rejection{Share: 1, Status: 401}}, ""},
		{"negative latency", Faults{Latency: -1}, "latency"},
		{"negative jitter", Faults{Jitter: -1}, "jitter"},
		{"negative frames", Faults{CloseAfterFrames: -1}, "closeAfterFrames"},
		{"probability", Faults{CloseProbability: 1.5}, "closeProbability"},
		{"1006 cannot be sent", Faults{CloseCode: 1006}, "closeCode 1006"},
		{"share", Faults{RejectPushes: Rejection{Share: -0.1}}, "rejectPushes.share"},
		{"join status", Faults{RejectJoins: Rejection{Share: 1, Status: 404}}, "rejectJoins.status 404"},
		{"push status", Faults{RejectPushes: Rejection{Share: 1, Status: 503}}, "rejectPushes.status 503"},
		{"stall", Faults{Stall: Stall{Duration: -time.Second}}, "stall.duration"},
		{"durations at the bound", Faults{Latency: MaxFaultDuration, Jitter: MaxFaultDuration, Stall: Stall{Duration: MaxFaultDuration}}, ""},
		{"latency over the bound", Faults{Latency: MaxFaultDuration + 1}, "latency 24h0m0.000000001s is over 24h0m0s"},
		{"jitter over the bound", Faults{Jitter: 2000000 * time.Hour}, "jitter 2000000h0m0s is over 24h0m0s"},
		{"disconnect", Faults{Disconnect: Disconnect{Every: time.Second, Code: 1012}}, ""},
		{"disconnect too often", Faults{Disconnect: Disconnect{Every: time.Millisecond}}, "disconnect.every 1ms is not between"},
		{"disconnect code", Faults{Disconnect: Disconnect{Every: time.Second, Code: 1005}}, "disconnect.code 1005"},
		{"stall over the bound", Faults{Stall: Stall{Duration: MaxFaultDuration + time.Second}}, "stall.duration 24h0m1s is over 24h0m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.f.check()
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.err)
			_, nerr := New(&Options{Faults: tt.f})
			assert.ErrorContains(t, nerr, tt.err, "New checks the faults too")
		})
	}
}

// TestJittered draws latencies within d ± j, never negative, and never
// panics, however large d and j are.
func TestJittered(t *testing.T) {
	t.Parallel()
	r := newLockedRand(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		name   string
		d, j   time.Duration
		lo, hi time.Duration
	}{
		{"none", 0, 0, 0, 0},
		{"latency only", time.Second, 0, time.Second, time.Second},
		{"jitter", 100 * time.Millisecond, 10 * time.Millisecond, 90 * time.Millisecond, 110 * time.Millisecond},
		{"jitter below zero is cut", 10 * time.Millisecond, 50 * time.Millisecond, 0, 60 * time.Millisecond},
		{"at the bound", MaxFaultDuration, MaxFaultDuration, 0, 2 * MaxFaultDuration},
		{"beyond the bound", math.MaxInt64, math.MaxInt64, 0, 2 * MaxFaultDuration},
		{"negative", -time.Second, -time.Second, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				got := r.jittered(tt.d, tt.j)
				require.True(t, got >= tt.lo && got <= tt.hi, "%v not within [%v, %v]", got, tt.lo, tt.hi)
			}
		})
	}
}

// TestFaultLatencyQueuedBefore: a frame queued while no latency fault
// was on is written once one comes on, its latency counted from when it
// was queued, and the frames after it follow.
func TestFaultLatencyQueuedBefore(t *testing.T) {
	t.Parallel()
	const latency = 100 * time.Millisecond
	for _, tt := range []struct {
		name   string
		faults Faults
	}{
		{"latency", Faults{Latency: latency}},
		{"jitter only", Faults{Jitter: latency}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{Rand: rand.NewPCG(1, 2)})
			conn, _ := join(t, srv, "{}")
			// The stall holds the frame in the writer, queued without a
			// latency fault, until the latency fault replaces it.
			require.NoError(t, srv.SetFaults(Faults{Stall: Stall{Duration: time.Hour}}))
			_, err := srv.Inject(triggerN(1, "IBM"))
			require.NoError(t, err)
			require.NoError(t, srv.SetFaults(tt.faults))
			assert.Equal(t, uint64(1), readFrame(t, conn).Seq)
			_, err = srv.Inject(triggerN(2, "IBM"))
			require.NoError(t, err)
			assert.Equal(t, uint64(2), readFrame(t, conn).Seq)
		})
	}
}

// TestFaultCodesMatchSpec checks that each rejection status carries a
// code the OpenAPI document allows for it.
func TestFaultCodesMatchSpec(t *testing.T) {
	t.Parallel()
	s := mustSpec(t)
	for op, codes := range map[string]map[int]protocol.ErrorCode{"joinWebsocket": joinFaultCodes, "pushToSession": pushFaultCodes} {
		for status, code := range codes {
			assert.Contains(t, s.ErrorCodes(op, status), code, "%s %d", op, status)
		}
	}
}
