package kubernetes_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// expand replaces $(NAME) in s by NAME's value as the kubelet does in a
// container's command, args and env values: "$$" is a literal "$", a
// reference to an undefined name (or one never closed) stays as written,
// and a "$" before anything else is kept as it is.
func expand(s string, lookup func(name string) (string, bool)) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; next {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString("$(") // never closed: the rest is plain text
				i++
				continue
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += 2 + end
		default:
			b.WriteByte('$')
			b.WriteByte(next)
			i++
		}
	}
	return b.String()
}

func TestExpand(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"JOB_COMPLETION_INDEX": "2", "A": "x", "EMPTY": "", "DOLLAR": "$(A)"}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	cases := []struct{ name, in, want string }{
		{"plain", "load", "load"},
		{"one reference", "$(JOB_COMPLETION_INDEX)/3", "2/3"},
		{"in the middle", "/results/shard-$(JOB_COMPLETION_INDEX).json", "/results/shard-2.json"},
		{"two", "$(A)$(A)", "xx"},
		{"empty value", "[$(EMPTY)]", "[]"},
		{"undefined left as is", "$(NOPE)/$(A)", "$(NOPE)/x"},
		{"escaped", "$$(A)", "$(A)"},
		{"escaped dollar alone", "a$$b", "a$b"},
		{"escape then reference", "$$$(A)", "$x"},
		{"not expanded twice", "$(DOLLAR)", "$(A)"},
		{"never closed", "$(A", "$(A"},
		{"never closed, then closed", "$(A $(A)", "$(A $(A)"},
		{"empty name", "$()", "$()"},
		{"dollar before other", "$A $1", "$A $1"},
		{"trailing dollar", "cost$", "cost$"},
		{"shell syntax kept", "${A}", "${A}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, expand(tc.in, lookup))
		})
	}
}
