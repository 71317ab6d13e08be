package mockserver

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wstrigger/wstrigger/protocol"
)

// DefaultDisconnectCode is the close code of Disconnect and of the
// disconnect fault when none is given: 1012, service restart (the IANA
// registry of RFC 6455 close codes), what a server that restarts sends.
const DefaultDisconnectCode = 1012

// maxCloseReason is the longest reason a close frame holds: its payload
// is at most 125 bytes, two of them the code.
const maxCloseReason = 123

// Disconnect ends every open session at once with a close frame of code
// (DefaultDisconnectCode when 0) and reason (a short name of the code
// when empty), as a server that restarts would (PROTOCOL.md section 3.3),
// so that a client's reconnect storm can be rehearsed. The server goes
// on accepting joins. It returns how many sessions it began to close:
// each closes as Shutdown closes them, its queued frames dropped and
// counted, its handshake bounded by Options.CloseTimeout.
func (s *Server) Disconnect(code int, reason string) (int, error) {
	code = cmp.Or(code, DefaultDisconnectCode)
	if err := checkClose(code, reason); err != nil {
		return 0, fmt.Errorf("mockserver: disconnect: %w", err)
	}
	s.mu.RLock()
	open := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		open = append(open, ss)
	}
	s.mu.RUnlock()
	n := 0
	for _, ss := range open {
		if ss.closeWith(code, reason) {
			n++
		}
	}
	s.stats.disconnects.Add(1)
	s.log.Info("disconnect", "code", code, "sessions", n)
	return n, nil
}

// checkClose reports whether code and reason fit in a close frame.
func checkClose(code int, reason string) error {
	switch {
	case !sendableCloseCode(code):
		return fmt.Errorf("code %d cannot be sent in a close frame", code)
	case len(reason) > maxCloseReason:
		return fmt.Errorf("reason of %d bytes: a close frame holds at most %d", len(reason), maxCloseReason)
	case !utf8.ValidString(reason):
		return errors.New("reason is not valid UTF-8")
	}
	return nil
}

// closeWith starts closing the session with a close frame of code and
// reason (the code's name when empty); it reports whether this call
// started it.
func (ss *session) closeWith(code int, reason string) bool {
	ss.mu.Lock()
	started := ss.closeLocked(closeFrame, code)
	if started {
		ss.closeText = reason
	}
	ss.mu.Unlock()
	if started {
		ss.signal()
	}
	return started
}

// closeReason is the reason of the session's close frame: the one given
// to closeWith, or the code's name.
func (ss *session) closeReason(code int) string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closeText != "" {
		return ss.closeText
	}
	return closeCodeName(code)
}

// disconnectRequest is the body of POST /_mock/disconnect; both fields
// may be left out, and so may the body.
type disconnectRequest struct {
	Code   int    `json:"code"`
	Reason string `json:"reason"`
}

// controlDisconnect handles POST /_mock/disconnect.
func (s *Server) controlDisconnect(w http.ResponseWriter, r *http.Request) {
	var req disconnectRequest
	body, herr := readOptionalBody(r)
	if herr != nil {
		herr.write(w, s.retryAfter)
		return
	}
	if len(body) > 0 { // an empty body takes the defaults
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			newError(http.StatusBadRequest, protocol.CodeInvalidBody, "disconnect: "+err.Error()).write(w, s.retryAfter)
			return
		}
	}
	code := cmp.Or(req.Code, DefaultDisconnectCode)
	n, err := s.Disconnect(code, req.Reason)
	if err != nil {
		newError(http.StatusBadRequest, protocol.CodeInvalidBody, err.Error()).write(w, s.retryAfter)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"closed": n, "code": code})
}

// disconnectLoop ends every session every Faults.Disconnect.Every while
// that fault is on, counting from when the faults were set. It runs from
// New to Shutdown, owned by s.wg; changed (SetFaults) makes it read the
// faults again, quit ends it.
type disconnectLoop struct {
	changed chan struct{} // capacity 1
	quit    chan struct{}
	once    sync.Once
}

func (d *disconnectLoop) init() {
	d.changed, d.quit = make(chan struct{}, 1), make(chan struct{})
}

// poke makes the loop read the faults again, without blocking.
func (d *disconnectLoop) poke() {
	select {
	case d.changed <- struct{}{}:
	default:
	}
}

// stop ends the loop; it may be called more than once.
func (d *disconnectLoop) stop() { d.once.Do(func() { close(d.quit) }) }

// runDisconnects is the disconnect loop's goroutine.
func (s *Server) runDisconnects() {
	d := &s.disconnects
	t := time.NewTimer(time.Hour)
	t.Stop()
	defer t.Stop()
	var every time.Duration
	arm := func() {
		f := s.faults.Load()
		every = f.Disconnect.Every
		if every > 0 {
			t.Reset(every)
		} else {
			t.Stop()
		}
	}
	arm()
	for {
		select {
		case <-d.quit:
			return
		case <-d.changed:
			arm()
		case <-t.C:
			code := s.faults.Load().Disconnect.Code
			_, _ = s.Disconnect(code, "")
			if every > 0 {
				t.Reset(every)
			}
		}
	}
}

// joinMeter finds the busiest joinSlot of accepted joins since the
// counters were reset: Stats.PeakJoinRate, how hard a reconnect storm
// hit the server. A slot is a tenth of a second, short enough to show a
// herd that a backoff of a few hundred milliseconds spreads.
type joinMeter struct {
	mu      sync.Mutex
	slot    int64 // the current slot, as a count of joinSlot since the epoch
	n, peak uint64
}

// joinSlot is the width of the meter's slots.
const joinSlot = 100 * time.Millisecond

// add counts a join at at (since the server's epoch).
func (m *joinMeter) add(at time.Duration) {
	slot := int64(at / joinSlot)
	m.mu.Lock()
	if slot != m.slot {
		m.slot, m.n = slot, 0
	}
	m.n++
	m.peak = max(m.peak, m.n)
	m.mu.Unlock()
}

// rate is the peak, per second.
func (m *joinMeter) rate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return float64(m.peak) * float64(time.Second/joinSlot)
}

func (m *joinMeter) reset() {
	m.mu.Lock()
	m.slot, m.n, m.peak = 0, 0, 0
	m.mu.Unlock()
}
