package mockserver

import "encoding/binary"

// clientFrames follows the frame headers of what a client sends, to
// catch two breaches of RFC 6455 that gorilla lets through without the
// close frame they call for: a 64-bit payload length with its most
// significant bit set (section 5.2), which gorilla refuses with no
// close frame at all, and a close frame with a 1-byte body (section
// 5.5.1: none, or at least a 2-byte status code), which gorilla takes
// for one without a status code and answers with an empty close.
type clientFrames struct {
	hdr  [14]byte // the header being gathered: at most 2+8+4 bytes
	n    int      // bytes of it gathered
	skip uint64   // payload bytes of the current frame still to come
	bad  string   // the first breach seen, for the close reason; "" for none
}

// Reasons of the 1002 close for the breaches clientFrames catches.
const (
	badLength    = "frame length with its top bit set"
	badCloseBody = "close frame with a 1-byte body"
)

// scan follows p, the next bytes from the client.
func (f *clientFrames) scan(p []byte) {
	for len(p) > 0 && f.bad == "" {
		if f.skip > 0 {
			k := min(f.skip, uint64(len(p)))
			f.skip -= k
			p = p[k:]
			continue
		}
		f.hdr[f.n] = p[0]
		f.n++
		p = p[1:]
		if f.n < 2 {
			continue
		}
		size, need := uint64(f.hdr[1]&0x7f), 2
		switch size {
		case 126:
			need += 2
		case 127:
			need += 8
		}
		if f.hdr[1]&0x80 != 0 { // masked, as a client's frames are
			need += 4
		}
		if f.n < need {
			continue
		}
		switch size {
		case 126:
			size = uint64(binary.BigEndian.Uint16(f.hdr[2:]))
		case 127:
			size = binary.BigEndian.Uint64(f.hdr[2:])
			if size>>63 != 0 {
				f.bad = badLength
			}
		}
		if f.hdr[0]&0x0f == 0x8 && size == 1 { // a close frame
			f.bad = badCloseBody
		}
		f.n, f.skip = 0, size
	}
}
