package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
)

// Frame types sent by the server (docs/protocol.md section 3.1).
const (
	FrameSession = "session"
	FrameTrigger = "trigger"
	FramePush    = "push"
)

// Frame is one decoded server frame. Type says which fields are set:
//
//   - session: Session, Pattern, Heartbeat
//   - trigger: Seq, Event
//   - push:    Seq, Data
//
// Event and Data keep the exact bytes the server sent, so a pushed value can
// be compared byte for byte or decoded by the caller.
type Frame struct {
	Type      string          `json:"type"`
	Session   string          `json:"session,omitempty"`
	Pattern   json.RawMessage `json:"pattern,omitempty"`
	Heartbeat int             `json:"heartbeat,omitempty"`
	Seq       uint64          `json:"seq,omitempty"`
	Event     json.RawMessage `json:"event,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// SessionIDPattern is the shape of a session id: at least 128 bits written
// URL-safe.
var SessionIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22,64}$`)

// FrameError says why a frame is not a valid server frame.
type FrameError struct {
	Type   string // the frame's type, when it had one
	Reason string
}

func (e *FrameError) Error() string {
	if e.Type == "" {
		return "spec: invalid frame: " + e.Reason
	}
	return fmt.Sprintf("spec: invalid %s frame: %s", e.Type, e.Reason)
}

// DecodeFrame parses one text frame and checks the fields its type requires.
// It does not validate the frame against the AsyncAPI schema; see
// (*Spec).ValidateFrame for that.
//
// Pattern, Event and Data share data's memory: data must not be modified
// while they are in use.
func DecodeFrame(data []byte) (Frame, error) {
	if f, ok := scanFrame(data); ok {
		return f, f.check()
	}
	return decodeFrameJSON(data)
}

// decodeFrameJSON is DecodeFrame by encoding/json, for what scanFrame
// leaves to it: it also says why a frame does not decode.
func decodeFrameJSON(data []byte) (Frame, error) {
	var f Frame
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return Frame{}, &FrameError{Reason: "not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return Frame{}, &FrameError{Type: f.Type, Reason: "trailing data after the JSON object"}
	}
	return f, f.check()
}

func (f Frame) check() error {
	bad := func(reason string) error { return &FrameError{Type: f.Type, Reason: reason} }
	switch f.Type {
	case FrameSession:
		if !SessionIDPattern.MatchString(f.Session) {
			return bad("session id is not 22-64 URL-safe characters")
		}
		if len(f.Pattern) == 0 || f.Pattern[0] != '{' {
			return bad("pattern is not a JSON object")
		}
		if f.Heartbeat <= 0 {
			return bad("heartbeat is missing or not positive")
		}
	case FrameTrigger:
		if f.Seq == 0 {
			return bad("seq is missing or zero")
		}
		if len(f.Event) == 0 || f.Event[0] != '{' {
			return bad("event is not a JSON object")
		}
	case FramePush:
		if f.Seq == 0 {
			return bad("seq is missing or zero")
		}
		if len(f.Data) == 0 {
			return bad("data is missing")
		}
	case "":
		return bad("no type")
	default:
		return bad(fmt.Sprintf("unknown type %q", f.Type))
	}
	return nil
}

// TriggerFrameLen and PushFrameLen are the lengths of what
// AppendTriggerFrame and AppendPushFrame append.
func TriggerFrameLen(seq uint64, event json.RawMessage) int {
	return len(`{"type":"trigger","seq":`) + uintLen(seq) + len(`,"event":`) + len(event) + 1
}

// PushFrameLen: see TriggerFrameLen.
func PushFrameLen(seq uint64, data json.RawMessage) int {
	return len(`{"type":"push","seq":`) + uintLen(seq) + len(`,"data":`) + len(data) + 1
}

// uintLen is how many decimal digits v has.
func uintLen(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// AppendTriggerFrame appends the encoding of a trigger frame to dst. event
// must be one JSON object; it is copied unchanged.
func AppendTriggerFrame(dst []byte, seq uint64, event json.RawMessage) []byte {
	dst = append(dst, `{"type":"trigger","seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"event":`...)
	dst = append(dst, event...)
	return append(dst, '}')
}

// AppendPushFrame appends the encoding of a push frame to dst. data must be
// one JSON value; it is copied unchanged.
func AppendPushFrame(dst []byte, seq uint64, data json.RawMessage) []byte {
	dst = append(dst, `{"type":"push","seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"data":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// SessionFrame returns the encoding of a session frame. pattern must be the
// subscription's pattern in canonical JSON form.
func SessionFrame(session string, pattern json.RawMessage, heartbeatSeconds int) ([]byte, error) {
	return json.Marshal(Frame{Type: FrameSession, Session: session, Pattern: pattern, Heartbeat: heartbeatSeconds})
}
