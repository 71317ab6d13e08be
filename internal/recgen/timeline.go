package recgen

import (
	"math"
	"math/rand/v2"
	"time"
)

// Shape of the arrival process.
const (
	burstChance = 0.045 // a cluster is a burst of several events
	burstMin    = 3     // events in a burst, at least
	burstMax    = 6     // events in a burst, at most
	burstGapMs  = 4     // the widest gap inside a burst, in ms
	lullChance  = 0.03  // a gap between clusters is a lull
	lullFactor  = 5     // how much longer a lull is than a usual gap
)

// slot is when one event arrives, and whether it is part of a burst (and
// the first of its burst).
type slot struct {
	offsetMs     int64
	burst, first bool
}

// timeline returns n arrival slots spread over d: clusters of events with
// exponential gaps between them (now and then a longer lull), most clusters
// one event, some a burst of a few events within a few milliseconds. The
// first event comes within 400 ms of the start, the last within 1.5 s of
// d, and offsets never decrease.
func timeline(r *rand.Rand, n int, d time.Duration) []slot {
	slots := make([]slot, 0, n)
	var gaps []float64 // gap before each cluster, unscaled; gaps[0] is 0
	var intra []int64  // ms after the previous event, inside bursts
	for len(slots) < n {
		size := 1
		if n-len(slots) >= burstMin && r.Float64() < burstChance {
			size = burstMin + r.IntN(min(burstMax, n-len(slots))-burstMin+1)
		}
		gap := r.ExpFloat64()
		if r.Float64() < lullChance {
			gap *= lullFactor
		}
		if len(slots) == 0 {
			gap = 0
		}
		for i := range size {
			s := slot{burst: size > 1, first: i == 0}
			g, in := 0.0, int64(0)
			if i == 0 {
				g = gap
			} else {
				in = int64(r.IntN(burstGapMs + 1))
			}
			gaps, intra = append(gaps, g), append(intra, in)
			slots = append(slots, s)
		}
	}

	total := d.Milliseconds()
	first := int64(r.IntN(int(min(400, total/500)) + 1))
	last := total - int64(r.IntN(int(min(1500, total/200))+1))
	var sumGaps float64
	var sumIntra int64
	for i := range slots {
		sumGaps += gaps[i]
		sumIntra += intra[i]
	}
	// Bursts may take at most half of the span (only short spans need it).
	span := float64(max(last-first, 0))
	intraScale := 1.0
	if float64(sumIntra) > span/2 {
		intraScale = span / 2 / float64(sumIntra)
	}
	gapScale := 0.0
	if sumGaps > 0 {
		gapScale = (span - float64(sumIntra)*intraScale) / sumGaps
	}
	var cumGaps, cumIntra float64
	for i := range slots {
		cumGaps += gaps[i]
		cumIntra += float64(intra[i])
		at := math.Round(float64(first) + cumGaps*gapScale + cumIntra*intraScale)
		slots[i].offsetMs = min(int64(at), total)
	}
	return slots
}
