package contract

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wstrigger/wstrigger/protocol"
)

// Limits of the evidence a result carries.
const (
	maxBodyExcerpt  = 2 << 10 // bytes of a response body
	maxFrameExcerpt = 300     // bytes of a frame
	maxFrames       = 6       // frames per evidence entry
	maxEvidence     = 16      // evidence entries per result
	maxReason       = 4 << 10 // bytes of a reason
)

// formatRequest renders a request line and its headers, redacted.
func (r *runner) formatRequest(method string, u *url.URL, h http.Header, body []byte) string {
	var b strings.Builder
	ru := *u
	ru.Scheme, ru.Host, ru.User = "", "", nil
	b.WriteString(method + " " + protocol.RedactURL(&ru))
	writeHeader(&b, protocol.RedactHeader(h))
	if len(body) > 0 {
		b.WriteString("\n\n")
		b.WriteString(excerpt(body, 256))
	}
	return r.red.Redact(b.String())
}

// formatResponse renders headers and a body excerpt, redacted.
func (r *runner) formatResponse(h http.Header, body []byte) string {
	var b strings.Builder
	writeHeader(&b, protocol.RedactHeader(h))
	if len(body) > 0 {
		b.WriteString("\n\n")
		b.WriteString(excerpt(body, maxBodyExcerpt))
	}
	return strings.TrimPrefix(r.red.Redact(b.String()), "\n")
}

// showFrame renders a frame for evidence, redacted and truncated.
func (r *runner) showFrame(data []byte) string { return r.red.Redact(excerpt(data, maxFrameExcerpt)) }

func writeHeader(b *strings.Builder, h http.Header) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			b.WriteString("\n" + k + ": " + v)
		}
	}
}

// excerpt returns data as text, cut to at most n bytes on a rune
// boundary, with a note of the cut.
func excerpt(data []byte, n int) string {
	if len(data) <= n {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(data[cut]) {
		cut--
	}
	return strings.ToValidUTF8(string(data[:cut]), "\uFFFD") + "… (" + itoa(len(data)) + " bytes)"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return excerpt([]byte(s), n)
}
