package pattern

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

var matchCases = []matchCase{
	// Scalars and types.
	{"documented pattern", `{"type":"310","org":"Deutsche Bank"}`, salesArticle, true},
	{"documented pattern other org", `{"type":"310","org":"IBM"}`, salesArticle, false},
	{"string does not match number", `{"type":310}`, salesArticle, false},
	{"number does not match string", `{"id":1001}`, salesJobJoin, false},
	{"number equality", `{"eid":12345}`, newsItem, true},
	{"number 10 equals 10.0", `{"n":10}`, `{"n":10.0}`, true},
	{"number 1e1 equals 10", `{"n":1e1}`, `{"n":10}`, true},
	{"number 10.5 is not 10", `{"n":10.5}`, `{"n":10}`, false},
	{"negative zero equals zero", `{"n":-0}`, `{"n":0}`, true},
	{"large integer in float range", `{"at":1718000000000}`, salesJobJoin, true},
	{"true", `{"b":true}`, `{"b":true}`, true},
	{"true is not false", `{"b":true}`, `{"b":false}`, false},
	{"true is not string", `{"b":true}`, `{"b":"true"}`, false},
	{"null matches null", `{"x":null}`, `{"x":null}`, true},
	{"null does not match absent", `{"x":null}`, `{}`, false},
	{"null does not match string", `{"x":null}`, `{"x":"null"}`, false},
	{"empty string", `{"x":""}`, `{"x":""}`, true},
	// Arrays in the pattern (OR) and fields (AND).
	{"array OR first", `{"type":["job-join","job-leave"]}`, salesJobJoin, true},
	{"array OR none", `{"type":["job-leave","job-move"]}`, salesJobJoin, false},
	{"AND all", `{"type":"job-join","org":"IBM","loc":{"country":"US"}}`, salesJobJoin, true},
	{"AND one fails", `{"type":"job-join","org":"IBM","loc":{"country":"DE"}}`, salesJobJoin, false},
	{"empty pattern matches", `{}`, newsItem, true},
	{"empty pattern matches non-object", `{}`, `"x"`, true},
	{"condition on non-object event", `{"a":"x"}`, `["x"]`, false},
	// Nesting.
	{"nested", `{"employee":{"title":"Chief Marketing Officer"}}`, salesJobJoin, true},
	{"dotted", `{"employee.title":"Chief Marketing Officer"}`, salesJobJoin, true},
	{"nested absent on other event", `{"employee.title":"CEO"}`, salesArticle, false},
	{"path through a scalar", `{"org.name":"IBM"}`, salesJobJoin, false},
	{"leaf that is an object", `{"loc":"US"}`, salesJobJoin, false},
	// Arrays in the event.
	{"event array any element", `{"tags":"b"}`, `{"tags":["a","b"]}`, true},
	{"event array no element", `{"tags":"c"}`, `{"tags":["a","b"]}`, false},
	{"event nested arrays flatten", `{"tags":"c"}`, `{"tags":[["a"],["b",["c"]]]}`, true},
	{"event array of numbers", `{"n":[{"numeric":[">",5]}]}`, `{"n":[1,2,9]}`, true},
	{"array of objects", `{"entities":{"type":"person"}}`, newsItem, true},
	{"array of objects, same element", `{"entities":{"type":"person","value":"Arvind Krishna"}}`, newsItem, true},
	{"array of objects, different elements", `{"entities":{"type":"person","value":"IBM"}}`, newsItem, true},
	{"array of objects, nowhere", `{"entities":{"type":"place"}}`, newsItem, false},
	{"array of objects, numeric", `{"entities":{"relevance":[{"numeric":[">",0.9]}]}}`, newsItem, true},
	{"array of objects nested paths", `{"a":{"b":{"c":1}}}`, `{"a":[{"b":[{"c":2},{"c":1}]}]}`, true},
	{"annotations label", `{"annotations.label":"M&A","kind":"news-item"}`, newsItem, true},
	// exists, null and absent.
	{"exists true present", `{"employee":{"title":[{"exists":true}]}}`, salesJobJoin, true},
	{"exists true absent", `{"employee":{"title":[{"exists":true}]}}`, salesArticle, false},
	{"exists false absent", `{"employee":{"title":[{"exists":false}]}}`, salesArticle, true},
	{"exists false present", `{"employee":{"title":[{"exists":false}]}}`, salesJobJoin, false},
	{"exists true on null", `{"x":[{"exists":true}]}`, `{"x":null}`, true},
	{"exists false on null", `{"x":[{"exists":false}]}`, `{"x":null}`, false},
	{"exists true on object", `{"loc":[{"exists":true}]}`, salesJobJoin, true},
	{"exists true on empty array", `{"x":[{"exists":true}]}`, `{"x":[]}`, false},
	{"exists false on empty array", `{"x":[{"exists":false}]}`, `{"x":[]}`, true},
	{"exists false in array of objects", `{"entities":{"score":[{"exists":false}]}}`, newsItem, true},
	{"exists false, one element has it", `{"entities":{"relevance":[{"exists":false}]}}`, newsItem, false},
	{"exists false OR value, absent", `{"x":["a",{"exists":false}]}`, `{}`, true},
	{"exists false OR value, equal", `{"x":["a",{"exists":false}]}`, `{"x":"a"}`, true},
	{"exists false OR value, other", `{"x":["a",{"exists":false}]}`, `{"x":"b"}`, false},
	// prefix, suffix, equals-ignore-case.
	{"prefix", `{"type":[{"prefix":"job-"}]}`, salesJobJoin, true},
	{"prefix no", `{"type":[{"prefix":"job-"}]}`, salesArticle, false},
	{"prefix empty", `{"type":[{"prefix":""}]}`, salesArticle, true},
	{"prefix not on number", `{"eid":[{"prefix":"1"}]}`, newsItem, false},
	{"suffix", `{"url":[{"suffix":".com/people/ann-smith"}]}`, `{"url":"https://example.com/people/ann-smith"}`, true},
	{"suffix no", `{"employee.url":[{"suffix":".org"}]}`, salesJobJoin, false},
	{"equals-ignore-case", `{"org":[{"equals-ignore-case":"ibm"}]}`, salesJobJoin, true},
	{"equals-ignore-case unicode", `{"city":[{"equals-ignore-case":"MÜNCHEN"}]}`, `{"city":"München"}`, true},
	{"equals-ignore-case no", `{"org":[{"equals-ignore-case":"ibm "}]}`, salesJobJoin, false},
	// wildcard.
	{"wildcard contains", `{"org":[{"wildcard":"*Bank*"}]}`, salesArticle, true},
	{"wildcard no", `{"org":[{"wildcard":"*Bank*"}]}`, salesJobJoin, false},
	{"wildcard anchored", `{"org":[{"wildcard":"Deutsche*"}]}`, salesArticle, true},
	{"wildcard anchored end", `{"org":[{"wildcard":"*Deutsche"}]}`, salesArticle, false},
	{"wildcard middle", `{"url":[{"wildcard":"https://*.example.com/*"}]}`, newsItem, true},
	{"wildcard no star is equality", `{"org":[{"wildcard":"IBM"}]}`, salesJobJoin, true},
	{"wildcard star matches empty", `{"org":[{"wildcard":"I*BM"}]}`, salesJobJoin, true},
	{"wildcard overlapping pieces", `{"s":[{"wildcard":"*ab*ab"}]}`, `{"s":"xabab"}`, true},
	{"wildcard too short", `{"s":[{"wildcard":"ab*ba"}]}`, `{"s":"aba"}`, false},
	{"wildcard escaped star", `{"s":[{"wildcard":"a\\*b"}]}`, `{"s":"a*b"}`, true},
	{"wildcard escaped star is literal", `{"s":[{"wildcard":"a\\*b"}]}`, `{"s":"axb"}`, false},
	{"wildcard escaped backslash", `{"s":[{"wildcard":"a\\\\*"}]}`, `{"s":"a\\bc"}`, true},
	{"wildcard double star", `{"s":[{"wildcard":"a**c"}]}`, `{"s":"abc"}`, true},
	{"wildcard not on number", `{"eid":[{"wildcard":"*"}]}`, newsItem, false},
	// anything-but.
	{"anything-but string", `{"type":[{"anything-but":"job-leave"}]}`, salesJobJoin, true},
	{"anything-but string equal", `{"type":[{"anything-but":"job-join"}]}`, salesJobJoin, false},
	{"anything-but list", `{"type":[{"anything-but":["job-leave","job-join"]}]}`, salesJobJoin, false},
	{"anything-but absent", `{"employee.title":[{"anything-but":"CEO"}]}`, salesArticle, false},
	{"anything-but null", `{"x":[{"anything-but":"a"}]}`, `{"x":null}`, true},
	{"anything-but bool", `{"x":[{"anything-but":"a"}]}`, `{"x":false}`, true},
	{"anything-but object", `{"loc":[{"anything-but":"a"}]}`, salesJobJoin, false},
	{"anything-but number", `{"eid":[{"anything-but":12345}]}`, newsItem, false},
	{"anything-but number 1e1", `{"n":[{"anything-but":1e1}]}`, `{"n":10}`, false},
	{"anything-but number other", `{"eid":[{"anything-but":[1,2]}]}`, newsItem, true},
	{"anything-but string vs number", `{"eid":[{"anything-but":"12345"}]}`, newsItem, true},
	{"anything-but array any element", `{"tags":[{"anything-but":"a"}]}`, `{"tags":["a","b"]}`, true},
	{"anything-but array all excluded", `{"tags":[{"anything-but":["a","b"]}]}`, `{"tags":["a","b"]}`, false},
	{"anything-but in array of objects", `{"entities":{"type":[{"anything-but":"org"}]}}`, newsItem, true},
	// numeric.
	{"numeric range", `{"at":[{"numeric":[">=",1718000000000,"<",1718000360000]}]}`, salesJobJoin, true},
	{"numeric three comparisons, one fails", `{"at":[{"numeric":[">",1,"<",1718000360000,"!=",1718000000000]}]}`, salesJobJoin, false},
	{"numeric three comparisons, all hold", `{"at":[{"numeric":[">",1,"<",1718000360000,"!=",5]}]}`, salesJobJoin, true},
	{"numeric range upper excluded", `{"at":[{"numeric":[">=",1718000000000,"<",1718000360000]}]}`, salesArticle, false},
	{"numeric =", `{"eid":[{"numeric":["=",12345.0]}]}`, newsItem, true},
	{"numeric !=", `{"eid":[{"numeric":["!=",12345]}]}`, newsItem, false},
	{"numeric <", `{"eid":[{"numeric":["<",12346]}]}`, newsItem, true},
	{"numeric <=", `{"eid":[{"numeric":["<=",12345]}]}`, newsItem, true},
	{"numeric >", `{"eid":[{"numeric":[">",12345]}]}`, newsItem, false},
	{"numeric >=", `{"eid":[{"numeric":[">=",1.2345e4]}]}`, newsItem, true},
	{"numeric negative", `{"n":[{"numeric":["<",0]}]}`, `{"n":-0.5}`, true},
	{"numeric not on string", `{"type":[{"numeric":[">",0]}]}`, salesArticle, false},
	{"numeric not on absent", `{"x":[{"numeric":[">",0]}]}`, `{}`, false},
	{"numeric huge bound", `{"n":[{"numeric":["<",1e400]}]}`, `{"n":1e300}`, true},
	{"numeric tiny bound", `{"n":[{"numeric":[">",-1e400]}]}`, `{"n":-1e300}`, true},
	// Mixed arrays.
	{"mixed array operator hit", `{"org":["SAP",{"prefix":"Deutsche"}]}`, salesArticle, true},
	{"mixed array scalar hit", `{"org":["SAP",{"prefix":"X"},"IBM"]}`, salesJobJoin, true},
	{"many strings use a set", `{"org":["a","b","c","d","e","f","g","h","i","IBM"]}`, salesJobJoin, true},
	{"many strings with operator", `{"org":["a","b","c","d","e","f","g","h","i",{"suffix":"Bank"}]}`, salesArticle, true},
	{"many strings miss", `{"org":["a","b","c","d","e","f","g","h","i","j"]}`, salesJobJoin, false},
	// Rule form.
	{"rule", `type=job-join|job-leave;org=IBM`, salesJobJoin, true},
	{"rule nested", `loc.country=DE;type=310`, salesArticle, true},
	{"rule values are strings", `eid=12345`, newsItem, false},
	{"rule no", `type=job-leave;org=IBM`, salesJobJoin, false},
}

func TestMatch(t *testing.T) {
	for _, d := range decoders {
		t.Run(d.name, func(t *testing.T) {
			for _, tt := range matchCases {
				t.Run(tt.name, func(t *testing.T) {
					p, err := Parse(tt.pattern)
					require.NoError(t, err)
					ev := d.decode(t, tt.event)
					assert.Equal(t, tt.want, p.Match(ev))
					ok, reason := p.Explain(ev)
					assert.Equal(t, tt.want, ok, reason)
					assert.Equal(t, tt.want, reason == "", reason)
					// The canonical form matches the same way.
					assert.Equal(t, tt.want, MustParse(p.String()).Match(ev))
				})
			}
		})
	}
}

func TestMatchLargeNumbers(t *testing.T) {
	const big = `{"n":9007199254740993}` // 2^53+1: no float64 holds it
	tests := []struct {
		name    string
		pattern string
		event   any
		want    bool
	}{
		{"json.Number exact equal", big, map[string]any{"n": json.Number("9007199254740993")}, true},
		{"json.Number exact differs", big, map[string]any{"n": json.Number("9007199254740992")}, false},
		{"json.Number other notation", big, map[string]any{"n": json.Number("9.007199254740993e15")}, true},
		{"float64 rounds", big, map[string]any{"n": float64(9007199254740992)}, true},
		{"json.Number exact order", `{"n":[{"numeric":[">",9007199254740992]}]}`, map[string]any{"n": json.Number("9007199254740993")}, true},
		{"json.Number long decimals", `{"n":0.1000000000000000000000000000001}`, map[string]any{"n": json.Number("0.1")}, false},
		{"float64 0.1", `{"n":0.1}`, map[string]any{"n": 0.1}, true},
		{"json.Number 0.1", `{"n":0.1}`, map[string]any{"n": json.Number("0.10")}, true},
		{"json.Number huge exponent", `{"n":[{"numeric":[">",1e300]}]}`, map[string]any{"n": json.Number("1e99999")}, true},
		{"json.Number many digits", `{"n":[{"numeric":[">",1]}]}`, map[string]any{"n": json.Number("1.00000000000000000000000000000000000000000000000000001")}, true},
		{"json.Number invalid", `{"n":[{"exists":true},{"numeric":[">",1]}]}`, map[string]any{"n": json.Number("x")}, true},
		{"json.Number invalid is no number", `{"n":[{"numeric":[">",1]}]}`, map[string]any{"n": json.Number("1x")}, false},
		{"json.Number is not a string", `{"n":"5"}`, map[string]any{"n": json.Number("5")}, false},
		{"other Go types match nothing", `{"n":5}`, map[string]any{"n": 5}, false},
		{"other Go types are present", `{"n":[{"exists":true}]}`, map[string]any{"n": 5}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MustParse(tt.pattern).Match(tt.event))
		})
	}
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0", "-0", 0}, {"0.0", "0e5", 0}, {"1", "1.0", 0}, {"10", "1e1", 0},
		{"12.5", "125e-1", 0}, {"0.05", "5e-2", 0}, {"1", "2", -1}, {"-1", "-2", 1},
		{"-1", "1", -1}, {"0", "1e-9999", -1}, {"99", "100", -1}, {"0.12", "0.125", -1},
		{"1e20", "99999999999999999999", 1}, {"-0.001", "0", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_vs_"+tt.b, func(t *testing.T) {
			a, ok := parseDecimal(tt.a, nil)
			require.True(t, ok)
			b, ok := parseDecimal(tt.b, nil)
			require.True(t, ok)
			assert.Equal(t, tt.want, cmpDecimal(a, b))
			assert.Equal(t, -tt.want, cmpDecimal(b, a))
		})
	}
	for _, bad := range []string{"", "-", ".5", "1.", "1e", "1e+", "+1", "1x", "0x10", "--1"} {
		_, ok := parseDecimal(bad, nil)
		assert.False(t, ok, bad)
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	p := MustParse(`{"type":["job-join","job-leave"],"org":"IBM","at":[{"numeric":[">",0]}],"employee.title":[{"wildcard":"*Officer*"}]}`)
	for _, d := range decoders {
		ev := d.decode(t, salesJobJoin)
		require.True(t, p.Match(ev))
		allocs := testing.AllocsPerRun(100, func() { p.Match(ev) })
		assert.Zero(t, allocs, d.name)
	}
}
