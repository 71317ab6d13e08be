package pattern

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Limits of the pattern language (docs/protocol.md section 5).
const (
	// MaxSize is the largest pattern, in bytes of input, that Parse
	// accepts. The canonical form of the pattern must fit in it too.
	MaxSize = 4096
	// MaxDepth is the largest number of path segments of one condition:
	// {"a":{"b":1}} and {"a.b":1} both have depth 2.
	MaxDepth = 8
)

// Pattern is a parsed pattern. It is immutable and safe for concurrent use.
// The zero value, like a nil *Pattern, matches every event.
type Pattern struct {
	conds []cond // sorted by path
	canon string // canonical JSON form, "" for the zero value
}

// Parse parses a pattern in either form: JSON when it starts with "{"
// (after leading white space), the compact rule form otherwise. Errors are
// of type *Error.
func Parse(s string) (*Pattern, error) {
	if len(s) > MaxSize {
		return nil, newError("", fmt.Sprintf("pattern is %d bytes, more than the limit of %d", len(s), MaxSize))
	}
	if !utf8.ValidString(s) {
		return nil, newError("", "pattern is not valid UTF-8")
	}
	t := trimSpace(s)
	switch {
	case t == "":
		return nil, newError("", "empty pattern")
	case t[0] == '{':
		return parseJSON(t)
	case json.Valid([]byte(t)):
		var x any
		_ = json.Unmarshal([]byte(t), &x)
		return nil, newError("", "top level must be a JSON object, got "+typeName(x))
	}
	return parseRule(t)
}

// MustParse is like Parse but panics on error. It is meant for tests,
// examples and patterns fixed in code.
func MustParse(s string) *Pattern {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}

// trimSpace trims JSON white space (space, tab, CR, LF) from both ends.
func trimSpace(s string) string {
	return strings.Trim(s, " \t\r\n")
}

// builder collects the conditions of a pattern being parsed.
type builder struct {
	conds  []cond
	byPath map[string]bool
}

// add records the condition at segs; a path may be constrained only once.
func (b *builder) add(segs []string, ms []matcher) error {
	c := newCond(segs, ms)
	if b.byPath == nil {
		b.byPath = make(map[string]bool)
	}
	if b.byPath[c.path] {
		return newError(c.path, "field is constrained more than once")
	}
	b.byPath[c.path] = true
	b.conds = append(b.conds, c)
	return nil
}

// pattern sorts the conditions and checks that the canonical form stays
// within MaxSize, so that it can always be parsed again.
func (b *builder) pattern() (*Pattern, error) {
	sort.Slice(b.conds, func(i, j int) bool { return b.conds[i].path < b.conds[j].path })
	p := &Pattern{conds: b.conds}
	p.canon = canonical(p.conds)
	if len(p.canon) > MaxSize {
		return nil, newError("", fmt.Sprintf("canonical form is %d bytes, more than the limit of %d", len(p.canon), MaxSize))
	}
	return p, nil
}

// appendPath splits a key at its dots and appends the segments to a copy
// of prefix, checking that no segment is empty and that the depth stays
// within MaxDepth.
func appendPath(prefix []string, key string) ([]string, error) {
	segs := append(append([]string(nil), prefix...), strings.Split(key, ".")...)
	path := strings.Join(segs, ".")
	for _, s := range segs[len(prefix):] {
		if s == "" {
			return nil, newError(path, fmt.Sprintf("key %q has an empty field name", key))
		}
	}
	if len(segs) > MaxDepth {
		return nil, newError(path, fmt.Sprintf("nested %d levels deep, more than the limit of %d", len(segs), MaxDepth))
	}
	return segs, nil
}

func (p *Pattern) conditions() []cond {
	if p == nil {
		return nil
	}
	return p.conds
}

// String returns the canonical JSON form: one key per constrained field,
// written as its full dotted path, keys sorted; a leaf that is a single
// scalar written bare, any other leaf as an array whose elements are
// sorted by their JSON text and free of duplicates; numbers in shortest
// decimal form; no white space. Parse(p.String()) gives an equivalent
// pattern with the same String, so equal strings mean equivalent patterns.
func (p *Pattern) String() string {
	if p == nil || p.canon == "" {
		return "{}"
	}
	return p.canon
}

func canonical(cs []cond) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(c.path))
		b.WriteByte(':')
		if len(c.ms) == 1 && c.ms[0].isEquality() {
			b.WriteString(c.ms[0].enc) // a bare scalar
			continue
		}
		b.WriteByte('[')
		for j := range c.ms {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(c.ms[j].enc)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

// MarshalJSON returns the canonical JSON form, so that a frame can embed
// the pattern as an object.
func (p *Pattern) MarshalJSON() ([]byte, error) {
	return []byte(p.String()), nil
}

// UnmarshalJSON accepts a pattern object, or a JSON string holding a
// pattern in either form. As usual, null leaves p unchanged.
func (p *Pattern) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		s = str
	}
	q, err := Parse(s)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// Fields returns the dotted paths the pattern constrains, sorted.
func (p *Pattern) Fields() []string {
	cs := p.conditions()
	out := make([]string, len(cs))
	for i := range cs {
		out[i] = cs[i].path
	}
	return out
}

// Match reports whether the event satisfies every condition of the
// pattern. The event is a value as encoding/json decodes into any:
// map[string]any, []any, string, float64, json.Number, bool or nil.
// Match does not allocate.
func (p *Pattern) Match(event any) bool {
	cs := p.conditions()
	for i := range cs {
		if !cs[i].holds(event) {
			return false
		}
	}
	return true
}
