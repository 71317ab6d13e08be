package recgen

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeline(t *testing.T) {
	cases := []struct {
		name string
		n    int
		d    time.Duration
	}{
		{"one event", 1, time.Minute},
		{"two events", 2, time.Minute},
		{"default", DefaultEvents, DefaultDuration},
		{"dense: more events than ms", 600, 100 * time.Millisecond},
		{"under a millisecond", 50, time.Microsecond},
		{"sparse", 20, 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			slots := timeline(r, c.n, c.d)
			require.Len(t, slots, c.n)
			total := c.d.Milliseconds()
			for i, s := range slots {
				assert.GreaterOrEqual(t, s.offsetMs, int64(0))
				assert.LessOrEqual(t, s.offsetMs, total)
				if i > 0 {
					assert.GreaterOrEqual(t, s.offsetMs, slots[i-1].offsetMs, "slot %d", i)
				}
				if s.burst && !s.first {
					require.Positive(t, i)
					assert.True(t, slots[i-1].burst, "slot %d continues a burst", i)
				}
			}
			assert.LessOrEqual(t, slots[0].offsetMs, max(400, total/500))
			if c.n > 1 {
				assert.GreaterOrEqual(t, slots[c.n-1].offsetMs, total-min(1500, total/200)-1)
			}
		})
	}
}

func TestBurstsAreTight(t *testing.T) {
	slots := timeline(rand.New(rand.NewPCG(3, 4)), 2000, time.Hour)
	n := 0
	for i, s := range slots {
		if s.burst && !s.first {
			assert.LessOrEqual(t, s.offsetMs-slots[i-1].offsetMs, int64(burstGapMs+1), "slot %d", i)
		}
		if s.first {
			n++
		}
	}
	assert.Greater(t, n, 20, "bursts")
}

func TestDeck(t *testing.T) {
	for _, n := range []int{1, 10, 600, 1001} {
		kinds := deck(rand.New(rand.NewPCG(5, 6)), n)
		require.Len(t, kinds, n)
		counts := map[string]int{}
		for _, k := range kinds {
			counts[k]++
		}
		assert.Equal(t, int(float64(n)*newsShare+0.5), counts[kindNews], "news items of %d", n)
		sales := n - counts[kindNews]
		for typ, w := range typeWeights {
			assert.InDelta(t, float64(sales*w)/1000, counts[typ], 1, "%s of %d", typ, n)
		}
	}
}
