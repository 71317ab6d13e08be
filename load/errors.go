package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// errorLog gathers the errors of a run. Errors are rare next to frames,
// so one lock is enough.
type errorLog struct {
	mu      sync.Mutex
	classes map[string]*loadresult.ErrorClass
	total   atomic.Uint64
	secrets *protocol.Redactor
}

func newErrorLog(creds protocol.Credentials, secrets ...string) *errorLog {
	return &errorLog{classes: map[string]*loadresult.ErrorClass{}, secrets: creds.Redactor(secrets...)}
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
		c = &loadresult.ErrorClass{Kind: kind, Key: key}
		l.classes[key] = c
	}
	c.Count++
	if len(c.Examples) < loadresult.MaxExamples {
		c.Examples = append(c.Examples, l.redact(op+": "+err.Error()))
	}
}

// redact removes the credentials and whatever could be a session id
// from s. The client's errors carry none already; this is the second
// lock on the door.
func (l *errorLog) redact(s string) string {
	return protocol.RedactSessionLike(l.secrets.Redact(s))
}

// list returns the classes, most frequent first.
func (l *errorLog) list() []loadresult.ErrorClass {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]loadresult.ErrorClass, 0, len(l.classes))
	for _, c := range l.classes {
		out = append(out, *c)
	}
	loadresult.SortErrors(out)
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
		kind = loadresult.KindHandshake
		if op == "push" {
			kind = loadresult.KindPushStatus
		}
		key = fmt.Sprintf("%s %d", kind, he.Status)
		if he.Code != "" {
			key += " " + string(he.Code)
		}
	case errors.As(err, &ce):
		kind, key = loadresult.KindClose, fmt.Sprintf("close %d", ce.Code)
	case errors.As(err, &pe):
		kind, key = loadresult.KindProtocol, "protocol "+op
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		kind, key = loadresult.KindTimeout, "timeout "+op
	case op == "join":
		kind, key = loadresult.KindDial, "dial"
		if strings.Contains(err.Error(), "bad handshake") {
			kind, key = loadresult.KindHandshake, "handshake"
		}
	case op == "push":
		kind, key = loadresult.KindTransport, "transport push"
	default:
		kind, key = loadresult.KindClose, "close "+op
	}
	return kind, key
}
