package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// maxExamples is how many examples each error class keeps.
const maxExamples = 3

// Error kinds.
const (
	KindDial       = "dial"       // no TCP connection
	KindHandshake  = "handshake"  // the join was answered with an HTTP status
	KindClose      = "close"      // the server closed a session
	KindPushStatus = "pushStatus" // a push was answered with an error status
	KindTimeout    = "timeout"    // a join or push got no answer in time
	KindTransport  = "transport"  // a push request failed on the way
	KindProtocol   = "protocol"   // the server broke the protocol
)

// ErrorClass counts one kind of error, such as "handshake 429
// too_many_connections" or "close 4008", with a few redacted examples.
type ErrorClass struct {
	Kind     string   `json:"kind"`
	Key      string   `json:"key"`
	Count    uint64   `json:"count"`
	Examples []string `json:"examples"`
}

// errorLog gathers the errors of a run. Errors are rare next to frames,
// so one lock is enough.
type errorLog struct {
	mu      sync.Mutex
	classes map[string]*ErrorClass
	total   atomic.Uint64
	secrets []string
}

func newErrorLog(creds protocol.Credentials) *errorLog {
	return &errorLog{classes: map[string]*ErrorClass{}, secrets: []string{creds.AccessToken, creds.SecretKey}}
}

// add classifies err of operation op ("join", "push", "session") and
// counts it.
func (l *errorLog) add(op string, err error) {
	kind, key := classify(op, err)
	l.total.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.classes[key]
	if c == nil {
		c = &ErrorClass{Kind: kind, Key: key}
		l.classes[key] = c
	}
	c.Count++
	if len(c.Examples) < maxExamples {
		c.Examples = append(c.Examples, l.redact(op+": "+err.Error()))
	}
}

// sessionIDLike matches what could be a session id (PROTOCOL.md 3.1).
var sessionIDLike = regexp.MustCompile(`[A-Za-z0-9_-]{22,64}`)

// redact removes credentials, session ids and URL queries from s. The
// client's errors carry none already; this is the second lock on the door.
func (l *errorLog) redact(s string) string {
	for _, secret := range l.secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, protocol.Redacted)
		}
	}
	return sessionIDLike.ReplaceAllString(s, protocol.Redacted)
}

// list returns the classes, most frequent first.
func (l *errorLog) list() []ErrorClass {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]ErrorClass, 0, len(l.classes))
	for _, c := range l.classes {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// classify names the kind and class of an error.
func classify(op string, err error) (kind, key string) {
	var he *client.HTTPError
	var ce *client.CloseError
	var pe *client.ProtocolError
	var ne net.Error
	switch {
	case errors.As(err, &he):
		kind = KindHandshake
		if op == "push" {
			kind = KindPushStatus
		}
		key = fmt.Sprintf("%s %d", kind, he.Status)
		if he.Code != "" {
			key += " " + string(he.Code)
		}
	case errors.As(err, &ce):
		kind, key = KindClose, fmt.Sprintf("close %d", ce.Code)
	case errors.As(err, &pe):
		kind, key = KindProtocol, "protocol "+op
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		kind, key = KindTimeout, "timeout "+op
	case op == "join":
		kind, key = KindDial, "dial"
		if strings.Contains(err.Error(), "bad handshake") {
			kind, key = KindHandshake, "handshake"
		}
	case op == "push":
		kind, key = KindTransport, "transport push"
	default:
		kind, key = KindClose, "close "+op
	}
	return kind, key
}
