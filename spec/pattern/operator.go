package pattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// newScalar returns the equality matcher for a scalar JSON token.
func newScalar(tok any) (matcher, string) {
	switch t := tok.(type) {
	case string:
		return matcher{kind: kEqString, s: t, enc: quote(t)}, ""
	case json.Number:
		n, ok := parseNumber(string(t))
		if !ok {
			return matcher{}, fmt.Sprintf("invalid number %s", string(t))
		}
		return matcher{kind: kEqNumber, n: n, enc: n.String()}, ""
	case bool:
		return matcher{kind: kEqBool, b: t, enc: strconv.FormatBool(t)}, ""
	case nil:
		return matcher{kind: kEqNull, enc: "null"}, ""
	}
	return matcher{}, fmt.Sprintf("unexpected %s", typeName(tok))
}

// newOperator builds the matcher for the operator object {name: operand}.
// It returns a non-empty reason when the operator or operand is invalid.
func newOperator(name string, operand any) (matcher, string) {
	switch name {
	case opPrefix, opSuffix, opEqFold, opWildcard:
		return newStringOp(name, operand)
	case opAnythingBut:
		return newAnythingBut(operand)
	case opExists:
		b, ok := operand.(bool)
		if !ok {
			return matcher{}, operandError(name, "a boolean", operand)
		}
		return matcher{kind: kExists, b: b, enc: `{"exists":` + strconv.FormatBool(b) + "}"}, ""
	case opNumeric:
		return newNumeric(operand)
	}
	return matcher{}, "unknown operator " + strconv.Quote(name)
}

// knownOperator reports whether name is an operator of the language.
func knownOperator(name string) bool {
	switch name {
	case opPrefix, opSuffix, opEqFold, opWildcard, opAnythingBut, opExists, opNumeric:
		return true
	}
	return false
}

func operandError(name, want string, got any) string {
	return fmt.Sprintf("operator %q needs %s, got %s", name, want, typeName(got))
}

func newStringOp(name string, operand any) (matcher, string) {
	s, ok := operand.(string)
	if !ok {
		return matcher{}, operandError(name, "a string", operand)
	}
	m := matcher{s: s, enc: `{"` + name + `":` + quote(s) + "}"}
	switch name {
	case opPrefix:
		m.kind = kPrefix
	case opSuffix:
		m.kind = kSuffix
	case opEqFold:
		m.kind = kEqFold
	default:
		m.kind = kWildcard
		pieces, reason := splitWildcard(s)
		if reason != "" {
			return matcher{}, reason
		}
		m.glob = pieces
	}
	return m, ""
}

func newAnythingBut(operand any) (matcher, string) {
	list, isList := operand.([]any)
	if !isList {
		list = []any{operand}
	} else if len(list) == 0 {
		return matcher{}, `operator "anything-but" has an empty array`
	}
	m := matcher{kind: kAnythingBut}
	encs := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, x := range list {
		var enc string
		switch t := x.(type) {
		case string:
			enc = quote(t)
			if !seen[enc] {
				m.notS = append(m.notS, t)
			}
		case json.Number:
			n, ok := parseNumber(string(t))
			if !ok {
				return matcher{}, "invalid number " + string(t)
			}
			enc = n.String()
			if !seen[enc] {
				m.notN = append(m.notN, n)
			}
		default:
			return matcher{}, operandError(opAnythingBut, "a string, a number or an array of them", x)
		}
		if !seen[enc] {
			seen[enc] = true
			encs = append(encs, enc)
		}
	}
	sort.Strings(encs)
	if len(encs) == 1 {
		m.enc = `{"anything-but":` + encs[0] + "}"
	} else {
		m.enc = `{"anything-but":[` + strings.Join(encs, ",") + "]}"
	}
	return m, ""
}

func newNumeric(operand any) (matcher, string) {
	const want = `an array of one or more comparisons such as [">=",10,"<",20]`
	list, ok := operand.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 {
		return matcher{}, `operator "numeric" needs ` + want
	}
	m := matcher{kind: kNumeric}
	parts := make([]string, 0, len(list))
	for i := 0; i < len(list); i += 2 {
		opText, ok := list[i].(string)
		op, known := cmpOps[opText]
		if !ok || !known {
			return matcher{}, fmt.Sprintf(`operator "numeric": %s is not one of "=", "!=", "<", "<=", ">", ">="`, shortJSON(list[i]))
		}
		num, ok := list[i+1].(json.Number)
		if !ok {
			return matcher{}, fmt.Sprintf(`operator "numeric": %q needs a number, got %s`, opText, typeName(list[i+1]))
		}
		n, ok := parseNumber(string(num))
		if !ok {
			return matcher{}, "invalid number " + string(num)
		}
		m.cmps = append(m.cmps, comparison{op: op, txt: opText, n: n})
		parts = append(parts, quote(opText), n.String())
	}
	m.enc = `{"numeric":[` + strings.Join(parts, ",") + "]}"
	return m, ""
}

// typeName names the JSON type of a decoded value, for error messages.
func typeName(x any) string {
	switch x.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", x)
}

// quote writes s as a JSON string, escaping only what JSON requires.
// s must be valid UTF-8.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
		i++
	}
	b.WriteByte('"')
	return b.String()
}

// shortJSON renders a decoded value for a message, cut to a readable length.
func shortJSON(x any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return fmt.Sprintf("%v", x)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	const maxLen = 60
	if len(b) > maxLen {
		n := maxLen
		for n > 0 && !utf8.Valid(b[:n]) {
			n--
		}
		return string(b[:n]) + "…"
	}
	return string(b)
}
