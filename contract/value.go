package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/wstrigger/wstrigger/contract/internal/oracle"
)

// Pushed data arrives "unchanged" when it is the same JSON value (RFC
// 8259), not the same bytes (docs/protocol.md §3.1): a server may re-encode
// it, so member order, white space, escapes and the spelling of numbers
// may change. Strings must keep their characters. Numbers must keep
// their exact value where an IEEE 754 double holds it exactly, and
// should keep it everywhere else: a server that parses into doubles
// rounds 23-digit integers, which is a SHOULD departure, not a MUST one.

// valueDiff is how a received value departs from the one sent: must is
// set when it breaks the MUST rule, and where and what say how.
type valueDiff struct {
	must  bool
	where string // a JSON pointer
	what  string
}

// compareValues compares a received JSON text with the one sent, as
// values. It returns nil when they are the same value, exactly.
func compareValues(sent, got []byte) *valueDiff {
	a, errA := decodeValue(sent)
	b, errB := decodeValue(got)
	switch {
	case errA != nil:
		return &valueDiff{must: true, where: "", what: "the value sent does not decode: " + errA.Error()}
	case errB != nil:
		return &valueDiff{must: true, where: "", what: "the value received does not decode: " + errB.Error()}
	}
	return diffValues("", a, b)
}

// sameValue reports whether two JSON texts are the same value, exactly.
func sameValue(a, b []byte) bool { return compareValues(a, b) == nil }

func decodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

func diffValues(at string, a, b any) *valueDiff {
	differ := func(what string, args ...any) *valueDiff {
		return &valueDiff{must: true, where: at, what: fmt.Sprintf(what, args...)}
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return differ("an object became %s", kindOf(b))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var worst *valueDiff
		for _, k := range keys {
			yv, ok := y[k]
			if !ok {
				return differ("member %q is missing", k)
			}
			if d := diffValues(at+"/"+escapePointer(k), x[k], yv); d != nil && (worst == nil || d.must && !worst.must) {
				worst = d
			}
		}
		if len(y) != len(x) {
			return differ("the object gained members (%d, sent %d)", len(y), len(x))
		}
		return worst
	case []any:
		y, ok := b.([]any)
		if !ok {
			return differ("an array became %s", kindOf(b))
		}
		if len(y) != len(x) {
			return differ("an array of %d elements became one of %d", len(x), len(y))
		}
		var worst *valueDiff
		for i := range x {
			if d := diffValues(at+"/"+strconv.Itoa(i), x[i], y[i]); d != nil && (worst == nil || d.must && !worst.must) {
				worst = d
			}
		}
		return worst
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return differ("a number became %s", kindOf(b))
		}
		return diffNumbers(at, x, y)
	case string:
		y, ok := b.(string)
		switch {
		case !ok:
			return differ("a string became %s", kindOf(b))
		case x != y:
			return differ("the string's characters changed: %s became %s", quoteCut(x), quoteCut(y))
		}
		return nil
	default: // bool, nil
		if a != b {
			return differ("%s became %s", kindOf(a), kindOf(b))
		}
		return nil
	}
}

// maxExponent bounds the exponents compared exactly, so that a number
// such as 1e999999999 cannot make a huge rational.
const maxExponent = 4096

// diffNumbers compares two numbers by exact value. A change is a MUST
// departure when a double holds the sent number exactly, or when the
// received number is not even the same double; otherwise it is a SHOULD
// departure (the precision a double-parsing server loses).
func diffNumbers(at string, sent, got json.Number) *valueDiff {
	rs, okS := exactRat(sent)
	rg, okG := exactRat(got)
	if okS && okG && rs.Cmp(rg) == 0 {
		return nil
	}
	if !okS || !okG {
		if sent.String() == got.String() {
			return nil
		}
	}
	d := &valueDiff{where: at, what: fmt.Sprintf("the number %s arrived as %s", cut(sent.String()), cut(got.String()))}
	fs, errS := strconv.ParseFloat(sent.String(), 64)
	fg, errG := strconv.ParseFloat(got.String(), 64)
	doubleExact := okS && errS == nil && !math.IsInf(fs, 0) && new(big.Rat).SetFloat64(fs).Cmp(rs) == 0
	switch {
	case doubleExact:
		d.must = true
		d.what += ": a double holds it exactly, so its value must not change"
	case errS != nil || errG != nil || fs != fg:
		d.must = true
		d.what += ": not even the same double"
	default:
		d.what += ": a double cannot hold it exactly, and it was rounded to one"
	}
	return d
}

// exactRat is a JSON number as an exact rational; ok is false when its
// exponent is beyond maxExponent.
func exactRat(n json.Number) (*big.Rat, bool) {
	s := n.String()
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return nil, false
		}
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case bool:
		return fmt.Sprintf("%v", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func cut(s string) string { return truncate(s, 60) }

func quoteCut(s string) string { return strconv.QuoteToASCII(truncate(s, 60)) }

// valueKey is a JSON text's key: two encodings of one value have the
// same key (oracle.Key); a text that does not decode is its own key.
func valueKey(data []byte) string {
	v, err := decodeValue(data)
	if err != nil {
		return string(data)
	}
	return oracle.Key(v)
}
