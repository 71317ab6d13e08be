package pattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ruleSyntax describes the compact rule form in error messages.
const ruleSyntax = "field=value|value;field=value"

// parseRule parses s (trimmed, not starting with "{") in the compact rule
// form: clauses separated by ";" (AND), each "field=value|value" (OR),
// with white space around names and values ignored and %XX escapes
// decoded in both.
func parseRule(s string) (*Pattern, error) {
	if !strings.Contains(s, "=") {
		return nil, newError("", "neither a JSON object nor a rule of the form "+ruleSyntax)
	}
	var b builder
	for _, clause := range strings.Split(s, ";") {
		clause = trimSpace(clause)
		if clause == "" {
			continue
		}
		if err := parseClause(&b, clause); err != nil {
			return nil, err
		}
	}
	return b.pattern()
}

// parseClause parses one "field=value|value" clause into b.
func parseClause(b *builder, clause string) error {
	eq := strings.IndexByte(clause, '=')
	if eq < 0 {
		return newError("", fmt.Sprintf("rule clause %q has no \"=\" (want %s)", clause, ruleSyntax))
	}
	rawName := trimSpace(clause[:eq])
	name, reason := unescape(rawName)
	if reason != "" {
		return newError(rawName, "field name: "+reason)
	}
	if name == "" {
		return newError("", fmt.Sprintf("rule clause %q has an empty field name", clause))
	}
	segs, err := appendPath(nil, name)
	if err != nil {
		return err
	}
	path := strings.Join(segs, ".")
	var ms []matcher
	for _, raw := range strings.Split(clause[eq+1:], "|") {
		raw = trimSpace(raw)
		if raw == "" {
			return newError(path, `empty value (the rule form cannot express ""; use the JSON form)`)
		}
		v, reason := unescape(raw)
		if reason != "" {
			return newError(path, reason)
		}
		ms = append(ms, matcher{kind: kEqString, s: v, enc: quote(v)})
	}
	return b.add(segs, ms)
}

// unescape decodes the %XX escapes of a rule name or value.
func unescape(s string) (string, string) {
	if !strings.Contains(s, "%") {
		return s, ""
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
			return "", fmt.Sprintf("invalid escape in %q: %% must be followed by two hex digits", s)
		}
		out = append(out, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
		i += 2
	}
	if !utf8.Valid(out) {
		return "", fmt.Sprintf("%q decodes to invalid UTF-8", s)
	}
	return string(out), ""
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Rule returns the pattern in the compact rule form, and false when the
// form cannot express it (the rule form only has string equality, and no
// empty strings) or when the rule would be longer than MaxSize. Names and values escape "%", ";", "|" and "=" as %XX,
// as well as white space at their ends and a "{", "[" or `"` that starts
// a name (so that the rule is never taken for JSON).
func (p *Pattern) Rule() (string, bool) {
	cs := p.conditions()
	if len(cs) == 0 {
		return "", false
	}
	var b strings.Builder
	for i := range cs {
		c := &cs[i]
		if !c.allStr {
			return "", false
		}
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(escape(c.path, true))
		b.WriteByte('=')
		for j := range c.ms {
			if c.ms[j].s == "" {
				return "", false
			}
			if j > 0 {
				b.WriteByte('|')
			}
			b.WriteString(escape(c.ms[j].s, false))
		}
	}
	if b.Len() > MaxSize {
		return "", false
	}
	return b.String(), true
}

// escape percent-encodes what the rule syntax would otherwise take apart.
func escape(s string, name bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		edge := i == 0 || i == len(s)-1
		switch {
		case c == '%' || c == ';' || c == '|' || c == '=',
			edge && (c == ' ' || c == '\t' || c == '\r' || c == '\n'),
			name && i == 0 && (c == '{' || c == '[' || c == '"'):
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
