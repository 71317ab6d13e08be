package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxRecordingLine is the longest line ReadRecording accepts, in bytes.
const MaxRecordingLine = 1 << 20

// RecordingError says which line of a recording is wrong and why.
type RecordingError struct {
	Line   int    // 1-based line number
	Reason string // what is wrong, in lower case
	Err    error  // the underlying error, if any
}

func (e *RecordingError) Error() string {
	return fmt.Sprintf("spec: recording line %d: %s", e.Line, e.Reason)
}

func (e *RecordingError) Unwrap() error { return e.Err }

// ReadRecording reads a recording (docs/protocol.md section 8): JSON Lines of
// {"offsetMs":N,"event":{...}}, one trigger per line, in offset order.
// offsetMs must be a non-negative integer and event a JSON object; other
// fields are ignored. Blank lines are skipped. Offsets may repeat but not
// decrease. Each line's Event holds the event's bytes as written.
//
// Errors are of type *RecordingError and name the line: not JSON, a
// missing or negative offsetMs, an event that is missing or not an object,
// offsets out of order, or a line over MaxRecordingLine bytes.
func ReadRecording(r io.Reader) ([]RecordingLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxRecordingLine)
	var (
		lines []RecordingLine
		prev  int64
		n     int
	)
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		line, err := parseRecordingLine(text)
		if err != nil {
			err.Line = n
			return nil, err
		}
		if len(lines) > 0 && line.OffsetMs < prev {
			return nil, &RecordingError{Line: n, Reason: fmt.Sprintf("offsetMs %d is before the previous line's %d: lines must be in offset order", line.OffsetMs, prev)}
		}
		prev = line.OffsetMs
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		reason := "reading: " + err.Error()
		if errors.Is(err, bufio.ErrTooLong) {
			reason = fmt.Sprintf("longer than %d bytes", MaxRecordingLine)
		}
		return nil, &RecordingError{Line: n + 1, Reason: reason, Err: err}
	}
	return lines, nil
}

// parseRecordingLine decodes one non-blank line. Keys are matched
// exactly, not case-insensitively as encoding/json would for a struct.
func parseRecordingLine(text []byte) (RecordingLine, *RecordingError) {
	if text[0] != '{' {
		if !json.Valid(text) {
			return RecordingLine{}, &RecordingError{Reason: "not JSON"}
		}
		return RecordingLine{}, &RecordingError{Reason: "not a JSON object"}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(text, &fields); err != nil {
		return RecordingLine{}, &RecordingError{Reason: "not JSON: " + err.Error(), Err: err}
	}
	off, ok := fields["offsetMs"]
	if !ok {
		return RecordingLine{}, &RecordingError{Reason: "offsetMs is missing"}
	}
	offset, err := strconv.ParseInt(string(off), 10, 64)
	if err != nil {
		return RecordingLine{}, &RecordingError{Reason: "offsetMs is not an integer", Err: err}
	}
	if offset < 0 {
		return RecordingLine{}, &RecordingError{Reason: fmt.Sprintf("offsetMs %d is negative", offset)}
	}
	ev, ok := fields["event"]
	switch {
	case !ok:
		return RecordingLine{}, &RecordingError{Reason: "event is missing"}
	case len(ev) == 0 || ev[0] != '{':
		return RecordingLine{}, &RecordingError{Reason: "event is not a JSON object"}
	}
	if err := CheckValue(ev); err != nil {
		return RecordingLine{}, &RecordingError{Reason: "event is " + err.Error(), Err: err}
	}
	return RecordingLine{OffsetMs: offset, Event: bytes.Clone(ev)}, nil
}

// RecordingWriter writes a recording, one line per WriteRecordingLine. It
// checks what ReadRecording checks, so that what it writes can be read
// back. It does not buffer: wrap w in a bufio.Writer for many lines.
type RecordingWriter struct {
	w     io.Writer
	buf   []byte
	prev  int64
	lines int
}

// NewRecordingWriter returns a writer of recording lines to w.
func NewRecordingWriter(w io.Writer) *RecordingWriter {
	return &RecordingWriter{w: w}
}

// WriteRecordingLine writes one line: {"offsetMs":N,"event":{...}} and a
// newline, with the event compacted. It rejects a negative offset, an
// offset before the previous line's and an event that is not a JSON
// object, with a *RecordingError naming the line it would have been.
func (rw *RecordingWriter) WriteRecordingLine(line RecordingLine) error {
	n := rw.lines + 1
	switch {
	case line.OffsetMs < 0:
		return &RecordingError{Line: n, Reason: fmt.Sprintf("offsetMs %d is negative", line.OffsetMs)}
	case rw.lines > 0 && line.OffsetMs < rw.prev:
		return &RecordingError{Line: n, Reason: fmt.Sprintf("offsetMs %d is before the previous line's %d", line.OffsetMs, rw.prev)}
	}
	ev := bytes.TrimSpace(line.Event)
	if len(ev) == 0 || ev[0] != '{' {
		return &RecordingError{Line: n, Reason: "event is not a JSON object"}
	}
	b := append(rw.buf[:0], `{"offsetMs":`...)
	b = strconv.AppendInt(b, line.OffsetMs, 10)
	b = append(b, `,"event":`...)
	var compact bytes.Buffer
	if err := json.Compact(&compact, ev); err != nil {
		return &RecordingError{Line: n, Reason: "event is not JSON: " + err.Error(), Err: err}
	}
	b = append(b, compact.Bytes()...)
	b = append(b, '}', '\n')
	rw.buf = b
	if _, err := rw.w.Write(b); err != nil {
		return fmt.Errorf("spec: writing recording line %d: %w", n, err)
	}
	rw.prev = line.OffsetMs
	rw.lines++
	return nil
}
