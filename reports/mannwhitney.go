package reports

import (
	"math"
	"sort"
)

// Alpha is the significance level of the comparisons: a difference
// whose p-value is below it is reported as significant.
const Alpha = 0.05

// MannWhitney is the outcome of a two-sided Mann-Whitney U test.
type MannWhitney struct {
	U      float64 // the U statistic of the first sample
	Z      float64 // its normal approximation, continuity corrected
	P      float64 // two-sided p-value; 1 when it cannot be computed
	N1, N2 int
}

// Significant reports whether the samples differ at level Alpha. Samples
// too few for a verdict (TooFew) never do, even when ties push the
// approximate p-value below Alpha.
func (m MannWhitney) Significant() bool { return m.P < Alpha && !m.TooFew() }

// MannWhitneyU tests whether x and y come from one distribution, with
// the normal approximation of U, a continuity correction and the
// correction for ties. With an empty sample, or when every value is
// tied, the p-value is 1. The approximation is rough below about eight
// samples each, as a run's per-second samples may be; it is the test
// benchstat uses.
func MannWhitneyU(x, y []float64) MannWhitney {
	m := MannWhitney{P: 1, N1: len(x), N2: len(y)}
	if m.N1 == 0 || m.N2 == 0 {
		return m
	}
	type obs struct {
		v     float64
		first bool
	}
	all := make([]obs, 0, m.N1+m.N2)
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	n := float64(len(all))
	var r1, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // mean of ranks i+1 .. j
		for k := i; k < j; k++ {
			if all[k].first {
				r1 += rank
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	n1, n2 := float64(m.N1), float64(m.N2)
	m.U = r1 - n1*(n1+1)/2
	mu := n1 * n2 / 2
	sigma := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	if sigma == 0 || math.IsNaN(sigma) {
		return m
	}
	d := math.Abs(m.U-mu) - 0.5
	if d < 0 {
		d = 0
	}
	m.Z = math.Copysign(d/sigma, m.U-mu)
	m.P = math.Erfc(math.Abs(m.Z) / math.Sqrt2)
	return m
}

// TooFew reports whether the samples are too few for any outcome to be
// significant: even completely separated samples of these sizes, without
// ties, would give a p-value of at least Alpha (fewer than four each,
// roughly).
func (m MannWhitney) TooFew() bool {
	if m.N1 == 0 || m.N2 == 0 {
		return true
	}
	n1, n2 := float64(m.N1), float64(m.N2)
	sigma := math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
	return math.Erfc((n1*n2/2-0.5)/sigma/math.Sqrt2) >= Alpha
}
