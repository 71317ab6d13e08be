package reports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wstrigger/wstrigger/reports"
)

func TestMannWhitneyU(t *testing.T) {
	tests := []struct {
		name    string
		x, y    []float64
		wantU   float64
		wantP   float64 // within 0.001
		wantSig bool
	}{
		// U = 0, mu = 12.5, sigma = sqrt(25*11/12) = 4.787; z = (12.5-0.5)/4.787 = 2.507
		{name: "separated", x: []float64{1, 2, 3, 4, 5}, y: []float64{6, 7, 8, 9, 10}, wantU: 0, wantP: 0.0122, wantSig: true},
		{name: "reversed", x: []float64{6, 7, 8, 9, 10}, y: []float64{1, 2, 3, 4, 5}, wantU: 25, wantP: 0.0122, wantSig: true},
		// interleaved: U = 10 + ... ranks of x 1,3,5,7,9 = 25, U = 10; z = (2.5-0.5)/4.787
		{name: "interleaved", x: []float64{1, 3, 5, 7, 9}, y: []float64{2, 4, 6, 8, 10}, wantU: 10, wantP: 0.6761},
		// ties: ranks 1.5,1.5 | 3.5,3.5; U = 0, mu = 2; sigma² = 4/12*(5 - (6+6)/12) = 4/3; z = 1.5/1.155
		{name: "ties", x: []float64{1, 1}, y: []float64{2, 2}, wantU: 0, wantP: 0.1939},
		{name: "all tied", x: []float64{3, 3, 3}, y: []float64{3, 3}, wantU: 3, wantP: 1},
		{name: "empty", x: nil, y: []float64{1, 2}, wantU: 0, wantP: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reports.MannWhitneyU(tt.x, tt.y)
			assert.InDelta(t, tt.wantU, got.U, 1e-9)
			assert.InDelta(t, tt.wantP, got.P, 0.001)
			assert.Equal(t, tt.wantSig, got.Significant())
		})
	}
}

func TestMannWhitneyTooFew(t *testing.T) {
	tests := []struct {
		n1, n2 int
		want   bool
	}{
		{0, 5, true}, {1, 1, true}, {2, 5, true}, {3, 3, true}, {3, 4, true},
		{2, 10, false}, {3, 5, false}, {4, 4, false}, {10, 10, false},
	}
	// Ties shrink the variance: {5,5,5} against {9,9,9} has an approximate
	// p of 0.047, yet three samples each can tell nothing.
	tied := reports.MannWhitneyU([]float64{5, 5, 5}, []float64{9, 9, 9})
	assert.Less(t, tied.P, reports.Alpha)
	assert.True(t, tied.TooFew())
	assert.False(t, tied.Significant(), "too few samples are never significant")
	for _, tt := range tests {
		x := make([]float64, tt.n1)
		y := make([]float64, tt.n2)
		for i := range y {
			y[i] = float64(i + tt.n1 + 1) // every y above every x
		}
		for i := range x {
			x[i] = float64(i)
		}
		m := reports.MannWhitneyU(x, y)
		assert.Equal(t, tt.want, m.TooFew(), "n=%d+%d", tt.n1, tt.n2)
		if tt.want {
			assert.False(t, m.Significant(), "n=%d+%d: too few yet significant", tt.n1, tt.n2)
		} else {
			assert.True(t, m.Significant(), "n=%d+%d: separated samples not significant", tt.n1, tt.n2)
		}
	}
}
