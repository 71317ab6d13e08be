package protocol

import (
	"encoding/json"
	"strconv"
	"strings"
)

// scanFrame decodes the frames servers send in practice, a flat object
// of the Frame fields, in one pass over the top level: the nested event
// or data is skipped over and kept as the bytes it is, never decoded.
// It runs in a small stack frame with no recursion and no allocation
// but the strings of type and session, which matters to a reader
// goroutine per connection. ok is false for anything whose decoding by
// encoding/json it cannot vouch to equal (an escape in a key or a
// string field, a key differing from a field's name only in case, a
// field given twice, a null, a number out of range, invalid JSON):
// DecodeFrame then decodes with encoding/json, which says what is wrong.
// FuzzScanFrame holds the two to the same results.
func scanFrame(data []byte) (f Frame, ok bool) {
	if !json.Valid(data) {
		return Frame{}, false
	}
	i := skipSpace(data, 0)
	if data[i] != '{' {
		return Frame{}, false
	}
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return Frame{}, true
	}
	var seen uint8
	for {
		// valid JSON: a key, a colon, a value, then a comma or the end
		end := stringEnd(data, i)
		key := data[i+1 : end]
		i = skipSpace(data, end+1) // at the colon
		i = skipSpace(data, i+1)
		vend := valueEnd(data, i)
		if !f.setField(key, data[i:vend], &seen) {
			return Frame{}, false
		}
		i = skipSpace(data, vend)
		if data[i] == '}' {
			return f, true
		}
		i = skipSpace(data, i+1) // past the comma
	}
}

// frameFields are Frame's JSON names, in the order of seen's bits.
var frameFields = [...]string{"type", "session", "pattern", "heartbeat", "seq", "event", "data"}

// setField sets the field named key to the JSON value v, as
// encoding/json would; false when it cannot be sure to.
func (f *Frame) setField(key, v []byte, seen *uint8) bool {
	for bit, name := range frameFields {
		if string(key) != name {
			if strings.EqualFold(string(key), name) || !plainASCII(key) {
				return false // encoding/json would match it, folded
			}
			continue
		}
		if *seen&(1<<bit) != 0 {
			return false
		}
		*seen |= 1 << bit
		switch name {
		case "type", "session":
			if len(v) < 2 || v[0] != '"' || !plainASCII(v[1:len(v)-1]) {
				return false
			}
			if name == "type" {
				f.Type = frameType(v[1 : len(v)-1])
			} else {
				f.Session = string(v[1 : len(v)-1])
			}
			return true
		case "heartbeat":
			n, ok := digits(v, 9) // an int on every platform
			f.Heartbeat = int(n)
			return ok
		case "seq":
			n, ok := digits(v, 19)
			f.Seq = n
			return ok
		}
		if string(v) == "null" {
			return false
		}
		switch name {
		case "pattern":
			f.Pattern = v
		case "event":
			f.Event = v
		default:
			f.Data = v
		}
		return true
	}
	return true // a key Frame has no field for: ignored
}

// frameType returns the constant for a known frame type, so that the
// type of most frames costs no allocation.
func frameType(b []byte) string {
	switch string(b) {
	case FrameTrigger:
		return FrameTrigger
	case FramePush:
		return FramePush
	case FrameSession:
		return FrameSession
	}
	return string(b)
}

func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// digits reads a JSON number of at most max decimal digits, no sign,
// fraction or exponent.
func digits(v []byte, max int) (uint64, bool) {
	if len(v) == 0 || len(v) > max {
		return 0, false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	return n, err == nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index of the quote that ends the string starting at
// data[i], in valid JSON.
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data)
}

// valueEnd is the index just past the value starting at data[i], in
// valid JSON: brackets are counted, not matched, which valid JSON makes
// the same.
func valueEnd(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			i = stringEnd(data, i)
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		default:
			if depth == 0 { // a number, true, false or null
				for i < len(data) && !strings.ContainsRune(",}] \t\n\r", rune(data[i])) {
					i++
				}
				return i
			}
		}
	}
	return i
}
