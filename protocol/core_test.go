package protocol

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeqCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		seqs     []uint64
		kinds    []SeqKind
		want     SeqCheck
		problems []string
	}{
		{"in order", []uint64{1, 2, 3}, []SeqKind{SeqInOrder, SeqInOrder, SeqInOrder}, SeqCheck{Last: 3}, nil},
		{"gap at the start", []uint64{3}, []SeqKind{SeqGap}, SeqCheck{Last: 3, Gaps: 1, Missing: 2}, []string{"seq gap: 3 after 0, 2 frames missing"}},
		{"duplicate", []uint64{1, 1}, []SeqKind{SeqInOrder, SeqDuplicate}, SeqCheck{Last: 1, Duplicates: 1}, []string{"duplicate seq 1"}},
		{"reordered", []uint64{1, 3, 2}, []SeqKind{SeqInOrder, SeqGap, SeqReordered}, SeqCheck{Last: 3, Gaps: 1, Missing: 1, Reordered: 1},
			[]string{"seq gap: 3 after 1, 1 frames missing", "frames out of order: seq 2 after 3"}},
		{"seq 0 first", []uint64{0}, []SeqKind{SeqDuplicate}, SeqCheck{Duplicates: 1}, []string{"duplicate seq 0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c SeqCheck
			var kinds []SeqKind
			var problems []string
			for _, s := range tc.seqs {
				e := c.Observe(s)
				kinds = append(kinds, e.Kind)
				if p := e.Problem(); p != "" {
					problems = append(problems, p)
				}
			}
			assert.Equal(t, tc.kinds, kinds)
			assert.Equal(t, tc.want, c)
			assert.Equal(t, tc.problems, problems)
		})
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	creds := Credentials{AccessToken: testToken, SecretKey: testSecret}
	rd := creds.Redactor("abc") // too short to register
	rd.AddSession(testSession)
	in := fmt.Sprintf("token %s secret %s session %s escaped %s short abc", testToken, testSecret, testSession, url.QueryEscape("a+b/c=d"))
	rd.Add("a+b/c=d")
	out := rd.Redact(in)
	for _, s := range []string{testToken, testSecret, testSession, "a%2Bb%2Fc%3Dd"} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "short abc")
	assert.True(t, rd.IsSession(testSession))
	assert.False(t, rd.IsSession(testToken))
	assert.Len(t, rd.Secrets(), 4)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", creds, creds, creds), testToken)

	var nilRd *Redactor
	assert.Equal(t, in, nilRd.Redact(in))
	assert.Equal(t, "id "+Redacted, RedactSessionLike("id "+testSession))
}

func TestRedactorLongestFirst(t *testing.T) {
	t.Parallel()
	rd := NewRedactor("secret", "secret-and-more")
	assert.Equal(t, "x "+Redacted+" y", rd.Redact("x secret-and-more y"))
}

func TestRedactorConcurrentUse(t *testing.T) {
	t.Parallel()
	rd := NewRedactor()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				s := fmt.Sprintf("secret-%d-%d", i, j)
				rd.Add(s)
				assert.Equal(t, Redacted, rd.Redact(s))
			}
		})
	}
	wg.Wait()
	assert.Len(t, rd.Secrets(), 400)
}

func TestDecodeValue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		want     any
		wantErr  bool
	}{
		{"big integer keeps its digits", `12345678901234567890123`, json.Number("12345678901234567890123"), false},
		{"object", ` {"a":1.50} `, map[string]any{"a": json.Number("1.50")}, false},
		{"two values", `{} {}`, nil, true},
		{"trailing brace", `{}}`, nil, true},
		{"not JSON", `{`, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := DecodeValue([]byte(tc.in))
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, v)
		})
	}
	_, err := DecodeEvent([]byte(`[1]`))
	assert.ErrorContains(t, err, "not a JSON object")
}

func TestPosition(t *testing.T) {
	t.Parallel()
	data := []byte("{\n  \"ä\": x\n}")
	line, col := Position(data, int64(len("{\n  \"ä\": ")))
	assert.Equal(t, []int{2, 8}, []int{line, col})
	line, col = Position(data, 1000)
	assert.Equal(t, []int{3, 2}, []int{line, col})
}
