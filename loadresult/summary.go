package loadresult

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry: microseconds from 1 µs to one hour, three
// significant digits (0.1 % resolution).
const (
	HistogramMin    = 1
	HistogramMax    = int64(time.Hour / time.Microsecond)
	HistogramDigits = 3
)

// NewHistogram returns an empty latency histogram of the geometry every
// Summary's histogram has.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(HistogramMin, HistogramMax, HistogramDigits)
}

// NewPackedHistogram returns an empty sparse histogram of the same
// geometry. Its memory grows with the buckets it holds (a few kilobytes
// for a run's latencies) where NewHistogram's counts array is about
// 180 KB from the start; recording costs a binary search over the
// populated buckets. It encodes to the same bytes as the dense one.
func NewPackedHistogram() *hdrhistogram.PackedHistogram {
	return hdrhistogram.NewPacked(HistogramMin, HistogramMax, HistogramDigits)
}

// Summary is one latency distribution: count, extremes, mean and
// percentiles in microseconds, and the whole HdrHistogram in its V2
// compressed, base64 encoding (hdrhistogram.Decode reads it back), so
// that runs and shards can be merged and compared later.
type Summary struct {
	Count  int64   `json:"count"`
	MinUs  int64   `json:"minUs"`
	MeanUs float64 `json:"meanUs"`
	P50Us  int64   `json:"p50Us"`
	P90Us  int64   `json:"p90Us"`
	P99Us  int64   `json:"p99Us"`
	P999Us int64   `json:"p999Us"`
	MaxUs  int64   `json:"maxUs"`
	HDR    string  `json:"hdr,omitempty"`
	// Censored are the samples, of Count, of pushes accepted but not
	// received by the run's cut-off: each is counted at its age then,
	// a lower bound of its latency, so that a stall over the end of a
	// run shows in the percentiles instead of leaving them out.
	Censored int64 `json:"censored,omitempty"`
}

// Summarize describes h; it encodes h too when encode is set. Censored
// is the caller's to set.
func Summarize(h *hdrhistogram.Histogram, encode bool) Summary {
	return summarize(h, encode, func() ([]byte, error) { return h.Encode(hdrhistogram.V2CompressedEncodingCookieBase) })
}

// SummarizePacked is Summarize for a sparse histogram: the same figures
// and the same encoding as Summarize of its dense equivalent.
func SummarizePacked(h *hdrhistogram.PackedHistogram, encode bool) Summary {
	return summarize(h, encode, func() ([]byte, error) { return encodePacked(h) })
}

// distribution is what a Summary reads of either kind of histogram.
type distribution interface {
	TotalCount() int64
	Min() int64
	Max() int64
	Mean() float64
	ValueAtPercentile(float64) int64
}

func summarize(h distribution, encode bool, enc func() ([]byte, error)) Summary {
	s := Summary{Count: h.TotalCount()}
	if s.Count == 0 {
		return s
	}
	s.MinUs, s.MaxUs, s.MeanUs = h.Min(), h.Max(), h.Mean()
	s.P50Us, s.P90Us = h.ValueAtPercentile(50), h.ValueAtPercentile(90)
	s.P99Us, s.P999Us = h.ValueAtPercentile(99), h.ValueAtPercentile(99.9)
	if encode {
		if b, err := enc(); err == nil {
			s.HDR = string(b)
		}
	}
	return s
}

// Histogram decodes the summary's HdrHistogram, to merge it with
// another run's.
func (s Summary) Histogram() (*hdrhistogram.Histogram, error) {
	if s.HDR == "" {
		return NewHistogram(), nil
	}
	return hdrhistogram.Decode([]byte(s.HDR))
}
