package mockserver

import (
	"strconv"
	"unicode/utf8"
)

// maxLogValue bounds a request's value in a log line: a URL or a
// pattern is cut to this many bytes, with the number of bytes cut said,
// so that a client sending a huge request line cannot make huge log
// lines.
const maxLogValue = 256

// logValue is s cut to maxLogValue bytes, on a character boundary, and
// followed by how much was cut; s itself when it fits.
func logValue(s string) string {
	if len(s) <= maxLogValue {
		return s
	}
	cut := maxLogValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)-cut) + " more bytes)"
}
