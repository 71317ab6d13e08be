package pattern

import (
	"strconv"
	"strings"
)

// explainValues is the number of event values an explanation quotes.
const explainValues = 4

// Explain reports whether the event matches and, when it does not, why:
// the first condition that fails, in the order of Fields, and the reason,
// for example
//
//	field "org": "Apple" is not one of ["IBM"]
//	field "employee.title" is absent
//
// On a match the reason is "". Explain allocates; use Match on hot paths.
func (p *Pattern) Explain(event any) (ok bool, reason string) {
	cs := p.conditions()
	for i := range cs {
		c := &cs[i]
		present, hit := c.eval(event, c.segs)
		if hit || (!present && c.absentOK) {
			continue
		}
		return false, c.explain(event, present)
	}
	return true, ""
}

// explain words the failure of c on event.
func (c *cond) explain(event any, present bool) string {
	field := "field " + strconv.Quote(c.path)
	if !present {
		return field + " is absent"
	}
	if len(c.ms) == 1 && c.ms[0].kind == kExists && !c.ms[0].b {
		return field + " is present but must be absent"
	}
	vals, more := collectValues(event, c.segs, nil, explainValues)
	var b strings.Builder
	b.WriteString(field)
	b.WriteString(": ")
	single := len(vals) == 1 && !more
	switch {
	case single && c.allEq:
		b.WriteString(shortJSON(vals[0]) + " is not one of ")
	case single:
		b.WriteString(shortJSON(vals[0]) + " does not match ")
	case c.allEq:
		b.WriteString("none of ")
		writeValues(&b, vals, more)
		b.WriteString(" is one of ")
	default:
		b.WriteString("none of ")
		writeValues(&b, vals, more)
		b.WriteString(" matches ")
	}
	b.WriteByte('[')
	for i := range c.ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.ms[i].enc)
	}
	b.WriteByte(']')
	return b.String()
}

func writeValues(b *strings.Builder, vals []any, more bool) {
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(shortJSON(v))
	}
	if more {
		b.WriteString(",…")
	}
	b.WriteByte(']')
}
