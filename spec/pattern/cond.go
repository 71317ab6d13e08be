package pattern

import (
	"sort"
	"strings"
)

// strSetMin is the number of string alternatives from which a condition
// looks strings up in a map instead of comparing them one by one.
const strSetMin = 8

// cond is one condition of a pattern: the leaf at a dotted path and the
// matchers (ORed) that one of its values must satisfy.
type cond struct {
	path     string
	segs     []string
	ms       []matcher           // sorted by enc, without duplicates
	strs     map[string]struct{} // string equalities, when there are many
	absentOK bool                // {"exists":false} is among ms
	allEq    bool                // every matcher is a plain equality
	allStr   bool                // every matcher is a string equality
	keyable  bool                // every matcher is a string equality or equals-ignore-case
}

// newCond sorts and deduplicates the matchers and precomputes the flags.
func newCond(segs []string, ms []matcher) cond {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].enc < ms[j].enc })
	out := ms[:0]
	for i := range ms {
		if len(out) > 0 && out[len(out)-1].enc == ms[i].enc {
			continue
		}
		out = append(out, ms[i])
	}
	c := cond{path: strings.Join(segs, "."), segs: segs, ms: out, allEq: true, allStr: true, keyable: true}
	nstr := 0
	for i := range out {
		m := &out[i]
		c.absentOK = c.absentOK || (m.kind == kExists && !m.b)
		c.allEq = c.allEq && m.isEquality()
		c.allStr = c.allStr && m.kind == kEqString
		c.keyable = c.keyable && (m.kind == kEqString || m.kind == kEqFold)
		if m.kind == kEqString {
			nstr++
		}
	}
	if nstr >= strSetMin {
		c.strs = make(map[string]struct{}, nstr)
		for i := range out {
			if out[i].kind == kEqString {
				c.strs[out[i].s] = struct{}{}
			}
		}
	}
	return c
}

// holds reports whether the condition is met by the event.
func (c *cond) holds(event any) bool {
	present, ok := c.eval(event, c.segs)
	return ok || (!present && c.absentOK)
}

// eval walks the event along segs, descending into every element of the
// arrays it meets. present reports whether any value was found at the end
// of the path, ok whether one of them matched.
func (c *cond) eval(v any, segs []string) (present, ok bool) {
	if len(segs) == 0 {
		return c.evalLeaf(v)
	}
	switch x := v.(type) {
	case map[string]any:
		child, has := x[segs[0]]
		if !has {
			return false, false
		}
		return c.eval(child, segs[1:])
	case []any:
		for _, e := range x {
			p, o := c.eval(e, segs)
			if o {
				return true, true
			}
			present = present || p
		}
		return present, false
	}
	return false, false
}

func (c *cond) evalLeaf(v any) (present, ok bool) {
	if arr, isArr := v.([]any); isArr {
		for _, e := range arr {
			p, o := c.evalLeaf(e)
			if o {
				return true, true
			}
			present = present || p
		}
		return present, false
	}
	return true, c.matchValue(v)
}

// matchValue reports whether one leaf value satisfies any matcher.
func (c *cond) matchValue(x any) bool {
	var buf [decBufSize]byte
	v := classify(x, buf[:0])
	if c.strs != nil && v.kind == vString {
		if _, hit := c.strs[v.s]; hit {
			return true
		}
	}
	for i := range c.ms {
		m := &c.ms[i]
		if c.strs != nil && m.kind == kEqString {
			continue
		}
		if m.match(&v) {
			return true
		}
	}
	return false
}

// collectValues appends up to max values found at segs to out; more
// reports whether there were others.
func collectValues(v any, segs []string, out []any, max int) (_ []any, more bool) {
	if len(segs) == 0 {
		if arr, isArr := v.([]any); isArr {
			for _, e := range arr {
				var m bool
				out, m = collectValues(e, nil, out, max)
				more = more || m
			}
			return out, more
		}
		if len(out) >= max {
			return out, true
		}
		return append(out, v), false
	}
	switch x := v.(type) {
	case map[string]any:
		if child, has := x[segs[0]]; has {
			return collectValues(child, segs[1:], out, max)
		}
	case []any:
		for _, e := range x {
			var m bool
			out, m = collectValues(e, segs, out, max)
			more = more || m
		}
	}
	return out, more
}
