package load

import (
	"math"
	"sort"
	"time"
)

// Schedule is an open-model push schedule: stages of constant rate, one
// after the other. It is a pure function of the hit number: the n-th
// push (from 0) is due at Due(n) after the start, whatever happened to
// the pushes before it. A driver that falls behind sends the overdue
// pushes at once and still measures their latency from their due time,
// so a stalled target cannot hide behind a slowed-down driver
// (coordinated omission).
type Schedule struct {
	Stages []Stage
}

// stageHits is the number of pushes due in a stage: one at its start and
// then one every 1/Rate, strictly before its end.
func stageHits(st Stage) uint64 {
	if st.Rate <= 0 || st.Duration <= 0 {
		return 0
	}
	return uint64(math.Ceil(st.Duration.Seconds()*st.Rate - 1e-9))
}

// Total is the number of pushes the schedule holds.
func (s Schedule) Total() uint64 {
	var n uint64
	for _, st := range s.Stages {
		n += stageHits(st)
	}
	return n
}

// Duration is the length of the schedule.
func (s Schedule) Duration() time.Duration {
	var d time.Duration
	for _, st := range s.Stages {
		d += st.Duration
	}
	return d
}

// Due returns when push n (from 0) is due, as an offset from the start,
// and false when the schedule holds fewer than n+1 pushes.
func (s Schedule) Due(n uint64) (time.Duration, bool) {
	var start time.Duration
	for _, st := range s.Stages {
		h := stageHits(st)
		if n < h {
			return start + time.Duration(float64(n)*float64(time.Second)/st.Rate), true
		}
		n -= h
		start += st.Duration
	}
	return 0, false
}

// Rate is the target rate at elapsed time (0 after the end).
func (s Schedule) Rate(elapsed time.Duration) float64 {
	var start time.Duration
	for _, st := range s.Stages {
		if elapsed < start+st.Duration {
			return st.Rate
		}
		start += st.Duration
	}
	return 0
}

// DueBefore is the number of pushes due before elapsed time since the
// start: the n with Due(n) < elapsed. The pushes due in [a, b) are
// DueBefore(b) - DueBefore(a).
func (s Schedule) DueBefore(elapsed time.Duration) uint64 {
	total := s.Total()
	return uint64(sort.Search(int(total), func(n int) bool {
		due, _ := s.Due(uint64(n))
		return due >= elapsed
	}))
}

// Pace says how long to wait before sending push number hits (the pushes
// sent so far) at elapsed time since the start: zero when it is due or
// overdue; stop when the schedule is done.
func (s Schedule) Pace(elapsed time.Duration, hits uint64) (wait time.Duration, stop bool) {
	due, ok := s.Due(hits)
	if !ok {
		return 0, true
	}
	return max(due-elapsed, 0), false
}
