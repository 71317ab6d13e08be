package reqlog

import (
	"maps"
	"net/http"
	"slices"
	"sync"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// Keys of the requests a client of the API may send: the two endpoints
// and, when a mock invites it, the read of the mock's counters.
const (
	Join      = http.MethodGet + " " + protocol.JoinPath
	Push      = http.MethodPost + " " + protocol.PushPath
	MockStats = http.MethodGet + " " + mockapi.StatsPath
)

// Log is an http.Handler that counts each request, keyed "METHOD
// /path", and passes it on.
type Log struct {
	next http.Handler
	mu   sync.Mutex
	seen map[string]int
}

// New returns a Log in front of next.
func New(next http.Handler) *Log {
	return &Log{next: next, seen: map[string]int{}}
}

func (l *Log) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.seen[r.Method+" "+r.URL.Path]++
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

// Counts returns how many requests were seen, by "METHOD /path".
func (l *Log) Counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.seen)
}

// Except returns, sorted, the "METHOD /path" of the requests seen that
// are none of allowed.
func (l *Log) Except(allowed ...string) []string {
	var out []string
	for k := range l.Counts() {
		if !slices.Contains(allowed, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
