package load

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestScheduleDueBefore(t *testing.T) {
	t.Parallel()
	constant := Schedule{Stages: []Stage{{Duration: time.Second, Rate: 10}}}
	stages := Schedule{Stages: []Stage{{Duration: time.Second, Rate: 2}, {Duration: 2 * time.Second, Rate: 0}, {Duration: time.Second, Rate: 4}}}
	tests := []struct {
		name    string
		s       Schedule
		elapsed time.Duration
		want    uint64
	}{
		{"before the start", constant, -time.Millisecond, 0},
		{"at the start: the first push is due then, not before", constant, 0, 0},
		{"just after the start", constant, time.Nanosecond, 1},
		{"at the second push", constant, 100 * time.Millisecond, 1},
		{"just after it", constant, 100*time.Millisecond + 1, 2},
		{"a whole second", constant, time.Second, 10},
		{"after the end", constant, time.Hour, 10},
		{"first stage", stages, time.Second, 2},
		{"in the pause", stages, 2 * time.Second, 2},
		{"as the last stage starts", stages, 3 * time.Second, 2},
		{"all", stages, 4 * time.Second, 6},
		{"empty schedule", Schedule{}, time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.DueBefore(tt.elapsed)
			assert.Equal(t, tt.want, got)
			// consistent with Due: push got-1 is due before then, push got is not
			if got > 0 {
				due, ok := tt.s.Due(got - 1)
				assert.True(t, ok)
				assert.Less(t, due, tt.elapsed)
			}
			if due, ok := tt.s.Due(got); ok {
				assert.GreaterOrEqual(t, due, tt.elapsed)
			}
		})
	}
}

func TestSchedulePace(t *testing.T) {
	t.Parallel()
	constant := Schedule{Stages: []Stage{{Duration: time.Second, Rate: 10}}}
	stages := Schedule{Stages: []Stage{{Duration: time.Second, Rate: 2}, {Duration: 0, Rate: 50}, {Duration: 2 * time.Second, Rate: 0}, {Duration: time.Second, Rate: 4}}}
	cases := []struct {
		name    string
		s       Schedule
		elapsed time.Duration
		hits    uint64
		wait    time.Duration
		stop    bool
	}{
		{"first push at once", constant, 0, 0, 0, false},
		{"second push waits one interval", constant, 0, 1, 100 * time.Millisecond, false},
		{"on time", constant, 100 * time.Millisecond, 1, 0, false},
		{"behind: overdue pushes go at once", constant, 550 * time.Millisecond, 2, 0, false},
		{"ahead: wait for the due time", constant, 150 * time.Millisecond, 2, 50 * time.Millisecond, false},
		{"last push", constant, 850 * time.Millisecond, 9, 50 * time.Millisecond, false},
		{"done after the last", constant, 900 * time.Millisecond, 10, 0, true},
		{"done even when late", constant, 5 * time.Second, 10, 0, true},
		{"stage one second push", stages, 0, 1, 500 * time.Millisecond, false},
		{"empty stages are skipped", stages, 600 * time.Millisecond, 2, 2400 * time.Millisecond, false},
		{"last stage", stages, 3 * time.Second, 3, 250 * time.Millisecond, false},
		{"stages done", stages, 3 * time.Second, 6, 0, true},
		{"empty schedule", Schedule{}, 0, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wait, stop := tc.s.Pace(tc.elapsed, tc.hits)
			assert.Equal(t, tc.stop, stop)
			assert.Equal(t, tc.wait, wait)
		})
	}
}

func TestScheduleTotalAndRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		s     Schedule
		total uint64
		at    time.Duration
		rate  float64
	}{
		{"whole rate", Schedule{Stages: []Stage{{Duration: 10 * time.Second, Rate: 2000}}}, 20000, 5 * time.Second, 2000},
		{"fraction rounds up", Schedule{Stages: []Stage{{Duration: time.Second, Rate: 2.5}}}, 3, 0, 2.5},
		{"two stages", Schedule{Stages: []Stage{{Duration: 30 * time.Second, Rate: 1000}, {Duration: 60 * time.Second, Rate: 5000}}}, 330000, 45 * time.Second, 5000},
		{"after the end", Schedule{Stages: []Stage{{Duration: time.Second, Rate: 10}}}, 10, 2 * time.Second, 0},
		{"zero rate", Schedule{Stages: []Stage{{Duration: time.Second, Rate: 0}}}, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.total, tc.s.Total())
			assert.Equal(t, tc.rate, tc.s.Rate(tc.at))
			if tc.total > 0 {
				last, ok := tc.s.Due(tc.total - 1)
				assert.True(t, ok)
				assert.Less(t, last, tc.s.Duration())
			}
			_, ok := tc.s.Due(tc.total)
			assert.False(t, ok)
		})
	}
}

func TestParseStages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []Stage
		err  bool
	}{
		{"30s:1000,60s:5000", []Stage{{Duration: 30 * time.Second, Rate: 1000}, {Duration: 60 * time.Second, Rate: 5000}}, false},
		{"1m:0.5", []Stage{{Duration: time.Minute, Rate: 0.5}}, false},
		{"30s", nil, true},
		{"x:1", nil, true},
		{"0s:1", nil, true},
		{"1s:-1", nil, true},
		{"1s:NaN", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseStages(tc.in)
			if tc.err {
				assert.Error(t, err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
