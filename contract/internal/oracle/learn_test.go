package oracle

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver"
)

// edgeEvents have every shape the generator has rules for: nulls,
// booleans, numeric-looking strings, arrays of objects and of scalars,
// three levels of nesting, values the rule form must escape, letters
// beyond ASCII, and fields that are sometimes absent.
func edgeEvents(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, s := range []string{
		`{"kind":"sales-trigger","type":"310","org":"IBM","at":1793610000326,"flag":true,"note":null,"loc":{"region":"Europe","geo":{"city":"München"}},"tags":["a","b"],"url":"https://x.example/?a=1;b=2|c%20"}`,
		`{"kind":"sales-trigger","type":"job-join","org":"Siemens AG","at":1793610000618,"flag":false,"note":"kept","loc":{"region":"North America","geo":{"city":"Armonk"}},"tags":["b"]}`,
		`{"kind":"news-item","eid":"5541079","entities":[{"type":"organisation","value":"Deutsche Bank","relevance":0.93},{"type":"person","value":"Jana Becker","relevance":0.47}],"annotations":[{"kind":"industry","label":"Banking"},{"kind":"region","label":"Europe"}],"note":null}`,
		`{"kind":"news-item","eid":"5541080","entities":[{"type":"organisation","value":"IBM","relevance":0.91},{"type":"location","value":"Armonk","relevance":0.42}],"annotations":[{"kind":"industry","label":"Technology"},{"kind":"region","label":"North America"}],"tags":[]}`,
		`{"kind":"sales-trigger","type":"310","org":"IBM","at":1793610000700,"flag":true,"loc":{"region":"Europe","geo":{"city":"Zürich"}}}`,
	} {
		out = append(out, mustDecode(t, s))
	}
	return out
}

// recordingEvents returns the mock's default recording, decoded.
func recordingEvents(t testing.TB, n int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range mockserver.DefaultRecording() {
		if len(out) == n {
			break
		}
		ev, err := Decode(line.Event)
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}

func TestLearnFields(t *testing.T) {
	m := Learn(edgeEvents(t))
	require.Equal(t, 5, m.Events)
	for _, tc := range []struct {
		path                                  string
		present, strs, nums, bools, nulls     int
		isArray, inArray, object, sometimesNo bool
	}{
		{path: "kind", present: 5, strs: 5},
		{path: "type", present: 3, strs: 3, sometimesNo: true},
		{path: "at", present: 3, nums: 3, sometimesNo: true},
		{path: "flag", present: 3, bools: 3, sometimesNo: true},
		{path: "note", present: 3, strs: 1, nulls: 2, sometimesNo: true},
		{path: "loc", present: 3, object: true, sometimesNo: true},
		{path: "loc.geo.city", present: 3, strs: 3, sometimesNo: true},
		{path: "tags", present: 2, strs: 3, isArray: true, sometimesNo: true},
		{path: "entities", present: 2, isArray: true, object: true, sometimesNo: true},
		{path: "entities.type", present: 2, strs: 4, inArray: true, sometimesNo: true},
		{path: "entities.relevance", present: 2, nums: 4, inArray: true, sometimesNo: true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f := m.Field(tc.path)
			require.NotNil(t, f)
			assert.Equal(t, tc.present, f.Present, "present")
			assert.Equal(t, tc.strs, f.Strings, "strings")
			assert.Equal(t, tc.nums, f.Numbers, "numbers")
			assert.Equal(t, tc.bools, f.Bools, "booleans")
			assert.Equal(t, tc.nulls, f.Nulls, "nulls")
			assert.Equal(t, tc.isArray, f.IsArray, "is an array")
			assert.Equal(t, tc.inArray, f.InArray, "in an array")
			assert.Equal(t, tc.object, f.Objects > 0, "object")
			assert.Equal(t, tc.sometimesNo, m.Absent(f) > 0, "sometimes absent")
		})
	}
}

func TestLearnValues(t *testing.T) {
	m := Learn(edgeEvents(t))
	vs := m.Field("org").Values(nil)
	require.Len(t, vs, 2)
	assert.Equal(t, "IBM", vs[0].V, "most frequent first")
	assert.Equal(t, 2, vs[0].Events)
	assert.Equal(t, json.Number("0.42"), m.Field("entities.relevance").Values(nil)[0].V, "ties by canonical text")
	note := m.Field("note").Values(nil)
	assert.Nil(t, note[0].V, "null is a value")
	assert.Equal(t, 2, note[0].Count)
}

func TestLearnSkipsWhatPatternsCannotName(t *testing.T) {
	m := Learn([]map[string]any{mustDecode(t, `{"a.b":1,"":2,"n":[[1,2]],"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":1}}}}}}}}}`)})
	assert.Nil(t, m.Field("a.b"), "a dotted member name cannot be addressed")
	assert.Nil(t, m.Field(""))
	assert.True(t, m.Field("n").Nested)
	assert.NotNil(t, m.Field("d.e.f.g.h.i.j.k"), "depth 8")
	assert.Nil(t, m.Field("d.e.f.g.h.i.j.k.l"), "depth 9")
}

func TestLearnFieldsOrder(t *testing.T) {
	m := Learn(recordingEvents(t, 100))
	fs := m.Fields()
	require.NotEmpty(t, fs)
	for i := 1; i < len(fs); i++ {
		assert.GreaterOrEqual(t, fs[i-1].Present, fs[i].Present)
	}
}
