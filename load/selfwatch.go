package load

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
)

// Thresholds above which the driver warns that it, not the target, may
// be the bottleneck.
const (
	busyCPUPercent = 85                    // of GOMAXPROCS
	busySchedP99   = 10 * time.Millisecond // goroutines waiting to run
	busyLateShare  = 0.01                  // of pushes sent late
)

// runtime/metrics names the self-watch reads.
const (
	mCPUTotal = "/cpu/classes/total:cpu-seconds"
	mCPUIdle  = "/cpu/classes/idle:cpu-seconds"
	mGCCPU    = "/cpu/classes/gc/total:cpu-seconds"
	mSched    = "/sched/latencies:seconds"
	mGCPauses = "/sched/pauses/total/gc:seconds"
	mHeap     = "/memory/classes/heap/objects:bytes"
)

// selfWatch samples the Go runtime's view of this process once per
// interval: CPU used of what GOMAXPROCS allows, scheduler latency, GC
// pauses, heap. It belongs to the ticker goroutine.
type selfWatch struct {
	samples           []metrics.Sample
	prevSched, prevGC []uint64
	prevBusy, prevGC2 float64
	busyIntervals     int
	intervals         int
	maxCPU            float64
	maxSched, maxGC   int64
	gcCPU             float64
}

func (w *selfWatch) start() {
	w.samples = []metrics.Sample{{Name: mCPUTotal}, {Name: mCPUIdle}, {Name: mGCCPU}, {Name: mSched}, {Name: mGCPauses}, {Name: mHeap}}
	// the first interval counts from here, not from the process's start
	w.prevBusy, w.prevGC2, _, _, _, _ = w.read()
}

// read samples the metrics and returns busy CPU seconds, GC CPU seconds
// and the two histograms' bucket counts since the previous read.
func (w *selfWatch) read() (busy, gc float64, sched, pauses []uint64, schedB, pauseB []float64) {
	metrics.Read(w.samples)
	if cpu, ok := processCPU(); ok {
		busy = cpu.Seconds()
	} else if w.samples[0].Value.Kind() == metrics.KindFloat64 {
		busy = w.samples[0].Value.Float64() - w.samples[1].Value.Float64()
	}
	if w.samples[2].Value.Kind() == metrics.KindFloat64 {
		gc = w.samples[2].Value.Float64()
	}
	sched, schedB, w.prevSched = histDelta(w.samples[3], w.prevSched)
	pauses, pauseB, w.prevGC = histDelta(w.samples[4], w.prevGC)
	return
}

// histDelta returns the counts of a runtime histogram since prev, its
// bucket boundaries, and the counts to keep as the next prev.
func histDelta(s metrics.Sample, prev []uint64) (delta []uint64, buckets []float64, next []uint64) {
	if s.Value.Kind() != metrics.KindFloat64Histogram {
		return nil, nil, prev
	}
	h := s.Value.Float64Histogram()
	next = append([]uint64(nil), h.Counts...)
	delta = make([]uint64, len(next))
	for i := range next {
		delta[i] = next[i]
		if i < len(prev) {
			delta[i] -= prev[i]
		}
	}
	return delta, h.Buckets, next
}

// quantileUs returns the q quantile (0-1) of a runtime histogram, by the
// upper bound of its bucket, in microseconds.
func quantileUs(counts []uint64, buckets []float64, q float64) int64 {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, c := range counts {
		if seen += c; seen >= rank && c > 0 {
			hi := buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = buckets[i]
			}
			return int64(hi * 1e6)
		}
	}
	return 0
}

// sample fills the interval's driver figures.
func (w *selfWatch) sample(iv *Interval, wall time.Duration) {
	if w.samples == nil || wall <= 0 {
		return
	}
	prevBusy, prevGC := w.prevBusy, w.prevGC2
	busy, gc, sched, pauses, schedB, pauseB := w.read()
	w.prevBusy, w.prevGC2 = busy, gc
	iv.DriverCPU = 100 * (busy - prevBusy) / (wall.Seconds() * float64(runtime.GOMAXPROCS(0)))
	iv.SchedP99Us = quantileUs(sched, schedB, 0.99)
	iv.GCPauseMaxUs = quantileUs(pauses, pauseB, 1)
	iv.HeapMB = float64(w.samples[5].Value.Uint64()) / (1 << 20)
	w.gcCPU += gc - prevGC
	if wall < minInterval { // too short to judge the driver's load by
		return
	}
	w.intervals++
	if iv.DriverCPU > busyCPUPercent || time.Duration(iv.SchedP99Us)*time.Microsecond > busySchedP99 {
		w.busyIntervals++
	}
	w.maxCPU = max(w.maxCPU, iv.DriverCPU)
	w.maxSched = max(w.maxSched, iv.SchedP99Us)
	w.maxGC = max(w.maxGC, iv.GCPauseMaxUs)
}

// health sums the watch up and adds warnings when the driver, not the
// target, may have set the pace.
func (w *selfWatch) health(p loadresult.Pushes) loadresult.DriverHealth {
	h := loadresult.DriverHealth{MaxCPUPercent: w.maxCPU, MaxSchedLatencyP99Us: w.maxSched, MaxGCPauseUs: w.maxGC, GCCPUSeconds: w.gcCPU, BusySeconds: w.busyIntervals, Warnings: []string{}}
	if w.busyIntervals > 0 && w.busyIntervals*5 >= w.intervals {
		h.Warnings = append(h.Warnings, fmt.Sprintf("the driver process was busy (CPU over %d%% of GOMAXPROCS or scheduler p99 over %v) for %d of %d seconds: latencies may be the driver's, not the target's; use --shard K/N over more processes or machines",
			busyCPUPercent, busySchedP99, w.busyIntervals, w.intervals))
	}
	if p.Sent > 0 && float64(p.LateSends) > busyLateShare*float64(p.Sent) {
		h.Warnings = append(h.Warnings, fmt.Sprintf("%d of %d pushes started late (the most by %v): the driver fell behind its schedule; end-to-end latency still counts from the intended times, but add workers (or processes) to measure the target rather than the driver",
			p.LateSends, p.Sent, time.Duration(p.MaxSendLagUs)*time.Microsecond))
	}
	return h
}
