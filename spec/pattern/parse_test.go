package pattern

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty object", `{}`, `{}`},
		{"empty object with space", " \n{ }\t", `{}`},
		{"documented bare scalars", `{"type":"310","org":"IBM"}`, `{"org":"IBM","type":"310"}`},
		{"number scalar", `{"eid":12345}`, `{"eid":12345}`},
		{"bool and null", `{"a":true,"b":false,"c":null}`, `{"a":true,"b":false,"c":null}`},
		{"array sorted and deduplicated", `{"type":["job-leave","job-join","job-leave"]}`, `{"type":["job-join","job-leave"]}`},
		{"nested", `{"employee":{"title":"CEO"}}`, `{"employee.title":"CEO"}`},
		{"dotted", `{"employee.title":"CEO"}`, `{"employee.title":"CEO"}`},
		{"nested merged with dotted", `{"employee":{"title":"CEO"},"employee.name":"Ann"}`, `{"employee.name":"Ann","employee.title":"CEO"}`},
		{"dotted inside nested", `{"a":{"b.c":1,"d":{"e":2}}}`, `{"a.b.c":1,"a.d.e":2}`},
		{"leaf and nested under one name", `{"a":"x","a.b":"y"}`, `{"a":"x","a.b":"y"}`},
		{"numbers normalized", `{"n":[10.0,1e1,10,0.50,-0,1E-7,1.5e30]}`, `{"n":[0,0.5,1.5e30,10,1e-7]}`},
		{"prefix", `{"type":[{"prefix":"job-"}]}`, `{"type":[{"prefix":"job-"}]}`},
		{"suffix", `{"url":[{"suffix":".com"}]}`, `{"url":[{"suffix":".com"}]}`},
		{"equals-ignore-case", `{"org":[{"equals-ignore-case":"ibm"}]}`, `{"org":[{"equals-ignore-case":"ibm"}]}`},
		{"wildcard", `{"org":[{"wildcard":"*Bank*"}]}`, `{"org":[{"wildcard":"*Bank*"}]}`},
		{"wildcard escapes kept", `{"org":[{"wildcard":"a\\*b\\\\*"}]}`, `{"org":[{"wildcard":"a\\*b\\\\*"}]}`},
		{"anything-but single", `{"type":[{"anything-but":"job-leave"}]}`, `{"type":[{"anything-but":"job-leave"}]}`},
		{"anything-but list sorted", `{"type":[{"anything-but":["b","a",3,"a",3.0]}]}`, `{"type":[{"anything-but":["a","b",3]}]}`},
		{"exists", `{"a":[{"exists":true}],"b":[{"exists":false}]}`, `{"a":[{"exists":true}],"b":[{"exists":false}]}`},
		{"numeric", `{"at":[{"numeric":[">=",10,"<",2.0e1]}]}`, `{"at":[{"numeric":[">=",10,"<",20]}]}`},
		{"numeric single", `{"at":[{"numeric":["!=",5]}]}`, `{"at":[{"numeric":["!=",5]}]}`},
		{"numeric three pairs (docs/protocol.md §5: one or more)", `{"at":[{"numeric":[">",1,"<",5,"!=",3]}]}`, `{"at":[{"numeric":[">",1,"<",5,"!=",3]}]}`},
		{"mixed array", `{"org":["IBM",{"prefix":"Deutsche"},null,7]}`, `{"org":["IBM",7,null,{"prefix":"Deutsche"}]}`},
		{"string escapes", `{"a\"b":"x\n\u0001<>&é"}`, `{"a\"b":"x\n\u0001<>&é"}`},
		{"empty string value", `{"a":""}`, `{"a":""}`},
		{"operator names as nested fields", `{"type":{"prefix":"x"}}`, `{"type.prefix":"x"}`},
		{"rule", `type=job-join|job-leave;org=IBM`, `{"org":"IBM","type":["job-join","job-leave"]}`},
		{"rule with spaces and empty clauses", " ; type = job-join | job-leave ;; loc.country = US ; ", `{"loc.country":"US","type":["job-join","job-leave"]}`},
		{"rule with escapes", `org=AT%26T%3B%7C%3D%25;name=%20x%20`, `{"name":" x ","org":"AT\u0026T;|=%"}`},
		{"rule value with equals", `url=https://x.example/?a=b`, `{"url":"https://x.example/?a=b"}`},
		{"rule values are strings", `type=310`, `{"type":"310"}`},
		{"rule inner spaces kept", `loc.city=New York`, `{"loc.city":"New York"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			require.NoError(t, err)
			want := strings.ReplaceAll(tt.want, `\u0026`, "&")
			assert.Equal(t, want, p.String())
			q, err := Parse(p.String())
			require.NoError(t, err, "canonical form must parse")
			assert.Equal(t, p.String(), q.String(), "canonical form must be stable")
			b, err := p.MarshalJSON()
			require.NoError(t, err)
			assert.JSONEq(t, p.String(), string(b))
		})
	}
}

func TestParseErrors(t *testing.T) {
	deep9 := `{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}`
	tests := []struct {
		name, in, field, reason string
	}{
		{"empty", "", "", "empty pattern"},
		{"only space", " \t\n", "", "empty pattern"},
		{"neither JSON nor rule", "hello world", "", "neither a JSON object nor a rule"},
		{"top level array", `["a"]`, "", "top level must be a JSON object, got array"},
		{"top level string", `"type=310"`, "", "top level must be a JSON object, got string"},
		{"top level number", `310`, "", "top level must be a JSON object, got number"},
		{"top level null", `null`, "", "top level must be a JSON object, got null"},
		{"broken JSON", `{"type":`, "type", "invalid JSON"},
		{"broken JSON nested", `{"loc":{"city" "x"}}`, "loc.city", "invalid JSON"},
		{"trailing data", `{} {}`, "", "unexpected data after the JSON object"},
		{"trailing garbage", `{"a":1} x`, "", "unexpected data after the JSON object"},
		{"unknown operator", `{"employee":{"title":[{"regex":"C.O"}]}}`, "employee.title", `unknown operator "regex"`},
		{"empty array", `{"type":[]}`, "type", "empty array"},
		{"nested array", `{"type":[["a"]]}`, "type", "array inside an array"},
		{"empty nested object", `{"loc":{}}`, "loc", "empty object"},
		{"empty operator object", `{"type":[{}]}`, "type", "empty operator object"},
		{"two operators in one object", `{"type":[{"prefix":"a","suffix":"b"}]}`, "type", "more than one key"},
		{"duplicate key", `{"org":"IBM","org":"SAP"}`, "org", "duplicate key"},
		{"field constrained twice", `{"employee.title":"CEO","employee":{"title":"CTO"}}`, "employee.title", "constrained more than once"},
		{"empty key", `{"":1}`, "", "empty field name"},
		{"empty segment", `{"a":{"b..c":1}}`, "a.b..c", "empty field name"},
		{"trailing dot", `{"a.":1}`, "a.", "empty field name"},
		{"prefix of a number", `{"type":[{"prefix":310}]}`, "type", `operator "prefix" needs a string, got number`},
		{"suffix of null", `{"type":[{"suffix":null}]}`, "type", `operator "suffix" needs a string, got null`},
		{"equals-ignore-case of bool", `{"org":[{"equals-ignore-case":true}]}`, "org", `needs a string, got boolean`},
		{"wildcard of array", `{"org":[{"wildcard":["*"]}]}`, "org", `needs a string, got array`},
		{"wildcard bad escape", `{"org":[{"wildcard":"a\\b"}]}`, "org", "backslash"},
		{"wildcard trailing backslash", `{"org":[{"wildcard":"a\\"}]}`, "org", "backslash"},
		{"exists of string", `{"org":[{"exists":"yes"}]}`, "org", `operator "exists" needs a boolean, got string`},
		{"anything-but empty", `{"org":[{"anything-but":[]}]}`, "org", "empty array"},
		{"anything-but bool", `{"org":[{"anything-but":true}]}`, "org", "got boolean"},
		{"anything-but object", `{"org":[{"anything-but":{"prefix":"x"}}]}`, "org", "got object"},
		{"anything-but nested array", `{"org":[{"anything-but":[["x"]]}]}`, "org", "got array"},
		{"numeric with string", `{"at":[{"numeric":[">","10"]}]}`, "at", `">" needs a number, got string`},
		{"numeric unknown op", `{"at":[{"numeric":["=>",10]}]}`, "at", `"=>" is not one of`},
		{"numeric not array", `{"at":[{"numeric":10}]}`, "at", "one or more comparisons"},
		{"numeric three parts", `{"at":[{"numeric":[">",1,"<"]}]}`, "at", "one or more comparisons"},
		{"numeric empty", `{"at":[{"numeric":[]}]}`, "at", "one or more comparisons"},
		{"depth 9 nested", deep9, "a.b.c.d.e.f.g.h.i", "nested 9 levels deep"},
		{"depth 9 dotted", `{"a.b.c.d.e.f.g.h.i":1}`, "a.b.c.d.e.f.g.h.i", "nested 9 levels deep"},
		{"depth 9 mixed", `{"a":{"b.c":{"d.e.f":{"g.h.i":1}}}}`, "a.b.c.d.e.f.g.h.i", "nested 9 levels deep"},
		{"depth 9 rule", `a.b.c.d.e.f.g.h.i=x`, "a.b.c.d.e.f.g.h.i", "nested 9 levels deep"},
		{"too big", `{"a":"` + strings.Repeat("x", MaxSize-7) + `"}`, "", "4097 bytes, more than the limit of 4096"},
		{"canonical form too big", `{"` + strings.Repeat("a", 1000) + `":{"b":1,"c":1,"d":1,"e":1,"f":1}}`, "", "canonical form is 5036 bytes, more than the limit of 4096"},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", "", "not valid UTF-8"},
		{"rule clause without equals", `type=310;org`, "", `rule clause "org" has no "="`},
		{"rule empty name", `=310`, "", "empty field name"},
		{"rule empty value", `type=310|;org=IBM`, "type", "empty value"},
		{"rule empty value at end", `type=`, "type", "empty value"},
		{"rule bad escape", `org=AT%2`, "org", "invalid escape"},
		{"rule bad escape hex", `org=AT%zz`, "org", "invalid escape"},
		{"rule escape to invalid UTF-8", `org=%ff`, "org", "invalid UTF-8"},
		{"rule duplicate field", `type=a;type=b`, "type", "constrained more than once"},
		{"rule empty segment", `loc..city=x`, "loc..city", "empty field name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.in)
			require.Error(t, err)
			assert.Nil(t, p)
			var perr *Error
			require.True(t, errors.As(err, &perr), "error %T must be a *pattern.Error", err)
			assert.Equal(t, tt.field, perr.Field)
			assert.Contains(t, perr.Reason, tt.reason)
			assert.True(t, strings.HasPrefix(err.Error(), "pattern: "), err.Error())
			if tt.field != "" {
				assert.Contains(t, err.Error(), `field "`+tt.field+`": `)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse(`{"employee":{"title":[{"regex":"C.O"}]}}`)
	require.Error(t, err)
	assert.Equal(t, `pattern: field "employee.title": unknown operator "regex"`, err.Error())
	assert.Equal(t, "pattern: empty pattern", (&Error{Reason: "empty pattern"}).Error())
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"depth 8 nested", `{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}`, true},
		{"depth 8 dotted", `{"a.b.c.d.e.f.g.h":1}`, true},
		{"depth 8 rule", `a.b.c.d.e.f.g.h=1`, true},
		{"depth 9 nested", `{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}`, false},
		{"size 4096 JSON", `{"a":"` + strings.Repeat("x", MaxSize-8) + `"}`, true},
		{"size 4097 JSON", `{"a":"` + strings.Repeat("x", MaxSize-7) + `"}`, false},
		{"size 4097 rule", "a=" + strings.Repeat("x", MaxSize-1), false},
		{"rule with canonical form of 4096", "a=" + strings.Repeat("x", MaxSize-8), true},
		{"rule with canonical form of 4097", "a=" + strings.Repeat("x", MaxSize-7), false},
		{"canonical form longer than input", `{"a":{"` + strings.Repeat("b", 2000) + `":1,"c":1}}`, true},
		{"canonical form over the limit", `{"` + strings.Repeat("a", 1000) + `":{"b":1,"c":1,"d":1,"e":1,"f":1}}`, false},
		{"size 4096 with white space", `{"a":1}` + strings.Repeat(" ", MaxSize-7), true},
		{"size 4097 with white space", `{"a":1}` + strings.Repeat(" ", MaxSize-6), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestEquivalentForms(t *testing.T) {
	groups := []struct {
		name  string
		forms []string
	}{
		{"documented rule", []string{
			`type=job-join|job-leave;org=IBM`,
			`{"type":["job-join","job-leave"],"org":["IBM"]}`,
			`{"org":"IBM","type":["job-leave","job-join"]}`,
			` org = IBM ; type = job-leave | job-join `,
		}},
		{"dotted and nested", []string{
			`{"employee":{"title":"CEO","name":"Ann"}}`,
			`{"employee.title":"CEO","employee.name":"Ann"}`,
			`{"employee":{"title":"CEO"},"employee.name":"Ann"}`,
			`employee.title=CEO;employee.name=Ann`,
		}},
		{"deep mixed", []string{
			`{"a":{"b":{"c":{"d":"x"}}}}`,
			`{"a.b":{"c.d":"x"}}`,
			`{"a.b.c.d":["x"]}`,
			`a.b.c.d=x`,
		}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			want := MustParse(g.forms[0]).String()
			for _, f := range g.forms[1:] {
				assert.Equal(t, want, MustParse(f).String(), f)
			}
		})
	}
}

func TestRule(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"documented", `{"type":["job-join","job-leave"],"org":"IBM"}`, `org=IBM;type=job-join|job-leave`, true},
		{"nested", `{"loc":{"country":"US"}}`, `loc.country=US`, true},
		{"escapes", `{"a;b":"x|y=z%","c":" pad "}`, `a%3Bb=x%7Cy%3Dz%25;c=%20pad%20`, true},
		{"JSON-looking names", `{"{a":"1","[b":"2","\"c":"3"}`, `%22c=3;%5Bb=2;%7Ba=1`, true},
		{"inner spaces kept", `{"loc.city":"New York"}`, `loc.city=New York`, true},
		{"empty pattern", `{}`, "", false},
		{"number", `{"eid":1}`, "", false},
		{"operator", `{"org":[{"prefix":"I"}]}`, "", false},
		{"empty string", `{"org":""}`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustParse(tt.in)
			got, ok := p.Rule()
			require.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
			if ok {
				q, err := Parse(got)
				require.NoError(t, err)
				assert.Equal(t, p.String(), q.String())
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	assert.Panics(t, func() { MustParse("{") })
	assert.NotPanics(t, func() { MustParse("{}") })
}

func TestUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"object", `{"org":["IBM"]}`, `{"org":"IBM"}`},
		{"rule in a string", `"org=IBM|SAP"`, `{"org":["IBM","SAP"]}`},
		{"JSON in a string", `"{\"org\":\"IBM\"}"`, `{"org":"IBM"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Pattern
			require.NoError(t, p.UnmarshalJSON([]byte(tt.in)))
			assert.Equal(t, tt.want, p.String())
		})
	}
	var p Pattern
	assert.Error(t, p.UnmarshalJSON([]byte(`[1]`)))
}

func TestFields(t *testing.T) {
	p := MustParse(`{"type":"310","org":"IBM","employee":{"title":"CEO"},"loc.country":"US"}`)
	assert.Equal(t, []string{"employee.title", "loc.country", "org", "type"}, p.Fields())
	assert.Empty(t, MustParse(`{}`).Fields())
	var nilP *Pattern
	assert.Empty(t, nilP.Fields())
	assert.Equal(t, "{}", nilP.String())
	assert.True(t, nilP.Match(map[string]any{}))
}
