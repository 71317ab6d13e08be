package load

import (
	"encoding/json"
	"strconv"
)

// maxPayload is the largest push body the protocol accepts.
const maxPayload = 64 << 10

// header is what each push carries to identify it at the receiver:
// {"lt":{"id":ID,"sub":SUB,"t":INTENDED,"s":SENT},"pad":"..."}, with the
// intended and actual send times in Unix nanoseconds.
type header struct {
	ID       uint64 `json:"id"`
	Sub      int    `json:"sub"`
	Intended int64  `json:"t"`
	Sent     int64  `json:"s"`
}

// appendPayload appends the push body of h, padded to size bytes with
// "pad" when size leaves room for it.
func appendPayload(dst []byte, h header, size int) []byte {
	start := len(dst)
	dst = append(dst, `{"lt":{"id":`...)
	dst = strconv.AppendUint(dst, h.ID, 10)
	dst = append(dst, `,"sub":`...)
	dst = strconv.AppendInt(dst, int64(h.Sub), 10)
	dst = append(dst, `,"t":`...)
	dst = strconv.AppendInt(dst, h.Intended, 10)
	dst = append(dst, `,"s":`...)
	dst = strconv.AppendInt(dst, h.Sent, 10)
	dst = append(dst, '}')
	const padOverhead = len(`,"pad":""}`)
	if pad := size - (len(dst) - start) - padOverhead; pad > 0 {
		dst = append(dst, `,"pad":"`...)
		for range pad {
			dst = append(dst, 'x')
		}
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// parsePayload reads the header of a push body. The fast path reads the
// layout appendPayload writes; a target that re-encodes the value (the
// protocol says it must not) still parses, slowly.
func parsePayload(data []byte) (header, bool) {
	var h header
	rest, ok := expect(data, `{"lt":{"id":`)
	var v int64
	if ok {
		v, rest, ok = number(rest)
		h.ID = uint64(v)
	}
	for _, f := range []struct {
		key string
		dst *int64
	}{{`,"sub":`, &v}, {`,"t":`, &h.Intended}, {`,"s":`, &h.Sent}} {
		if ok {
			if rest, ok = expect(rest, f.key); ok {
				*f.dst, rest, ok = number(rest)
			}
		}
		if f.key == `,"sub":` {
			h.Sub = int(v)
		}
	}
	if ok && len(rest) > 0 && rest[0] == '}' {
		return h, true
	}
	var slow struct {
		LT *header `json:"lt"`
	}
	if json.Unmarshal(data, &slow) != nil || slow.LT == nil {
		return header{}, false
	}
	return *slow.LT, true
}

func expect(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// number reads a non-negative decimal integer.
func number(b []byte) (int64, []byte, bool) {
	var v int64
	i := 0
	for ; i < len(b) && i < 19 && b[i] >= '0' && b[i] <= '9'; i++ {
		v = v*10 + int64(b[i]-'0')
	}
	return v, b[i:], i > 0
}
