package oracle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// Decode decodes one event: a JSON object, numbers kept as json.Number
// so that spec/pattern compares them exactly. It refuses what decoders
// in other languages read differently, so that such an event is neither
// learned from nor judged: a member name twice in one object (the first
// or the last may win) and an escaped UTF-16 surrogate (a lone one
// becomes U+FFFD here and stays itself in JavaScript).
func Decode(raw []byte) (map[string]any, error) {
	if hasSurrogateEscape(raw) {
		return nil, errors.New("oracle: the event has an escaped UTF-16 surrogate")
	}
	if err := uniqueNames(raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errors.New("oracle: the event is null, not an object")
	}
	if dec.More() {
		return nil, errors.New("oracle: trailing data after the event")
	}
	return v, nil
}

// hasSurrogateEscape reports whether raw holds \uD800 to \uDFFF.
func hasSurrogateEscape(raw []byte) bool {
	for i := 0; i+5 < len(raw); i++ {
		if raw[i] == '\\' {
			if raw[i+1] == 'u' && (raw[i+2] == 'd' || raw[i+2] == 'D') && strings.IndexByte("89abAB", raw[i+3]) >= 0 {
				return true
			}
			i++ // an escaped backslash is not the start of an escape
		}
	}
	return false
}

// uniqueNames fails when an object of raw has a member name twice.
func uniqueNames(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		names map[string]bool
		isObj bool
		key   bool // the next token of an object is a name
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // not JSON: Decode reports it
		}
		var top *level
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.isObj && top.key {
			if name, ok := tok.(string); ok {
				if top.names[name] {
					return fmt.Errorf("oracle: the member %q appears twice in one object", name)
				}
				top.names[name] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{names: map[string]bool{}, isObj: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return nil // the top-level value ended
		}
		if top := stack[len(stack)-1]; top.isObj {
			top.key = true // a value ended: a name comes next
		}
	}
}

// Key returns the canonical form of a decoded event: members sorted,
// no white space, strings re-escaped one way, numbers written as the
// nearest double in shortest form (exact decimal text when no double
// holds them). Two copies of one event re-encoded by a server have the
// same key.
func Key(v any) string {
	var b strings.Builder
	writeKey(&b, v)
	return b.String()
}

func writeKey(b *strings.Builder, v any) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeKey(b, t[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, e)
		}
		b.WriteByte(']')
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(keyNumber(string(t)))
	case float64:
		b.WriteString(keyNumber(strconv.FormatFloat(t, 'g', -1, 64)))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	default:
		b.WriteString("?")
	}
}

// writeString writes s as a JSON string, escaping only what JSON
// requires (and invalid UTF-8 as U+FFFD, as encoding/json decodes it).
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// keyNumber writes a number as the nearest double, shortest form.
func keyNumber(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		if d, ok := parseDec(s); ok {
			return d.String()
		}
		return s
	}
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// safeDigits is the most significant digits a number may have for a
// double to order it exactly against other such numbers: every decimal
// of up to 15 digits maps to a distinct double, in order.
const safeDigits = 15

// SafeNumber reports whether a JSON number compares the same exactly
// and as a double: at most 15 significant digits, within the range of
// normal doubles.
func SafeNumber(s string) bool {
	d, ok := parseDec(s)
	if !ok {
		return false
	}
	if len(d.digits) == 0 {
		return true
	}
	e := d.exp + len(d.digits) - 1 // exponent of the leading digit
	return len(d.digits) <= safeDigits && e > -300 && e < 300
}

// dec is a decimal number: digits × 10^exp, digits without leading or
// trailing zeros (none for zero).
type dec struct {
	neg    bool
	digits string
	exp    int
}

// parseDec parses a JSON number.
func parseDec(s string) (dec, bool) {
	if !isJSONNumber(s) {
		return dec{}, false
	}
	var d dec
	if s[0] == '-' {
		d.neg, s = true, s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil {
			return dec{}, false // an exponent beyond int: not worth ordering
		}
		mant, exp = s[:i], e
	}
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		exp -= len(mant) - i - 1
		mant = mant[:i] + mant[i+1:]
	}
	mant = strings.TrimLeft(mant, "0")
	trimmed := strings.TrimRight(mant, "0")
	exp += len(mant) - len(trimmed)
	d.digits, d.exp = trimmed, exp
	if d.digits == "" {
		return dec{}, true
	}
	return d, true
}

// String writes d as digits and an exponent: 35e-1 for 3.5.
func (d dec) String() string {
	if d.digits == "" {
		return "0"
	}
	s := d.digits
	if d.exp != 0 {
		s += "e" + strconv.Itoa(d.exp)
	}
	if d.neg {
		s = "-" + s
	}
	return s
}

// sci writes d in scientific notation: 2.49e-30.
func (d dec) sci() string {
	s := d.digits[:1]
	if len(d.digits) > 1 {
		s += "." + d.digits[1:]
	}
	s += "e" + strconv.Itoa(d.exp+len(d.digits)-1)
	if d.neg {
		s = "-" + s
	}
	return s
}

// plain writes d in positional notation: 0.929, 1793610000327.
func (d dec) plain() string {
	if d.digits == "" {
		return "0"
	}
	var s string
	switch {
	case d.exp >= 0:
		s = d.digits + strings.Repeat("0", d.exp)
	case -d.exp < len(d.digits):
		cut := len(d.digits) + d.exp
		s = d.digits[:cut] + "." + d.digits[cut:]
	default:
		s = "0." + strings.Repeat("0", -d.exp-len(d.digits)) + d.digits
	}
	if d.neg {
		s = "-" + s
	}
	return s
}

// isJSONNumber reports whether s is a number as RFC 8259 writes one.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// neighbours returns numbers just below and just above the JSON number
// s, written as JSON numbers with at most safeDigits digits: one more
// digit than s has when that fits (0.929 and 0.931 around 0.93), else
// one unit of its last digit (1793610000325 and …327).
func neighbours(s string) (below, above string, ok bool) {
	d, ok := parseDec(s)
	if !ok || !SafeNumber(s) {
		return "", "", false
	}
	m, _ := new(big.Int).SetString("0"+d.digits, 10)
	if d.neg {
		m.Neg(m)
	}
	exp := d.exp
	if len(d.digits) < safeDigits {
		m.Mul(m, big.NewInt(10))
		exp--
	}
	lo := new(big.Int).Sub(m, big.NewInt(1))
	hi := new(big.Int).Add(m, big.NewInt(1))
	return fromBig(lo, exp), fromBig(hi, exp), true
}

// fromBig writes m × 10^exp as a JSON number.
func fromBig(m *big.Int, exp int) string {
	txt := m.String()
	var d dec
	if strings.HasPrefix(txt, "-") {
		d.neg, txt = true, txt[1:]
	}
	trimmed := strings.TrimRight(strings.TrimLeft(txt, "0"), "0")
	if trimmed == "" {
		return "0"
	}
	d.digits = trimmed
	d.exp = exp + len(strings.TrimLeft(txt, "0")) - len(trimmed)
	if d.exp > 20 || d.exp < -20 {
		return d.sci()
	}
	return d.plain()
}
