package protocol

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// MinSecret is the shortest value a Redactor replaces: a shorter one would
// also replace innocent text.
const MinSecret = 4

// A Redactor replaces every secret it knows (credentials, session ids, the
// wrong values a test sends) by Redacted, in the raw form and as it
// appears query-escaped in a URL. The longest secret is replaced first, so
// a secret that contains another goes whole. The zero value knows no
// secret; a nil *Redactor changes nothing. It is safe for concurrent use.
type Redactor struct {
	mu       sync.Mutex
	secrets  map[string]bool
	sessions map[string]bool // the secrets that are session ids
	sorted   []string        // the secrets, longest first; nil after an Add
	r        *strings.Replacer
}

// NewRedactor returns a Redactor that knows secrets.
func NewRedactor(secrets ...string) *Redactor {
	rd := &Redactor{}
	rd.Add(secrets...)
	return rd
}

// Add registers secrets; values under MinSecret bytes, and Redacted
// itself, are ignored.
func (rd *Redactor) Add(secrets ...string) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	for _, s := range secrets {
		if len(s) < MinSecret || s == Redacted || rd.secrets[s] {
			continue
		}
		if rd.secrets == nil {
			rd.secrets = map[string]bool{}
		}
		rd.secrets[s] = true
		rd.r, rd.sorted = nil, nil
	}
}

// AddSession registers a session id: a secret that IsSession recognises.
func (rd *Redactor) AddSession(id string) {
	rd.Add(id)
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.sessions == nil {
		rd.sessions = map[string]bool{}
	}
	rd.sessions[id] = true
}

// IsSession reports whether s is a registered session id.
func (rd *Redactor) IsSession(s string) bool {
	if rd == nil {
		return false
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	return rd.sessions[s]
}

// Secrets returns the registered secrets, longest first.
func (rd *Redactor) Secrets() []string {
	if rd == nil {
		return nil
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	return slices.Clone(rd.sortedLocked())
}

// sortedLocked returns the secrets, longest first, sorting them only
// after an Add: a caller that asks for them with every request (a
// reproducer) pays for a copy, not a sort.
func (rd *Redactor) sortedLocked() []string {
	if rd.sorted != nil || len(rd.secrets) == 0 {
		return rd.sorted
	}
	keys := make([]string, 0, len(rd.secrets))
	for k := range rd.secrets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	rd.sorted = keys
	return keys
}

// Redact returns s with every registered secret replaced by Redacted.
func (rd *Redactor) Redact(s string) string {
	if rd == nil {
		return s
	}
	rd.mu.Lock()
	if rd.r == nil {
		keys := rd.sortedLocked()
		pairs := make([]string, 0, 4*len(keys))
		for _, k := range keys {
			pairs = append(pairs, k, Redacted)
			if e := url.QueryEscape(k); e != k {
				pairs = append(pairs, e, Redacted)
			}
		}
		rd.r = strings.NewReplacer(pairs...)
	}
	r := rd.r
	rd.mu.Unlock()
	return r.Replace(s)
}

// sessionIDLike matches text that could be a session id (docs/protocol.md
// section 3.1): 22 to 64 characters of the URL-safe alphabet.
var sessionIDLike = regexp.MustCompile(`[A-Za-z0-9_-]{22,64}`)

// RedactSessionLike replaces every run of text that could be a session id
// by Redacted: the second lock on the door for text, such as a server's
// error message, that may hold ids nobody registered.
func RedactSessionLike(s string) string {
	return sessionIDLike.ReplaceAllString(s, Redacted)
}
