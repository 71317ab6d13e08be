package load

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/wstrigger/wstrigger/loadresult"
)

// metric names one latency histogram.
type metric int

const (
	mConnect      metric = iota // TCP + upgrade + session frame
	mFirstFrame                 // join done to first trigger or push frame
	mPushResponse               // push request to its answer
	mEndToEnd                   // intended send time to frame receipt
	mService                    // actual send time to frame receipt
	nMetrics
)

// histShard is one lock's worth of histograms. Recorders pick a shard by
// their own index (worker or subscription), so that goroutines rarely
// meet on a lock and no lock is global.
//
// The histograms are sparse (loadresult.NewPackedHistogram): a run's
// latencies fill a few hundred buckets, a few kilobytes, where a dense
// histogram of the same geometry is a 180 KB counts array from the
// start. With 2 shards of 10 histograms, plus the ticker's 5, dense ones
// were some 4.5 MB of live heap, which the garbage collector's headroom
// doubled in the process's memory (issue 13: the driver's memory per
// active subscription).
type histShard struct {
	mu       sync.Mutex
	h        [nMetrics]*hdrhistogram.PackedHistogram // the run's, warmup left out
	interval [nMetrics]*hdrhistogram.PackedHistogram // the current second's
	_        [64]byte                                // keep shards' locks off one cache line
}

// recorder holds every latency histogram of a run, sharded.
type recorder struct {
	shards []histShard
}

func newRecorder(shards int) *recorder {
	r := &recorder{shards: make([]histShard, max(shards, 1))}
	for i := range r.shards {
		for m := range r.shards[i].h {
			r.shards[i].h[m] = loadresult.NewPackedHistogram()
			r.shards[i].interval[m] = loadresult.NewPackedHistogram()
		}
	}
	return r
}

// micros turns d into a value the histograms hold: at least 1 µs, at
// most loadresult.HistogramMax.
func micros(d time.Duration) int64 {
	return min(max(d.Microseconds(), loadresult.HistogramMin), loadresult.HistogramMax)
}

// record adds d to metric m. measured says whether it falls after the
// warmup; the interval histogram takes it either way (intervals carry
// their phase).
func (r *recorder) record(key int, m metric, d time.Duration, measured bool) {
	s := &r.shards[key%len(r.shards)]
	v := micros(d)
	s.mu.Lock()
	if measured {
		_ = s.h[m].RecordValue(v)
	}
	_ = s.interval[m].RecordValue(v)
	s.mu.Unlock()
}

// merged returns the merge of every shard's histogram of m, dense.
func (r *recorder) merged(m metric) *hdrhistogram.Histogram {
	out := loadresult.NewHistogram()
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.h[m].MergeInto(out)
		s.mu.Unlock()
	}
	return out
}

// takeInterval merges each metric's interval histograms into into
// (after resetting it) and resets them. A sparse histogram's Reset
// keeps its storage, so a run's seconds reuse it.
func (r *recorder) takeInterval(into *[nMetrics]*hdrhistogram.PackedHistogram) {
	for _, h := range into {
		h.Reset()
	}
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for m, h := range s.interval {
			if h.TotalCount() > 0 {
				into[m].Merge(h)
				h.Reset()
			}
		}
		s.mu.Unlock()
	}
}

// pending reports whether any latency was recorded since the last
// takeInterval.
func (r *recorder) pending() bool {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		n := int64(0)
		for _, h := range s.interval {
			n += h.TotalCount()
		}
		s.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}
