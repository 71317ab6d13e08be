package loadresult

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"math"
	"math/bits"
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The V2 encoding's cookies (the base with the word size, 8, in bits
// 4-7) and its inner header's size.
const (
	v2EncodingCookie           = uint32(hdrhistogram.V2EncodingCookieBase) | 0x10
	v2CompressedEncodingCookie = uint32(hdrhistogram.V2CompressedEncodingCookieBase) | 0x10
	v2HeaderSize               = hdrhistogram.ENCODING_HEADER_SIZE
)

// The geometry of NewHistogram, in the terms of HdrHistogram's index
// arithmetic: values from 1 (unit magnitude 0), sub-buckets of
// 2^subBucketHalfCountMagnitude × 2 counts, enough for HistogramDigits
// significant digits.
var subBucketHalfCountMagnitude = func() int {
	single := 2 * math.Pow10(HistogramDigits) // the largest value with unit resolution
	return int(math.Ceil(math.Log2(single))) - 1
}()

// flatIndex is the index, in a dense counts array of NewHistogram's
// geometry, of the bucket holding v.
func flatIndex(v int64) int32 {
	mask := uint64(1)<<(subBucketHalfCountMagnitude+1) - 1
	bucket := bits.Len64(uint64(v)|mask) - (subBucketHalfCountMagnitude + 1)
	sub := v >> bucket
	return int32(bucket+1)<<subBucketHalfCountMagnitude + int32(sub) - 1<<subBucketHalfCountMagnitude
}

// encoders are zlib writers at HdrHistogram's level, reset for each
// encoding: a new one allocates about 600 KB, and the driver encodes
// every metric's histogram every second.
var encoders = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestCompression) // a valid level: no error
	return w
}}

// encodePacked is p.Encode() (the V2 compressed, base64 encoding) for a
// histogram of NewPackedHistogram's geometry, written with a pooled
// compressor: the same bytes, without the compressor's garbage. Any
// other histogram, and an empty one, is left to p.Encode.
func encodePacked(p *hdrhistogram.PackedHistogram) ([]byte, error) {
	if p.TotalCount() == 0 || p.SignificantFigures() != HistogramDigits ||
		p.LowestTrackableValue() != HistogramMin || p.HighestTrackableValue() != HistogramMax {
		return p.Encode()
	}
	inner := make([]byte, v2HeaderSize, v2HeaderSize+4*p.Populated()+16)
	next := int32(0) // the first index not yet written
	p.ForEachBucket(func(value, count int64) bool {
		i := flatIndex(value)
		switch zeros := int64(i - next); {
		case zeros == 1:
			inner = appendZigZag(inner, 0)
		case zeros > 1:
			inner = appendZigZag(inner, -zeros)
		}
		inner = appendZigZag(inner, count)
		next = i + 1
		return true
	})
	binary.BigEndian.PutUint32(inner[0:], v2EncodingCookie)
	binary.BigEndian.PutUint32(inner[4:], uint32(len(inner)-v2HeaderSize))
	binary.BigEndian.PutUint32(inner[8:], 0) // normalizing index offset
	binary.BigEndian.PutUint32(inner[12:], uint32(HistogramDigits))
	binary.BigEndian.PutUint64(inner[16:], uint64(HistogramMin))
	binary.BigEndian.PutUint64(inner[24:], uint64(HistogramMax))
	binary.BigEndian.PutUint64(inner[32:], math.Float64bits(1)) // integer to double conversion ratio

	var out bytes.Buffer
	out.Write(make([]byte, 8))
	w := encoders.Get().(*zlib.Writer)
	w.Reset(&out)
	_, err := w.Write(inner)
	if err == nil {
		err = w.Close()
	}
	encoders.Put(w)
	if err != nil {
		return nil, err
	}
	b := out.Bytes()
	binary.BigEndian.PutUint32(b[0:], v2CompressedEncodingCookie)
	binary.BigEndian.PutUint32(b[4:], uint32(len(b)-8))
	return base64.StdEncoding.AppendEncode(nil, b), nil
}

// appendZigZag appends v in HdrHistogram's ZigZag LEB128-64b9B form:
// seven bits a byte with a continuation bit, and a ninth byte, if
// needed, of eight bits.
func appendZigZag(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for range 8 {
		if u < 0x80 {
			return append(b, byte(u))
		}
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}
