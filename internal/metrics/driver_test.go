package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// run is a load run whose metrics were scraped during it and after.
type run struct {
	res    *load.Result
	during []families // scrapes while it ran, in order
	after  families
}

// runScraped runs a load against a fresh mock with opts, both exposed
// on one metrics server, scraping it until the run ends and once after.
func runScraped(t *testing.T, opts load.Options, faults mockserver.Faults) run {
	t.Helper()
	mock := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}, Faults: faults})
	d, err := load.New(mock.URL, mocktest.Demo, &opts)
	require.NoError(t, err)
	ms := listen(t)
	require.NoError(t, metrics.RegisterDriver(ms.Registry, d))
	require.NoError(t, metrics.RegisterMock(ms.Registry, mock.Server))

	type outcome struct {
		res *load.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := d.Run(context.Background())
		done <- outcome{res, err}
	}()
	var r run
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		f := scrape(t, ms.URL)
		select {
		case o := <-done:
			require.NoError(t, o.err)
			r.res, r.after = o.res, scrape(t, ms.URL)
			return r
		default:
		}
		r.during = append(r.during, f)
		select {
		case <-tick.C:
		case o := <-done:
			require.NoError(t, o.err)
			r.res, r.after = o.res, scrape(t, ms.URL)
			return r
		}
	}
}

// counters are the values of every counter and histogram count of a
// scrape, by name and labels.
func counters(f families) map[string]float64 {
	out := map[string]float64{}
	for name, fam := range f {
		for _, m := range fam.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func TestDriverMetricsEqualTheResult(t *testing.T) {
	t.Parallel()
	base := load.Options{Subscriptions: 6, ConnectRate: 1000, PushRate: 150, Duration: 1500 * time.Millisecond, Workers: 4}
	warm := base
	warm.Warmup = 500 * time.Millisecond
	shard := base
	shard.Subscriptions, shard.Shard = 12, loadresult.Shard{K: 1, N: 2}
	cases := []struct {
		name   string
		opts   load.Options
		faults mockserver.Faults
	}{
		{"plain", base, mockserver.Faults{}},
		{"warmup left out of the histogram only", warm, mockserver.Faults{}},
		{"shard 1/2", shard, mockserver.Faults{}},
		{"sessions closed: reconnects and lost pushes", base, mockserver.Faults{CloseAfterFrames: 25}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runScraped(t, tc.opts, tc.faults)
			res := r.res
			sh := res.Config.Shard
			require.NotEmpty(t, r.during, "the run ended before a scrape")
			sentDuring := false
			for i, f := range r.during {
				sentDuring = sentDuring || f.value(t, "wstrigger_driver_pushes_sent_total", "shard", sh) > 0
				next := r.after
				if i+1 < len(r.during) {
					next = r.during[i+1]
				}
				now, later := counters(f), counters(next)
				for k, v := range now {
					assert.LessOrEqual(t, v, later[k], "counter %s went down", k)
				}
			}
			assert.True(t, sentDuring, "no scrape saw a push sent during the run (%d scrapes)", len(r.during))

			f := r.after
			p, del, sub := res.Pushes, res.Delivery, res.Subscriptions
			for _, c := range []struct {
				name string
				want float64
			}{
				{"wstrigger_driver_schedule_pushes", float64(p.Scheduled)},
				{"wstrigger_driver_pushes_scheduled_total", float64(p.Scheduled - p.NotDue)},
				{"wstrigger_driver_pushes_sent_total", float64(p.Sent)},
				{"wstrigger_driver_pushes_accepted_total", float64(p.Accepted)},
				{"wstrigger_driver_pushes_rejected_total", float64(p.Rejected)},
				{"wstrigger_driver_pushes_failed_total", float64(p.Failed)},
				{"wstrigger_driver_pushes_unsent_total", float64(p.Unsent)},
				{"wstrigger_driver_pushes_received_total", float64(del.Received + del.ReceivedUnaccepted)},
				{"wstrigger_driver_pushes_late_total", float64(del.Late)},
				{"wstrigger_driver_pushes_lost_total", float64(del.Lost)},
				{"wstrigger_driver_late_sends_total", float64(p.LateSends)},
				{"wstrigger_driver_push_end_to_end_seconds", float64(res.Latency.PushEndToEnd.Count)},
				{"wstrigger_driver_subscriptions", float64(sub.Requested)},
				{"wstrigger_driver_subscriptions_open", float64(sub.OpenAtEnd)},
				{"wstrigger_driver_subscriptions_joined", float64(sub.Joined)},
				{"wstrigger_driver_reconnects_total", float64(sub.Reconnects)},
				{"wstrigger_driver_join_attempts_total", float64(sub.JoinAttempts)},
				{"wstrigger_driver_join_failures_total", float64(sub.JoinFailures)},
				{"wstrigger_driver_phase", 1},
			} {
				labels := []string{"shard", sh}
				if c.name == "wstrigger_driver_phase" {
					labels = append(labels, "phase", loadresult.PhaseDone)
				}
				assert.Equal(t, c.want, f.value(t, c.name, labels...), c.name)
			}
			h := f["wstrigger_driver_push_end_to_end_seconds"].GetMetric()[0].GetHistogram()
			assert.InDelta(t, res.Latency.PushEndToEnd.MeanUs*float64(res.Latency.PushEndToEnd.Count)/1e6, h.GetSampleSum(), 1e-6)
			last := h.GetBucket()[len(h.GetBucket())-1]
			assert.Equal(t, h.GetSampleCount(), last.GetCumulativeCount(), "every latency under the last bound (60 s)")

			assert.Positive(t, p.Accepted)
			if tc.opts.Warmup > 0 {
				assert.Less(t, res.Latency.PushEndToEnd.Count, int64(del.Received), "warmup pushes are counted, not timed")
			}
			if tc.faults.CloseAfterFrames > 0 {
				assert.Positive(t, sub.Reconnects)
			}
			for name, fam := range f {
				if strings.HasPrefix(name, "wstrigger_mock_") {
					continue
				}
				for _, m := range fam.GetMetric() {
					assert.True(t, hasLabels(m, []string{"shard", sh}), "%s has no shard label", name)
				}
			}
			assert.Positive(t, f.value(t, "process_cpu_seconds_total", "shard", sh), "the driver's CPU")
		})
	}
}

// TestLabelsAreBounded scrapes a run with reconnects and refused pushes
// and finds no session id, credential, pattern or URL in a label, and
// no label but the bounded ones.
func TestLabelsAreBounded(t *testing.T) {
	t.Parallel()
	opts := load.Options{Subscriptions: 4, ConnectRate: 1000, PushRate: 100, Duration: time.Second, Workers: 2,
		Patterns: []string{`{"org":"IBM"}`, "type=job-join"}}
	r := runScraped(t, opts, mockserver.Faults{CloseAfterFrames: 10, RejectPushes: mockserver.Rejection{Share: 0.2, Status: 404}})
	allowed := map[string]bool{metrics.LabelShard: true, metrics.LabelPhase: true, metrics.LabelType: true,
		metrics.LabelStatus: true, metrics.LabelCode: true, "le": true, "version": true}
	secrets := []string{mocktest.Demo.AccessToken, mocktest.Demo.SecretKey, "IBM", "job-join", "http", "127.0.0.1"}
	seen := 0
	for _, f := range append(r.during, r.after) {
		for name, fam := range f {
			for _, m := range fam.GetMetric() {
				for _, l := range m.GetLabel() {
					seen++
					v := l.GetValue()
					assert.True(t, allowed[l.GetName()], "%s has the label %s", name, l.GetName())
					assert.Equal(t, v, protocol.RedactSessionLike(v), "%s{%s} looks like a session id", name, l.GetName())
					for _, s := range secrets {
						assert.NotContains(t, v, s, "%s{%s}", name, l.GetName())
					}
				}
			}
		}
	}
	assert.Positive(t, seen)
	assert.Positive(t, r.after.value(t, "wstrigger_mock_pushes_total", "status", "404", "code", string(protocol.CodeSessionNotFound)))
}
