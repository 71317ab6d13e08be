package contract

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
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

// redactor replaces every secret it knows (credentials, the wrong values
// the checks send, session ids) by protocol.Redacted. It is safe for
// concurrent use.
type redactor struct {
	mu       sync.Mutex
	secrets  map[string]bool
	sessions map[string]bool // the secrets that are session ids
	r        *strings.Replacer
}

func newRedactor() *redactor {
	return &redactor{secrets: map[string]bool{}, sessions: map[string]bool{}}
}

// addSession registers a session id: a secret that a reproducer writes
// as $SESSION.
func (rd *redactor) addSession(id string) {
	rd.add(id)
	rd.mu.Lock()
	defer rd.mu.Unlock()
	rd.sessions[id] = true
}

// isSession reports whether s is a registered session id.
func (rd *redactor) isSession(s string) bool {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	return rd.sessions[s]
}

// add registers secrets; values under 4 bytes are too short to replace
// safely and are ignored.
func (rd *redactor) add(secrets ...string) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= 4 && s != protocol.Redacted && !rd.secrets[s] {
			rd.secrets[s] = true
			rd.r = nil
		}
	}
}

func (rd *redactor) str(s string) string {
	rd.mu.Lock()
	if rd.r == nil {
		// Longest first, so that a secret containing another is replaced whole.
		keys := make([]string, 0, len(rd.secrets))
		for k := range rd.secrets {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
		pairs := make([]string, 0, 2*len(keys))
		for _, k := range keys {
			pairs = append(pairs, k, protocol.Redacted)
			// Also as it appears URL-encoded in a query.
			if e := url.QueryEscape(k); e != k {
				pairs = append(pairs, e, protocol.Redacted)
			}
		}
		rd.r = strings.NewReplacer(pairs...)
	}
	r := rd.r
	rd.mu.Unlock()
	return r.Replace(s)
}

// all returns the registered secrets.
func (rd *redactor) all() []string {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	out := make([]string, 0, len(rd.secrets))
	for k := range rd.secrets {
		out = append(out, k)
	}
	return out
}

// formatRequest renders a request line and its headers, redacted.
func (rd *redactor) formatRequest(method string, u *url.URL, h http.Header, body []byte) string {
	var b strings.Builder
	ru := *u
	ru.Scheme, ru.Host, ru.User = "", "", nil
	b.WriteString(method + " " + protocol.RedactURL(&ru))
	writeHeader(&b, protocol.RedactHeader(h))
	if len(body) > 0 {
		b.WriteString("\n\n")
		b.WriteString(excerpt(body, 256))
	}
	return rd.str(b.String())
}

// formatResponse renders headers and a body excerpt, redacted.
func (rd *redactor) formatResponse(h http.Header, body []byte) string {
	var b strings.Builder
	writeHeader(&b, protocol.RedactHeader(h))
	if len(body) > 0 {
		b.WriteString("\n\n")
		b.WriteString(excerpt(body, maxBodyExcerpt))
	}
	return strings.TrimPrefix(rd.str(b.String()), "\n")
}

// frame renders a frame for evidence, redacted and truncated.
func (rd *redactor) frame(data []byte) string { return rd.str(excerpt(data, maxFrameExcerpt)) }

func writeHeader(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
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
