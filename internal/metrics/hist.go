package metrics

import (
	"sort"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
)

// LatencyBuckets are the upper bounds, in seconds, of the latency
// histograms' buckets.
var LatencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// constHistogram turns h, an HdrHistogram in microseconds, into a
// Prometheus histogram over bounds (seconds): each HDR cell counts in
// the first bucket whose bound holds the cell's highest equivalent
// value, the value HDR's percentiles report (within 0.1 %). The count
// is h's total, the sum its mean times its count.
func constHistogram(desc *prometheus.Desc, h *hdrhistogram.Histogram, bounds []float64, labels ...string) (prometheus.Metric, error) {
	count, sum, buckets := cumulative(h, bounds)
	return prometheus.NewConstHistogram(desc, count, sum, buckets, labels...)
}

// cumulative returns h's count, its sum in seconds and its cumulative
// counts at each bound.
func cumulative(h *hdrhistogram.Histogram, bounds []float64) (count uint64, sum float64, buckets map[float64]uint64) {
	in := make([]uint64, len(bounds))
	if h.TotalCount() > 0 {
		for _, bar := range h.Distribution() {
			if bar.Count == 0 {
				continue
			}
			if i := sort.SearchFloat64s(bounds, float64(bar.To)/1e6); i < len(bounds) {
				in[i] += uint64(bar.Count)
			}
		}
	}
	buckets = make(map[float64]uint64, len(bounds))
	var cum uint64
	for i, b := range bounds {
		cum += in[i]
		buckets[b] = cum
	}
	count = uint64(h.TotalCount())
	return count, h.Mean() * float64(count) / 1e6, buckets
}
