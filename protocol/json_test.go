package protocol

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nested is a value n arrays deep around 1.
func nested(n int) string { return strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }

func TestCheckValue(t *testing.T) {
	t.Parallel()
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	cases := []struct {
		name    string
		data    string
		wantErr error
		detail  string
	}{
		{"an object", `{"a":[1,"x",{"b":null}]}`, nil, ""},
		{"a scalar", `42`, nil, ""},
		{"white space around", " \n{}\t", nil, ""},
		{"Unicode", `{"name":"Jürgen Groß 東京 🚀"}`, nil, ""},
		{"an escaped lone surrogate is JSON text", `"\ud800"`, nil, ""},
		{"128 arrays deep", nested(MaxNesting), nil, ""},
		{"128 objects deep", objects(MaxNesting), nil, ""},
		{"brackets in strings do not nest", `{"a":"` + strings.Repeat("[", 500) + `\"]"}`, nil, ""},
		{"129 arrays deep", nested(MaxNesting + 1), ErrTooDeep, "129 deep"},
		{"129 objects deep", objects(MaxNesting + 1), ErrTooDeep, "129 deep"},
		{"10,000 deep", nested(10000), ErrTooDeep, "10000 deep"},
		{"a byte 0xff", "{\"a\":\"\xff\"}", ErrInvalidUTF8, "byte 6 is 0xff"},
		{"an overlong encoding", "\"\xc0\xaf\"", ErrInvalidUTF8, "byte 1 is 0xc0"},
		{"a surrogate encoded in UTF-8", "\"\xed\xa0\x80\"", ErrInvalidUTF8, "byte 1 is 0xed"},
		{"a sequence cut short", "\"\xe2\x82\"", ErrInvalidUTF8, "byte 1 is 0xe2"},
		{"invalid UTF-8 outside a string", "\xff", ErrInvalidUTF8, "byte 0"},
		{"empty", ``, ErrNotJSON, ""},
		{"two values", `1 2`, ErrNotJSON, ""},
		{"truncated", `{"a":`, ErrNotJSON, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckValue([]byte(tc.data))
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			assert.Contains(t, err.Error(), tc.detail)
		})
	}
}

func TestNesting(t *testing.T) {
	t.Parallel()
	cases := []struct {
		data string
		want int
	}{
		{`1`, 0}, {`"[{"`, 0}, {`[]`, 1}, {`{}`, 1}, {`[1,[2],{"a":[3]}]`, 3},
		{`{"a":"\\"}`, 1}, {`["\\\"[["]`, 1}, {nested(7), 7},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Nesting([]byte(tc.data)), tc.data)
	}
}

// TestDecodeFrameAtTheDepthLimit decodes the deepest frame a server may
// send: a push of a value MaxNesting deep.
func TestDecodeFrameAtTheDepthLimit(t *testing.T) {
	t.Parallel()
	frame := AppendPushFrame(nil, 7, []byte(nested(MaxNesting)))
	f, err := DecodeFrame(frame)
	require.NoError(t, err)
	assert.Equal(t, uint64(7), f.Seq)
	assert.Equal(t, MaxNesting, Nesting(f.Data))
}
