package mockserver

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/wstrigger/wstrigger/protocol"
)

// maxControlBody bounds the bodies of control requests.
const maxControlBody = 16 << 20

// serveControl handles the control API described in the package
// documentation.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	var allow string
	switch strings.TrimPrefix(r.URL.Path, ControlPrefix) {
	case "triggers":
		if allow = http.MethodPost; r.Method == allow {
			s.controlTriggers(w, r)
			return
		}
	case "stats":
		if allow = http.MethodGet; r.Method == allow {
			writeJSON(w, http.StatusOK, s.Stats())
			return
		}
	case "faults":
		allow = "GET, PUT"
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, s.Faults())
			return
		case http.MethodPut:
			s.controlFaults(w, r)
			return
		}
	case "reset":
		if allow = http.MethodPost; r.Method == allow {
			s.ResetStats()
			writeJSON(w, http.StatusOK, s.Stats())
			return
		}
	case "disconnect":
		if allow = http.MethodPost; r.Method == allow {
			s.controlDisconnect(w, r)
			return
		}
	case "replay":
		if allow = http.MethodPost; r.Method == allow {
			s.StartReplay()
			writeJSON(w, http.StatusAccepted, map[string]int{"events": len(s.replay.events)})
			return
		}
	default:
		newError(http.StatusNotFound, protocol.CodeNotFound, "no such control endpoint").write(w, s.retryAfter)
		return
	}
	methodNotAllowed(r.Method, allow).write(w, s.retryAfter)
}

func (s *Server) controlTriggers(w http.ResponseWriter, r *http.Request) {
	body, herr := readControlBody(r)
	if herr != nil {
		herr.write(w, s.retryAfter)
		return
	}
	var raws []json.RawMessage
	if body[0] == '[' {
		if err := json.Unmarshal(body, &raws); err != nil {
			newError(http.StatusBadRequest, protocol.CodeInvalidBody, "not a JSON array of events: "+err.Error()).write(w, s.retryAfter)
			return
		}
	} else {
		raws = []json.RawMessage{body}
	}
	events := make([]*event, len(raws))
	for i, raw := range raws {
		ev, err := prepareEvent(raw)
		if err != nil {
			msg := err.Error()
			if len(raws) > 1 {
				msg = "event " + strconv.Itoa(i+1) + ": " + msg
			}
			newError(http.StatusBadRequest, protocol.CodeInvalidBody, msg).write(w, s.retryAfter)
			return
		}
		events[i] = ev
	}
	delivered := 0
	for _, ev := range events {
		s.stats.injected.Add(1)
		delivered += s.fanout(ev)
	}
	writeJSON(w, http.StatusOK, map[string]int{"events": len(events), "delivered": delivered})
}

func (s *Server) controlFaults(w http.ResponseWriter, r *http.Request) {
	body, herr := readControlBody(r)
	if herr != nil {
		herr.write(w, s.retryAfter)
		return
	}
	var f Faults
	if err := json.Unmarshal(body, &f); err != nil {
		newError(http.StatusBadRequest, protocol.CodeInvalidBody, err.Error()).write(w, s.retryAfter)
		return
	}
	if err := s.SetFaults(f); err != nil {
		newError(http.StatusBadRequest, protocol.CodeInvalidBody, err.Error()).write(w, s.retryAfter)
		return
	}
	writeJSON(w, http.StatusOK, s.Faults())
}

// readControlBody reads a control request's body, which must not be
// empty.
func readControlBody(r *http.Request) ([]byte, *httpError) {
	body, herr := readOptionalBody(r)
	if herr == nil && len(body) == 0 {
		return nil, newError(http.StatusBadRequest, protocol.CodeInvalidBody, "the body is empty")
	}
	return body, herr
}

// readOptionalBody reads a control request's body, without the white
// space around it; it may be empty.
func readOptionalBody(r *http.Request) ([]byte, *httpError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxControlBody+1))
	switch {
	case err != nil:
		return nil, newError(http.StatusBadRequest, protocol.CodeInvalidBody, "reading the body failed")
	case len(body) > maxControlBody:
		return nil, newError(http.StatusRequestEntityTooLarge, protocol.CodePayloadTooLarge, "the body exceeds "+strconv.Itoa(maxControlBody)+" bytes")
	}
	return bytes.Trim(body, " \t\r\n"), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		newError(http.StatusInternalServerError, "internal", "encoding the answer failed").write(w, 0)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
