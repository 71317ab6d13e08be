package pattern

import "encoding/json"

// valueKind classifies one leaf value of an event.
type valueKind uint8

const (
	vOther   valueKind = iota // objects and Go types JSON does not produce
	vString                   // string
	vFloat                    // float64
	vDecimal                  // json.Number
	vBool                     // bool
	vNull                     // nil
)

// decBufSize is the number of significant digits of a json.Number that are
// parsed without allocating.
const decBufSize = 40

// value is one event leaf, classified once so that every matcher of a
// condition can look at it cheaply.
type value struct {
	kind valueKind
	s    string
	f    float64
	d    decimal
	b    bool
}

// classify fills v from the event leaf x. buf backs the digits of a
// json.Number; pass a stack array to avoid allocating.
func classify(x any, buf []byte) value {
	switch t := x.(type) {
	case string:
		return value{kind: vString, s: t}
	case float64:
		return value{kind: vFloat, f: t}
	case json.Number:
		d, ok := parseDecimal(string(t), buf)
		if !ok {
			return value{kind: vOther}
		}
		return value{kind: vDecimal, d: d}
	case bool:
		return value{kind: vBool, b: t}
	case nil:
		return value{kind: vNull}
	}
	return value{kind: vOther}
}

func (v *value) isNumber() bool { return v.kind == vFloat || v.kind == vDecimal }

// cmpNumber compares a numeric value with a pattern number: exactly for
// json.Number, in float64 for float64. ok is false for non-numbers.
func (v *value) cmpNumber(n *number) (c int, ok bool) {
	switch v.kind {
	case vFloat:
		switch {
		case v.f < n.f:
			return -1, true
		case v.f > n.f:
			return 1, true
		case v.f == n.f:
			return 0, true
		}
		return 0, false // NaN, which JSON cannot produce
	case vDecimal:
		return cmpDecimal(v.d, n.d), true
	}
	return 0, false
}
