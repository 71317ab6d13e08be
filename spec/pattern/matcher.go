package pattern

import (
	"strings"
)

// kind is the kind of one element of an array leaf.
type kind uint8

const (
	kEqString kind = iota
	kEqNumber
	kEqBool
	kEqNull
	kPrefix
	kSuffix
	kEqFold
	kWildcard
	kAnythingBut
	kExists
	kNumeric
)

// Operator names, as written in a pattern.
const (
	opPrefix      = "prefix"
	opSuffix      = "suffix"
	opEqFold      = "equals-ignore-case"
	opWildcard    = "wildcard"
	opAnythingBut = "anything-but"
	opExists      = "exists"
	opNumeric     = "numeric"
)

// cmpOp is a comparison operator of "numeric".
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

var cmpOps = map[string]cmpOp{"=": cmpEq, "!=": cmpNe, "<": cmpLt, "<=": cmpLe, ">": cmpGt, ">=": cmpGe}

// comparison is one operator/number pair of "numeric".
type comparison struct {
	op  cmpOp
	txt string
	n   number
}

func (c *comparison) holds(v *value) bool {
	r, ok := v.cmpNumber(&c.n)
	return ok && c.op.test(r)
}

// test reports whether the result r of comparing a value with the
// operand (-1, 0 or +1) meets the operator.
func (op cmpOp) test(r int) bool {
	switch op {
	case cmpEq:
		return r == 0
	case cmpNe:
		return r != 0
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	}
	return r >= 0
}

// matcher is one element of an array leaf: a scalar to compare with, or
// an operator. Conditions hold a slice of them, ORed.
type matcher struct {
	kind kind
	s    string       // string operand, wildcard pattern as written
	n    number       // kEqNumber
	b    bool         // kEqBool, kExists
	glob []string     // kWildcard: literal pieces between the stars
	notS []string     // kAnythingBut strings
	notN []number     // kAnythingBut numbers
	cmps []comparison // kNumeric, ANDed
	enc  string       // canonical JSON
}

// match reports whether the event leaf v satisfies m.
func (m *matcher) match(v *value) bool {
	switch m.kind {
	case kEqString:
		return v.kind == vString && v.s == m.s
	case kEqNumber:
		c, ok := v.cmpNumber(&m.n)
		return ok && c == 0
	case kEqBool:
		return v.kind == vBool && v.b == m.b
	case kEqNull:
		return v.kind == vNull
	case kPrefix:
		return v.kind == vString && strings.HasPrefix(v.s, m.s)
	case kSuffix:
		return v.kind == vString && strings.HasSuffix(v.s, m.s)
	case kEqFold:
		return v.kind == vString && strings.EqualFold(v.s, m.s)
	case kWildcard:
		return v.kind == vString && globMatch(m.glob, v.s)
	case kAnythingBut:
		return m.anythingBut(v)
	case kExists:
		return m.b
	case kNumeric:
		return m.numeric(v)
	}
	return false
}

func (m *matcher) anythingBut(v *value) bool {
	switch v.kind {
	case vOther:
		return false
	case vString:
		for _, s := range m.notS {
			if v.s == s {
				return false
			}
		}
	case vFloat, vDecimal:
		for i := range m.notN {
			if c, _ := v.cmpNumber(&m.notN[i]); c == 0 {
				return false
			}
		}
	}
	return true
}

func (m *matcher) numeric(v *value) bool {
	if !v.isNumber() {
		return false
	}
	for i := range m.cmps {
		if !m.cmps[i].holds(v) {
			return false
		}
	}
	return true
}

// isEquality reports whether m compares by plain equality.
func (m *matcher) isEquality() bool { return m.kind <= kEqNull }

// globMatch matches s against a wildcard split at its stars: pieces[0] must
// start s, the last piece must end it, and the pieces between must appear
// in order. With no star there is a single piece that must equal s.
// Leftmost matching of the middle pieces is optimal for star-only globs.
func globMatch(pieces []string, s string) bool {
	if len(pieces) == 1 {
		return s == pieces[0]
	}
	first, last := pieces[0], pieces[len(pieces)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	mid := s[len(first) : len(s)-len(last)]
	for _, p := range pieces[1 : len(pieces)-1] {
		i := strings.Index(mid, p)
		if i < 0 {
			return false
		}
		mid = mid[i+len(p):]
	}
	return true
}

// splitWildcard splits a wildcard operand at its unescaped stars and
// resolves the escapes \* (a literal star) and \\ (a literal backslash).
func splitWildcard(w string) ([]string, string) {
	var pieces []string
	var cur strings.Builder
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '*':
			pieces = append(pieces, cur.String())
			cur.Reset()
		case '\\':
			if i+1 >= len(w) || (w[i+1] != '*' && w[i+1] != '\\') {
				return nil, `wildcard has a backslash that is not followed by "*" or "\"`
			}
			i++
			cur.WriteByte(w[i])
		default:
			cur.WriteByte(c)
		}
	}
	return append(pieces, cur.String()), ""
}
