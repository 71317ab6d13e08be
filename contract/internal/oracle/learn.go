package oracle

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wstrigger/wstrigger/spec/pattern"
)

// Limits of what Learn keeps.
const (
	// maxValues is how many distinct values of one field are counted.
	maxValues = 64
	// maxKept is how many events a Model keeps for mining conditions on
	// the objects of arrays.
	maxKept = 2000
	// maxValueLen is the longest string a generated pattern quotes.
	maxValueLen = 120
)

// Model is what Learn found out about a stream of events.
type Model struct {
	// Events is how many events were learned from.
	Events int
	fields map[string]*Field
	events []map[string]any
}

// Field is one dotted path of the events (arrays are transparent:
// "entities.type" is the type of every object of the entities array).
type Field struct {
	Path string
	// Depth is the number of segments of Path.
	Depth int
	// Present is the number of events in which the field has at least
	// one value (§5: an empty array is absent).
	Present int
	// Values seen by type; an array's elements count one each.
	Strings, Numbers, Bools, Nulls, Objects int
	// IsArray: the field's value was an array in some event.
	IsArray bool
	// InArray: the path crosses an array of objects.
	InArray bool
	// Nested: an array was seen directly inside an array on the path.
	Nested bool
	// EmptyObject: the value {} was seen.
	EmptyObject bool

	values map[string]*Value
	order  []*Value
}

// Value is one distinct scalar value of a field: a string, a
// json.Number, a bool or nil.
type Value struct {
	V any
	// Key is the value's canonical text (see Key).
	Key string
	// Count is how many times it was seen.
	Count int
	// Events is how many events had it.
	Events int
	lastEv int
}

// Learn learns the fields of events, decoded with Decode.
func Learn(events []map[string]any) *Model {
	m := &Model{fields: map[string]*Field{}}
	for i, ev := range events {
		m.Events++
		if len(m.events) < maxKept {
			m.events = append(m.events, ev)
		}
		present := map[string]bool{}
		m.walk(ev, "", 0, false, false, i+1, present)
		for p := range present {
			m.fields[p].Present++
		}
	}
	return m
}

// walk records the members of the object v under prefix.
func (m *Model) walk(v map[string]any, prefix string, depth int, inArray, nested bool, ev int, present map[string]bool) {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !addressable(k) || depth+1 > pattern.MaxDepth {
			continue
		}
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		m.value(path, depth+1, v[k], inArray, nested, false, ev, present)
	}
}

// value records one value of path.
func (m *Model) value(path string, depth int, x any, inArray, nested, elem bool, ev int, present map[string]bool) {
	f := m.fields[path]
	if f == nil {
		f = &Field{Path: path, Depth: depth, values: map[string]*Value{}}
		m.fields[path] = f
	}
	f.InArray = f.InArray || inArray
	f.Nested = f.Nested || nested
	switch t := x.(type) {
	case []any:
		f.IsArray = true
		if elem {
			f.Nested = true
		}
		for _, e := range t {
			m.value(path, depth, e, inArray, nested || elem, true, ev, present)
		}
		return
	case map[string]any:
		f.Objects++
		present[path] = true
		if len(t) == 0 {
			f.EmptyObject = true
		}
		m.walk(t, path, depth, inArray || elem, nested, ev, present)
		return
	case string:
		f.Strings++
	case json.Number:
		f.Numbers++
	case bool:
		f.Bools++
	case nil:
		f.Nulls++
	default:
		return
	}
	present[path] = true
	f.count(x, ev)
}

func (f *Field) count(x any, ev int) {
	k := Key(x)
	v := f.values[k]
	if v == nil {
		if len(f.order) >= maxValues {
			return
		}
		v = &Value{V: x, Key: k}
		f.values[k] = v
		f.order = append(f.order, v)
	}
	v.Count++
	if v.lastEv != ev {
		v.Events++
		v.lastEv = ev
	}
}

// addressable reports whether a pattern can name the member k: a dot
// always separates fields, so a name with a dot cannot be addressed.
func addressable(k string) bool {
	return k != "" && !strings.Contains(k, ".") && utf8.ValidString(k)
}

// Fields returns the fields, most often present first, then by path.
func (m *Model) Fields() []*Field {
	out := make([]*Field, 0, len(m.fields))
	for _, f := range m.fields {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Present != out[j].Present {
			return out[i].Present > out[j].Present
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// Field returns the field at path, or nil.
func (m *Model) Field(path string) *Field { return m.fields[path] }

// Absent is the number of events that lack the field.
func (m *Model) Absent(f *Field) int { return m.Events - f.Present }

// Values returns the field's values that keep returns true for, most
// frequent first, then by their canonical text.
func (f *Field) Values(keep func(any) bool) []Value {
	var out []Value
	for _, v := range f.order {
		if keep == nil || keep(v.V) {
			out = append(out, *v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Events != out[j].Events {
			return out[i].Events > out[j].Events
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Scalar reports whether the field never held an object.
func (f *Field) Scalar() bool { return f.Objects == 0 }

// isString, isNumber and friends select values by type.
func isString(x any) bool { _, ok := x.(string); return ok }
func isNumber(x any) bool { _, ok := x.(json.Number); return ok }
func isBool(x any) bool   { _, ok := x.(bool); return ok }

// quotable reports whether a string is short enough to put in a pattern.
func quotable(x any) bool {
	s, ok := x.(string)
	return ok && len(s) <= maxValueLen && utf8.ValidString(s)
}
