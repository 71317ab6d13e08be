package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// books is a ledger over a schedule of 10 pushes at 10/s, started at t0.
type books struct {
	led   ledger
	sched Schedule
	t0    time.Time
	live  live
}

func newBooks() *books {
	b := &books{sched: Schedule{Stages: []Stage{{Duration: time.Second, Rate: 10}}}, t0: time.Unix(1000, 0)}
	t := newPushTable(b.sched.Total())
	b.led = ledger{table: t, sched: b.sched, rec: newRecorder(2), live: &b.live, shard: Shard{K: 0, N: 1}, timeout: time.Second, measureFrom: b.t0.UnixNano()}
	return b
}

// frame is push n as subscription sub receives it with seq, after delay
// from its intended time.
func (b *books) frame(n uint64, sub int, seq uint64, delay time.Duration) client.Frame {
	due, _ := b.sched.Due(n)
	intended := b.t0.Add(due)
	data := appendPayload(nil, header{ID: n, Sub: sub, Intended: intended.UnixNano(), Sent: intended.UnixNano()}, 64)
	return client.Frame{Frame: protocol.Frame{Type: protocol.FramePush, Seq: seq, Data: json.RawMessage(data)}, Received: intended.Add(delay)}
}

func TestAccounting(t *testing.T) {
	t.Parallel()
	type recv struct {
		n     uint64
		seq   uint64
		delay time.Duration
	}
	cases := []struct {
		name     string
		accepted []uint64
		frames   []recv
		cutoff   time.Duration
		want     loadresult.Delivery
		gaps     uint64
	}{
		{"exactly once", []uint64{0, 1, 2}, []recv{{0, 1, ms(1)}, {1, 2, ms(1)}, {2, 3, ms(1)}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 3, Received: 3, ExactlyOnce: 3}, 0},
		{"lost", []uint64{0, 1, 2}, []recv{{0, 1, ms(1)}, {2, 3, ms(1)}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 3, Received: 2, ExactlyOnce: 2, Lost: 1}, 1},
		{"in flight at cut-off", []uint64{0, 9}, []recv{{0, 1, ms(1)}}, 1 * time.Second,
			loadresult.Delivery{Accepted: 2, Received: 1, ExactlyOnce: 1, InFlight: 1}, 0},
		{"duplicated", []uint64{0, 1}, []recv{{0, 1, ms(1)}, {1, 2, ms(1)}, {1, 3, ms(2)}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 2, Received: 2, ExactlyOnce: 1, Duplicated: 1}, 0},
		{"out of order", []uint64{0, 1, 2}, []recv{{0, 1, ms(1)}, {2, 3, ms(1)}, {1, 2, ms(300)}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 3, Received: 3, ExactlyOnce: 3, OutOfOrder: 1}, 1},
		{"late", []uint64{0, 1}, []recv{{0, 1, ms(1)}, {1, 2, 1500 * time.Millisecond}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 2, Received: 2, ExactlyOnce: 2, Late: 1}, 0},
		{"received but not accepted", []uint64{0}, []recv{{0, 1, ms(1)}, {1, 2, ms(1)}}, 3 * time.Second,
			loadresult.Delivery{Accepted: 1, Received: 1, ExactlyOnce: 1, ReceivedUnaccepted: 1}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooks()
			for _, n := range tc.accepted {
				b.led.table.e[n].state.Or(stSent | stAccepted)
			}
			r := &receiver{sub: 3}
			for _, f := range tc.frames {
				fr := b.frame(f.n, 3, f.seq, f.delay)
				b.led.frame(r, &fr)
			}
			r.newSession(nil)
			b.live.dispatched.Store(10)
			_, d := b.led.tally(tc.cutoff, tc.cutoff < 2*time.Second)
			d.Late, d.OutOfOrder = b.live.late.Load(), r.stats.PushReordered
			d.SetInvariant(uint64(len(tc.accepted)))
			assert.True(t, d.InvariantHolds, d.Invariant)
			d.InvariantHolds, d.Invariant, d.DeliveredPercent = false, "", 0
			assert.Equal(t, tc.want, d)
			assert.Equal(t, tc.gaps, r.stats.Gaps)
			assert.Equal(t, uint64(len(tc.frames)), b.live.frames.Load())
			assert.Equal(t, d.Received+d.ReceivedUnaccepted, b.live.received.Load(), "the live count of first receipts")
		})
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestReceiverCountsTriggersAndStrangers(t *testing.T) {
	t.Parallel()
	b := newBooks()
	r := &receiver{sub: 1}
	frames := []client.Frame{
		{Frame: protocol.Frame{Type: protocol.FrameTrigger, Seq: 1, Event: json.RawMessage(`{}`)}},
		b.frame(0, 2, 2, ms(1)), // meant for subscription 2
		{Frame: protocol.Frame{Type: protocol.FramePush, Seq: 3, Data: json.RawMessage(`{"hello":1}`)}},
		{Frame: protocol.Frame{Type: protocol.FramePush, Seq: 4, Data: json.RawMessage(`{"lt":{"id":99,"sub":1,"t":1,"s":1}}`)}},
		{Frame: protocol.Frame{Type: protocol.FrameTrigger, Seq: 4, Event: json.RawMessage(`{}`)}},
	}
	for i := range frames {
		b.led.frame(r, &frames[i])
	}
	r.newSession(nil)
	assert.Equal(t, uint64(2), r.stats.Triggers)
	assert.Equal(t, uint64(1), r.stats.Misrouted)
	assert.Equal(t, uint64(2), r.stats.Foreign, "not JSON of ours, and an id out of range")
	assert.Equal(t, uint64(1), r.stats.DupSeq)
}

func TestPayloadRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		h    header
		size int
	}{
		{"padded", header{ID: 12345, Sub: 7, Intended: 1700000000123456789, Sent: 1700000000123459999}, 256},
		{"smaller than the header", header{ID: 1, Sub: 0, Intended: 5, Sent: 6}, 10},
		{"zero", header{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := appendPayload(nil, tc.h, tc.size)
			require.True(t, json.Valid(b), string(b))
			if tc.size > 80 {
				assert.Len(t, b, tc.size)
			}
			got, ok := parsePayload(b)
			require.True(t, ok)
			assert.Equal(t, tc.h, got)
		})
	}
	t.Run("re-encoded by a server", func(t *testing.T) {
		got, ok := parsePayload([]byte(`{"pad":"x", "lt": {"s": 4, "t": 3, "sub": 2, "id": 1}}`))
		require.True(t, ok)
		assert.Equal(t, header{ID: 1, Sub: 2, Intended: 3, Sent: 4}, got)
	})
}

func TestBackoffIsFullJitter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		attempt int
		u       float64
		want    time.Duration
	}{
		{0, 0.5, 50 * time.Millisecond},
		{3, 0.999, 799200 * time.Microsecond},
		{10, 0.5, 5 * time.Second},
		{100, 0.25, 2500 * time.Millisecond},
		{2, 0, 0},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, backoff(100*time.Millisecond, 10*time.Second, tc.attempt, tc.u), "attempt %d", tc.attempt)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, op string
		err      error
		key      string
	}{
		{"handshake", "join", &client.HTTPError{Op: "join", Status: 429, Code: protocol.CodeTooManyConnections}, "handshake 429 too_many_connections"},
		{"push status", "push", &client.HTTPError{Op: "push", Status: 404, Code: protocol.CodeSessionNotFound}, "pushStatus 404 session_not_found"},
		{"close", "session", &client.CloseError{Code: 4008}, "close 4008"},
		{"timeout", "push", context.DeadlineExceeded, "timeout push"},
		{"dial", "join", errors.New("connection refused"), "dial"},
		{"transport", "push", errors.New("EOF"), "transport push"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, key := classify(tc.op, tc.err)
			assert.Equal(t, tc.key, key)
		})
	}
}

func TestErrorExamplesAreRedacted(t *testing.T) {
	t.Parallel()
	l := newErrorLog(protocol.Credentials{AccessToken: "tok-secret-1", SecretKey: "key-secret-2"})
	for range 5 {
		l.add("push", fmt.Errorf("boom tok-secret-1 key-secret-2 session AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	}
	got := l.list()
	require.Len(t, got, 1)
	assert.Equal(t, uint64(5), got[0].Count)
	assert.Len(t, got[0].Examples, loadresult.MaxExamples)
	for _, ex := range got[0].Examples {
		assert.NotContains(t, ex, "secret")
		assert.NotContains(t, ex, "AAAAAAAAAAAAAAAAAAAAAA")
	}
}

// TestLedgerSendSide marks pushes as a worker does and tallies the
// send side, of a whole run and of one cut short.
func TestLedgerSendSide(t *testing.T) {
	t.Parallel()
	secs := func(d time.Duration) float64 { return d.Seconds() }
	tests := []struct {
		name     string
		cutoff   time.Duration
		cutShort bool
		want     loadresult.Pushes
	}{
		{name: "whole run", cutoff: 3 * time.Second, want: loadresult.Pushes{
			TargetRate: 10, AchievedRate: 3, AcceptedRate: 1,
		}},
		{name: "cut short at 0.4 s: rates over the part that ran", cutoff: ms(400), cutShort: true, want: loadresult.Pushes{
			TargetRate: 4 / secs(ms(400)), AchievedRate: 3 / secs(ms(400)), AcceptedRate: 1 / secs(ms(400)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBooks()
			b.led.lateSend = ms(10)
			c := &conn{}
			at := func(n int) time.Time { return b.t0.Add(ms(100 * n)) }
			b.led.sending(0, at(0), at(0).Add(ms(1)))
			b.led.answered(0, c, nil)
			b.led.sending(1, at(1), at(1).Add(ms(25))) // late
			b.led.answered(1, c, &client.HTTPError{Op: "push", Status: 503})
			b.led.sending(2, at(2), at(2))
			b.led.answered(2, c, errors.New("EOF"))
			b.led.unsent(3)
			b.live.dispatched.Store(4)

			p, d := b.led.tally(tt.cutoff, tt.cutShort)
			b.led.sendFigures(&p, 0, time.Second, tt.cutoff, tt.cutShort)
			want := tt.want
			want.Scheduled, want.Sent, want.Unsent, want.NotDue = 10, 3, 1, 6
			want.Accepted, want.Rejected, want.Failed = 1, 1, 1
			want.LateSends, want.MaxSendLagUs, want.MeasuredPushes = 1, 25000, 3
			assert.Equal(t, want, p)
			assert.Equal(t, int64(1), c.accepted.Load(), "accepted for its session")
			assert.Equal(t, uint64(1), d.Accepted)
			if tt.cutShort {
				assert.Equal(t, uint64(1), d.InFlight, "due within PushTimeout of the cut")
			} else {
				assert.Equal(t, uint64(1), d.Lost)
			}
		})
	}
}
