package loadresult

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSLO(t *testing.T) {
	cases := []struct {
		in      string
		metric  string
		op      string
		value   float64
		percent bool
		err     string
	}{
		{in: "push.p99<50ms", metric: "push.p99", op: "<", value: 50000},
		{in: " connect.p999 <= 1s ", metric: "connect.p999", op: "<=", value: 1e6},
		{in: "service.mean<2ms", metric: "service.mean", op: "<", value: 2000},
		{in: "errors<0.1%", metric: "errors", op: "<", value: 0.1, percent: true},
		{in: "errors<5", metric: "errors", op: "<", value: 5},
		{in: "delivered>=99.99%", metric: "delivered", op: ">=", value: 99.99, percent: true},
		{in: "lost<=0", metric: "lost", op: "<=", value: 0},
		{in: "rate>1000", metric: "rate", op: ">", value: 1000},
		{in: "sent>=99%", metric: "sent", op: ">=", value: 99, percent: true},
		{in: "sent>=99", err: "is a percentage"},
		{in: "push.p99<50", err: "not a duration"},
		{in: "push.p77x<5ms", err: "unknown statistic"},
		{in: "latency<5ms", err: "unknown metric"},
		{in: "latency<5ms", err: "the metrics are push, service, response, connect, first-frame"},
		{in: "p99<100ms", err: "p99 is a statistic: name its metric, as in push.p99"},
		{in: "first-frame.p99<1s", metric: "first-frame.p99", op: "<", value: 1e6},
		{in: "firstframe.p99<1s", metric: "first-frame.p99", op: "<", value: 1e6},
		{in: "out-of-order<=0", metric: "out-of-order", op: "<=", value: 0},
		{in: "outoforder<=0", metric: "out-of-order", op: "<=", value: 0},
		{in: "delivered>=99.99", err: "is a percentage"},
		{in: "rate>10%", err: "not a percentage"},
		{in: "errors.p99<1", err: "takes no"},
		{in: "push.p99 = 5ms", err: "want METRIC OP VALUE"},
		{in: "errors<abc%", err: "not a number"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSLO(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.metric, got.Metric)
			assert.Equal(t, tc.op, got.Op)
			assert.InDelta(t, tc.value, got.Value, 1e-9)
			assert.Equal(t, tc.percent, got.Percent)
		})
	}
}

func TestCheckSLOs(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 100; v++ {
		_ = h.RecordValue(v * 1000) // 1ms .. 100ms
	}
	r := &Result{
		Latency:       Latencies{PushEndToEnd: Summarize(h, true)},
		Delivery:      Delivery{Accepted: 1000, Received: 999, Lost: 1, DeliveredPercent: 99.9},
		Pushes:        Pushes{Scheduled: 2000, NotDue: 500, Sent: 1000, AchievedRate: 500},
		Subscriptions: SubscriptionFigures{JoinAttempts: 1000},
		Errors:        []ErrorClass{{Key: "close 1011", Count: 2}},
	}
	cases := []struct {
		slo    string
		passed bool
		actual string
	}{
		{"push.p99<100ms", true, "99.0"},
		{"push.p50<=51ms", true, "50.0"},
		{"push.p50<50ms", false, "50.0"},
		{"push.max<100ms", false, "100.0"},
		{"push.mean>50ms", true, "50.5"},
		{"delivered>=99.99%", false, "99.9000%"},
		{"delivered>=99.9%", true, "99.9000%"},
		{"errors<0.1%", false, "0.1000%"},
		{"errors<3", true, "2"},
		{"lost<=0", false, "1"},
		{"lost<0.2%", true, "0.1000%"},
		{"rate>=500", true, "500"},
		{"sent>=99%", false, "66.6667%"}, // of the 1500 due: the 500 never due are not counted
		{"sent>60%", true, "66.6667%"},
		{"service.p99<1s", false, "no data: no service latency"},
		{"connect.max<1s", false, "no data: no connect latency"},
	}
	for _, tc := range cases {
		t.Run(tc.slo, func(t *testing.T) {
			s, err := ParseSLO(tc.slo)
			require.NoError(t, err)
			v := s.Check(r)
			assert.Equal(t, tc.passed, v.Passed)
			assert.True(t, strings.HasPrefix(v.Actual, tc.actual), v.Actual)
		})
	}
}

// TestCheckSLOsOfAnInterruptedRun: objectives the figures so far meet
// do not pass a run that was cut short.
func TestCheckSLOsOfAnInterruptedRun(t *testing.T) {
	r := &Result{
		Delivery:      Delivery{Accepted: 10, Received: 10, DeliveredPercent: 100},
		Pushes:        Pushes{Sent: 10},
		Subscriptions: SubscriptionFigures{JoinAttempts: 2},
	}
	var slos []SLO
	for _, text := range []string{"delivered>=99%", "errors<1"} {
		s, err := ParseSLO(text)
		require.NoError(t, err)
		slos = append(slos, s)
	}
	require.True(t, r.CheckSLOs(slos), "the same figures pass when the run ended")
	r.Interrupted = true
	assert.False(t, r.CheckSLOs(slos))
	require.Len(t, r.SLOs, 2)
	for _, v := range r.SLOs {
		assert.False(t, v.Passed, v.SLO)
		assert.NotContains(t, v.Actual, "no data", "the actual figure is kept")
	}
	assert.False(t, r.CheckSLOs(nil), "not even with no SLO set")
}

func TestSLOsWithoutData(t *testing.T) {
	// a run where nothing joined: nothing accepted, no latency measured
	empty := &Result{Delivery: Delivery{DeliveredPercent: 100}, Subscriptions: SubscriptionFigures{JoinAttempts: 3},
		Errors: []ErrorClass{{Key: "dial", Count: 3}}}
	nothing := &Result{}
	cases := []struct {
		name   string
		r      *Result
		slo    string
		passed bool
		actual string
	}{
		{"push latency", empty, "push.p99<250ms", false, "no data: no push latency was measured"},
		{"delivered", empty, "delivered>=99.99%", false, "no data: no push was accepted"},
		{"lost share", empty, "lost<=0.01%", false, "no data: no push was accepted"},
		{"lost count", empty, "lost<=0", true, "0"},
		{"errors share", empty, "errors<0.1%", false, "100.0000%"},
		{"errors share of nothing", nothing, "errors<0.1%", false, "no data: nothing was attempted"},
		{"rate", empty, "rate>=0", true, "0"},
		{"sent", empty, "sent>=99%", false, "no data: no push was due"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSLO(tc.slo)
			require.NoError(t, err)
			v := s.Check(tc.r)
			assert.Equal(t, tc.passed, v.Passed, v.Actual)
			assert.Equal(t, tc.actual, v.Actual)
		})
	}
}
