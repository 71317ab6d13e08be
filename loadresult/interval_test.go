package loadresult

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntervalJSON(t *testing.T) {
	h := NewHistogram()
	require.NoError(t, h.RecordValue(1500))
	withHist := Summarize(h, true)
	tests := []struct {
		name string
		in   string // JSON
		want Interval
	}{
		{name: "schema 2", in: `{"t":2,"phase":"pushing","sent":5,"latency":{"pushEndToEnd":{"count":1,"p50Us":1500,"maxUs":1500}}}`,
			want: Interval{T: 2, Phase: PhasePushing, Sent: 5, Latency: Latencies{PushEndToEnd: Summary{Count: 1, P50Us: 1500, MaxUs: 1500}}}},
		{name: "schema 1", in: `{"t":1,"phase":"pushing","endToEndCount":3,"endToEndP50Us":700,"endToEndP99Us":900,"endToEndMaxUs":950}`,
			want: Interval{T: 1, Phase: PhasePushing, Latency: Latencies{PushEndToEnd: Summary{Count: 3, P50Us: 700, P99Us: 900, MaxUs: 950}}}},
		{name: "no latencies", in: `{"t":1,"phase":"joining","openSubscriptions":4}`,
			want: Interval{T: 1, Phase: PhaseJoining, Open: 4}},
		{name: "round trip with histograms", in: func() string {
			b, err := json.Marshal(Interval{T: 3, Phase: PhaseJoining, Latency: Latencies{Connect: withHist, FirstFrame: withHist}})
			require.NoError(t, err)
			return string(b)
		}(), want: Interval{T: 3, Phase: PhaseJoining, Latency: Latencies{Connect: withHist, FirstFrame: withHist}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Interval
			require.NoError(t, json.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want, got)
			out, err := json.Marshal(got)
			require.NoError(t, err)
			assert.NotContains(t, string(out), "endToEndCount", "written in the current shape")
			var again Interval
			require.NoError(t, json.Unmarshal(out, &again))
			assert.Equal(t, got, again)
		})
	}
}

func TestIntervalJSONKeepsOnlyRecordedKinds(t *testing.T) {
	out, err := json.Marshal(Interval{Latency: Latencies{PushService: Summary{Count: 2, P50Us: 10}}})
	require.NoError(t, err)
	assert.Contains(t, string(out), `"latency":{"pushService":{`)
	assert.Equal(t, 1, strings.Count(string(out), `"count"`))
	var bad Interval
	assert.Error(t, json.Unmarshal([]byte(`{"t":"x"}`), &bad))
}

func TestLatencyNamesFollowTheJSONTags(t *testing.T) {
	typ := reflect.TypeFor[Latencies]()
	var l Latencies
	kinds := l.Kinds()
	require.Equal(t, typ.NumField(), len(kinds))
	require.Len(t, latencyNames, len(kinds), "a JSON name per kind")
	for i, name := range latencyNames {
		f, ok := typ.FieldByName(fieldOf(t, &l, kinds[i]))
		require.True(t, ok)
		assert.Equal(t, name, strings.Split(f.Tag.Get("json"), ",")[0])
	}
}

// fieldOf names the field of l that p points at.
func fieldOf(t *testing.T, l *Latencies, p *Summary) string {
	v := reflect.ValueOf(l).Elem()
	for i := range v.NumField() {
		if v.Field(i).Addr().Interface().(*Summary) == p {
			return v.Type().Field(i).Name
		}
	}
	t.Fatalf("no field of Latencies at %p", p)
	return ""
}
