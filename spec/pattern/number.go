package pattern

import (
	"bytes"
	"strconv"
)

// decimal is an exact decimal number: 0.digits × 10^exp, with digits free of
// leading and trailing zeros. Zero has no digits, exp 0 and neg false.
type decimal struct {
	neg    bool
	digits []byte
	exp    int64
}

// maxExp bounds the exponent of a parsed number; larger exponents saturate.
// No number a JSON encoder writes comes anywhere near it.
const maxExp = 1 << 50

// parseDecimal parses a JSON number (leading zeros tolerated) into a decimal,
// appending its significant digits to buf. The result's digits alias buf, so
// a caller passing a stack array keeps the parse free of allocations for
// numbers of up to cap(buf) significant digits.
func parseDecimal(s string, buf []byte) (decimal, bool) {
	d := decimal{digits: buf[:0]}
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	start := i
	for ; i < len(s) && isDigit(s[i]); i++ {
		if len(d.digits) == 0 && s[i] == '0' {
			continue
		}
		d.digits = append(d.digits, s[i])
		d.exp++
	}
	if i == start {
		return decimal{}, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		fstart := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if len(d.digits) == 0 && s[i] == '0' {
				d.exp--
				continue
			}
			d.digits = append(d.digits, s[i])
		}
		if i == fstart {
			return decimal{}, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		e, n, ok := parseExp(s[i+1:])
		if !ok {
			return decimal{}, false
		}
		d.exp += e
		i += 1 + n
	}
	if i != len(s) {
		return decimal{}, false
	}
	for len(d.digits) > 0 && d.digits[len(d.digits)-1] == '0' {
		d.digits = d.digits[:len(d.digits)-1]
	}
	if len(d.digits) == 0 {
		return decimal{digits: d.digits}, true
	}
	return d, true
}

// parseExp parses the signed exponent digits at the start of s, saturating at
// maxExp, and returns the value and the number of bytes consumed.
func parseExp(s string) (int64, int, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var e int64
	for ; i < len(s) && isDigit(s[i]); i++ {
		if e < maxExp {
			e = e*10 + int64(s[i]-'0')
		}
	}
	if i == start {
		return 0, 0, false
	}
	e = min(e, maxExp)
	if neg {
		e = -e
	}
	return e, i, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// cmpDecimal compares two decimals exactly: -1, 0 or +1.
func cmpDecimal(a, b decimal) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb)
	}
	var m int
	switch {
	case a.exp != b.exp:
		m = cmpInt(a.exp, b.exp)
	default:
		m = bytes.Compare(a.digits, b.digits)
	}
	if a.neg {
		return -m
	}
	return m
}

func (d decimal) sign() int64 {
	switch {
	case len(d.digits) == 0:
		return 0
	case d.neg:
		return -1
	}
	return 1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats d as the shortest plain JSON number for moderate
// exponents and in scientific notation otherwise.
func (d decimal) String() string {
	if len(d.digits) == 0 {
		return "0"
	}
	var b []byte
	if d.neg {
		b = append(b, '-')
	}
	n := int64(len(d.digits))
	switch {
	case d.exp > 0 && d.exp <= 21:
		if d.exp >= n {
			b = append(b, d.digits...)
			b = append(b, bytes.Repeat([]byte{'0'}, int(d.exp-n))...)
		} else {
			b = append(b, d.digits[:d.exp]...)
			b = append(b, '.')
			b = append(b, d.digits[d.exp:]...)
		}
	case d.exp <= 0 && d.exp > -6:
		b = append(b, '0', '.')
		b = append(b, bytes.Repeat([]byte{'0'}, int(-d.exp))...)
		b = append(b, d.digits...)
	default:
		b = append(b, d.digits[0])
		if n > 1 {
			b = append(b, '.')
			b = append(b, d.digits[1:]...)
		}
		b = append(b, 'e')
		b = strconv.AppendInt(b, d.exp-1, 10)
	}
	return string(b)
}

// number is a number of a pattern: exact for json.Number events, rounded
// to the nearest float64 for float64 events.
type number struct {
	f float64
	d decimal
}

// parseNumber parses a JSON number literal of a pattern.
func parseNumber(s string) (number, bool) {
	d, ok := parseDecimal(s, nil)
	if !ok {
		return number{}, false
	}
	// ParseFloat rounds correctly; out-of-range values become ±Inf or 0,
	// which is the float64 nearest to them.
	f, _ := strconv.ParseFloat(d.String(), 64)
	return number{f: f, d: d}, true
}

func (n number) String() string { return n.d.String() }
