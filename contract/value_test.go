package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		sent, got string
		want      string // "": the same value; "must" or "should"
		where     string
	}{
		{"same bytes", `{"a":1}`, `{"a":1}`, "", ""},
		{"white space and member order", `{"b":[1, 2],"a":{"y":null,"x":true}}`, `{ "a" : { "x" : true , "y" : null } , "b" : [ 1 , 2 ] }`, "", ""},
		{"trailing zeros", `3.50`, `3.5`, "", ""},
		{"exponent spelling", `1e3`, `1000`, "", ""},
		{"negative zero", `-0`, `0`, "", ""},
		{"shortest round trip of a decimal", `-2.5e-8`, `-2.5E-8`, "", ""},
		{"escapes decoded", `"\u00e9\ud83d\ude00"`, `"é😀"`, "", ""},
		{"2^53 kept", `9007199254740992`, `9007199254740992`, "", ""},
		{"2^53 changed", `9007199254740992`, `9007199254740990`, "must", ""},
		{"23-digit integer rounded to a double", `12345678901234567890123`, `1.2345678901234568e+22`, "should", ""},
		{"23-digit integer rounded as JavaScript prints it", `{"id":12345678901234567890123}`, `{"id":12345678901234567000000}`, "should", "/id"},
		{"long decimal rounded", `3.14159265358979323846264338327`, `3.141592653589793`, "should", ""},
		{"long decimal changed beyond rounding", `3.14159265358979323846264338327`, `3.14`, "must", ""},
		{"an exact integer turned into a string", `[1,2]`, `[1,"2"]`, "must", "/1"},
		{"combining accent normalised", `"e\u0301"`, `"é"`, "must", ""},
		{"member lost", `{"a":1,"b":2}`, `{"a":1}`, "must", ""},
		{"member added", `{"a":1}`, `{"a":1,"b":2}`, "must", ""},
		{"null became false", `null`, `false`, "must", ""},
		{"array shortened", `[1,2,3]`, `[1,2]`, "must", ""},
		{"must wins over should", `{"a":12345678901234567890123,"b":"x"}`, `{"a":1.2345678901234568e22,"b":"y"}`, "must", "/b"},
		{"huge exponent kept", `1e999999`, `1e999999`, "", ""},
		{"huge exponent lost", `1e400`, `null`, "must", ""},
		{"not JSON received", `1`, `1 2`, "must", ""},
		{"key escaping in the pointer", `{"a/b":{"~":1}}`, `{"a/b":{"~":2}}`, "must", "/a~1b/~0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := compareValues([]byte(c.sent), []byte(c.got))
			if c.want == "" {
				assert.Nil(t, d)
				assert.Equal(t, valueKey([]byte(c.sent)), valueKey([]byte(c.got)))
				return
			}
			if assert.NotNil(t, d) {
				assert.Equal(t, c.want == "must", d.must, "%s", d.what)
				assert.Equal(t, c.where, d.where)
			}
		})
	}
}
