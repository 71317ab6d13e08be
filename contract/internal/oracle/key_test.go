package oracle

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustDecode(t testing.TB, s string) map[string]any {
	t.Helper()
	v, err := Decode([]byte(s))
	require.NoError(t, err, s)
	return v
}

func TestKeySurvivesReencoding(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
	}{
		{"member order", `{"a":1,"b":"x"}`, `{"b":"x","a":1}`},
		{"white space", `{"a":[1,2]}`, "{ \"a\" : [ 1 , 2 ] }\n"},
		{"trailing zeros", `{"p":3.50}`, `{"p":3.5}`},
		{"exponent", `{"n":1e1}`, `{"n":10}`},
		{"negative zero", `{"n":-0}`, `{"n":0}`},
		{"escaped letter", `{"s":"\u00e9"}`, `{"s":"é"}`},
		{"escaped slash", `{"s":"a\/b"}`, `{"s":"a/b"}`},
		{"nested", `{"o":{"y":null,"x":true}}`, `{"o":{"x":true,"y":null}}`},
		{"beyond a double", `{"n":12345678901234567890123}`, `{"n":1.2345678901234567890123e22}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, Key(mustDecode(t, tc.a)), Key(mustDecode(t, tc.b)))
		})
	}
}

func TestKeyTellsEventsApart(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
	}{
		{"string and number", `{"type":"310"}`, `{"type":310}`},
		{"bool and string", `{"v":true}`, `{"v":"true"}`},
		{"null and absent", `{"v":null}`, `{}`},
		{"null and string", `{"v":null}`, `{"v":"null"}`},
		{"array order", `{"a":[1,2]}`, `{"a":[2,1]}`},
		{"case", `{"s":"IBM"}`, `{"s":"ibm"}`},
		{"quote in a string", `{"s":"a\"b"}`, `{"s":"a'b"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.NotEqual(t, Key(mustDecode(t, tc.a)), Key(mustDecode(t, tc.b)))
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"array", `[1]`},
		{"null", `null`},
		{"trailing data", `{} {}`},
		{"not JSON", `{"a":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			assert.Error(t, err)
		})
	}
}

func TestSafeNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		safe bool
	}{
		{"0", true},
		{"0.93", true},
		{"1793610000326", true},
		{"123456789012345", true},
		{"1234567890123456", false},
		{"9007199254740993", false},
		{"0.1000000000000000055511151231257827", false},
		{"1e299", true},
		{"1e400", false},
		{"-2.5e-7", true},
		{"abc", false},
		{"01", false},
	} {
		assert.Equal(t, tc.safe, SafeNumber(tc.in), tc.in)
	}
}

func TestNeighbours(t *testing.T) {
	for _, tc := range []struct {
		in, below, above string
	}{
		{"0.93", "0.929", "0.931"},
		{"310", "309", "311"}, // trailing zeros are not digits of its own
		{"0", "-0.1", "0.1"},
		{"-5", "-5.1", "-4.9"},
		{"1793610000326", "1793610000325.9", "1793610000326.1"},
		{"123456789012345", "123456789012344", "123456789012346"},
		{"1e30", "9e29", "1.1e30"},
		{"2.5e-30", "2.49e-30", "2.51e-30"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			b, a, ok := neighbours(tc.in)
			require.True(t, ok)
			assert.Equal(t, tc.below, b)
			assert.Equal(t, tc.above, a)
			assert.True(t, SafeNumber(b) && SafeNumber(a))
		})
	}
	_, _, ok := neighbours("9007199254740993")
	assert.False(t, ok, "a number beyond 15 digits has no safe neighbours")
}

func TestDecodeRefusesWhatDecodersReadDifferently(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", `{"a":{"b":[1,{"c":2}]},"d":"x"}`, true},
		{"same name in two objects", `{"a":{"x":1},"b":{"x":2}}`, true},
		{"name equal to a value", `{"a":"a","b":["a"]}`, true},
		{"escaped backslash before u", `{"a":"\\ud800"}`, true},
		{"a name twice", `{"a":1,"a":2}`, false},
		{"a name twice, nested", `{"o":[{"k":1,"k":1}]}`, false},
		{"a lone surrogate", `{"a":"\ud800"}`, false},
		{"a surrogate pair", `{"a":"\uD83D\uDE00"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			assert.Equal(t, tc.ok, err == nil, "%v", err)
		})
	}
}
