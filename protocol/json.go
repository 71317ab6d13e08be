package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// DecodeValue decodes one JSON value the way patterns see it: numbers as
// json.Number, so no digit is lost to float64. Text after the value is an
// error.
func DecodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

// DecodeEvent decodes an event, which must be a JSON object, as
// DecodeValue does.
func DecodeEvent(data []byte) (map[string]any, error) {
	v, err := DecodeValue(data)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
}

// Position returns the 1-based line and column (in characters) of the byte
// at offset in data, clamped to data.
func Position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return 1 + bytes.Count(before, []byte{'\n'}), 1 + utf8.RuneCount(before[lineStart:])
}

// Errors of CheckValue.
var (
	ErrNotJSON     = errors.New("not one JSON value")
	ErrInvalidUTF8 = errors.New("not valid UTF-8")
	ErrTooDeep     = fmt.Errorf("nested more than %d arrays or objects deep", MaxNesting)
)

// CheckValue reports whether data may be pushed, or sent as an event:
// one JSON value (surrounding white space aside), valid UTF-8 (it goes
// into a text frame, which RFC 6455 requires to be UTF-8), and nested
// at most MaxNesting deep. Its error wraps ErrNotJSON, ErrInvalidUTF8 or
// ErrTooDeep.
func CheckValue(data []byte) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: %w", ErrInvalidUTF8, invalidUTF8At(data))
	}
	if !json.Valid(data) {
		return ErrNotJSON
	}
	if d := Nesting(data); d > MaxNesting {
		return fmt.Errorf("%w: %d deep", ErrTooDeep, d)
	}
	return nil
}

// invalidUTF8At says where the first invalid sequence starts.
func invalidUTF8At(data []byte) error {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("byte %d is 0x%02x", i, data[i])
		}
		i += n
	}
	return nil
}

// Nesting is how many arrays or objects deep the JSON text data nests,
// outside its strings: 0 for a scalar, 1 for [1] or {}. It does not
// validate data.
func Nesting(data []byte) int {
	depth, most := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			most = max(most, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return most
}
