package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadRecording(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    []RecordingLine
		errLine int
		errText string
	}{
		{name: "empty", in: "", want: nil},
		{name: "two lines", in: "{\"offsetMs\":0,\"event\":{\"kind\":\"news-item\"}}\n{\"offsetMs\":250,\"event\":{\"a\":1}}\n",
			want: []RecordingLine{{0, json.RawMessage(`{"kind":"news-item"}`)}, {250, json.RawMessage(`{"a":1}`)}}},
		{name: "no final newline, CRLF, blank lines, extra fields", in: "\r\n{\"event\":{ \"a\" : 1 },\"offsetMs\":5,\"x\":true}\r\n\n{\"offsetMs\":5,\"event\":{}}",
			want: []RecordingLine{{5, json.RawMessage(`{ "a" : 1 }`)}, {5, json.RawMessage(`{}`)}}},
		{name: "not JSON", in: "{\"offsetMs\":0,\"event\":{}}\nhello\n", errLine: 2, errText: "not JSON"},
		{name: "broken object", in: "{\"offsetMs\":0,", errLine: 1, errText: "not JSON"},
		{name: "array line", in: "[1,2]", errLine: 1, errText: "not a JSON object"},
		{name: "missing offset", in: "{\"event\":{}}", errLine: 1, errText: "offsetMs is missing"},
		{name: "offset with wrong case", in: "{\"OffsetMs\":1,\"event\":{}}", errLine: 1, errText: "offsetMs is missing"},
		{name: "negative offset", in: "{\"offsetMs\":-1,\"event\":{}}", errLine: 1, errText: "negative"},
		{name: "fractional offset", in: "{\"offsetMs\":1.5,\"event\":{}}", errLine: 1, errText: "not an integer"},
		{name: "string offset", in: "{\"offsetMs\":\"1\",\"event\":{}}", errLine: 1, errText: "not an integer"},
		{name: "missing event", in: "{\"offsetMs\":1}", errLine: 1, errText: "event is missing"},
		{name: "event array", in: "{\"offsetMs\":1,\"event\":[]}", errLine: 1, errText: "event is not a JSON object"},
		{name: "event null", in: "{\"offsetMs\":1,\"event\":null}", errLine: 1, errText: "event is not a JSON object"},
		{name: "event not UTF-8", in: "{\"offsetMs\":1,\"event\":{\"org\":\"\xff\"}}", errLine: 1, errText: "event is not valid UTF-8: byte 8 is 0xff"},
		{name: "event too deep", in: "{\"offsetMs\":1,\"event\":{\"a\":" + strings.Repeat("[", MaxNesting) + "]" + strings.Repeat("]", MaxNesting-1) + "}}", errLine: 1, errText: "event is nested more than 128 arrays or objects deep: 129 deep"},
		{name: "out of order", in: "{\"offsetMs\":10,\"event\":{}}\n\n{\"offsetMs\":9,\"event\":{}}\n", errLine: 3, errText: "offset order"},
		{name: "line too long", in: "{\"offsetMs\":1,\"event\":{\"a\":\"" + strings.Repeat("x", MaxRecordingLine) + "\"}}", errLine: 1, errText: "longer than"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadRecording(strings.NewReader(tt.in))
			if tt.errText == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var rerr *RecordingError
			require.ErrorAs(t, err, &rerr)
			assert.Equal(t, tt.errLine, rerr.Line)
			assert.Contains(t, err.Error(), tt.errText)
			assert.Contains(t, err.Error(), "line ")
		})
	}
}

func TestReadRecordingReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ReadRecording(iotest.ErrReader(boom))
	assert.ErrorIs(t, err, boom)
}

func TestRecordingWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewRecordingWriter(&buf)
	require.NoError(t, w.WriteRecordingLine(RecordingLine{OffsetMs: 0, Event: json.RawMessage("{\n \"a\": [1, 2]\n}")}))
	require.NoError(t, w.WriteRecordingLine(RecordingLine{OffsetMs: 0, Event: json.RawMessage(`{}`)}))
	require.NoError(t, w.WriteRecordingLine(RecordingLine{OffsetMs: 7, Event: json.RawMessage(` {"b":"c"} `)}))
	assert.Equal(t, "{\"offsetMs\":0,\"event\":{\"a\":[1,2]}}\n{\"offsetMs\":0,\"event\":{}}\n{\"offsetMs\":7,\"event\":{\"b\":\"c\"}}\n", buf.String())

	for _, tt := range []struct {
		name string
		line RecordingLine
		text string
	}{
		{"backwards", RecordingLine{OffsetMs: 6, Event: json.RawMessage(`{}`)}, "line 4: offsetMs 6 is before"},
		{"negative", RecordingLine{OffsetMs: -1, Event: json.RawMessage(`{}`)}, "negative"},
		{"not an object", RecordingLine{OffsetMs: 8, Event: json.RawMessage(`[]`)}, "not a JSON object"},
		{"empty event", RecordingLine{OffsetMs: 8}, "not a JSON object"},
		{"trailing data", RecordingLine{OffsetMs: 8, Event: json.RawMessage(`{} {}`)}, "not JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := buf.Len()
			err := w.WriteRecordingLine(tt.line)
			var rerr *RecordingError
			require.ErrorAs(t, err, &rerr)
			assert.Contains(t, err.Error(), tt.text)
			assert.Equal(t, before, buf.Len(), "nothing written")
		})
	}
	lines, err := ReadRecording(&buf)
	require.NoError(t, err)
	assert.Len(t, lines, 3)
}

func TestRecordingWriterError(t *testing.T) {
	w := NewRecordingWriter(failWriter{})
	err := w.WriteRecordingLine(RecordingLine{Event: json.RawMessage(`{}`)})
	assert.ErrorContains(t, err, "writing recording line 1")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// FuzzReadRecording checks that ReadRecording never panics and that what
// it accepts is written back by RecordingWriter and read again unchanged
// (up to white space in the events).
func FuzzReadRecording(f *testing.F) {
	for _, seed := range []string{
		"", "\n", "{}", "{\"offsetMs\":0,\"event\":{}}",
		"{\"offsetMs\":1,\"event\":{\"kind\":\"sales-trigger\",\"loc\":{\"country\":\"DE\"}}}\n{\"offsetMs\":1,\"event\":{}}\n",
		"{\"offsetMs\":2,\"event\":{}}\n{\"offsetMs\":1,\"event\":{}}", "{\"offsetMs\":-0,\"event\":{}}",
		"{\"offsetMs\":9223372036854775807,\"event\":{\"a\":\"\\u00e9\"}}", "{\"offsetMs\":1e2,\"event\":{}}",
		"{\"offsetMs\":1,\"event\":{\"a\":1}} trailing", "\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := ReadRecording(bytes.NewReader(data))
		if err != nil {
			var rerr *RecordingError
			if !errors.As(err, &rerr) || rerr.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		w := NewRecordingWriter(&buf)
		for _, l := range lines {
			if err := w.WriteRecordingLine(l); err != nil {
				t.Fatalf("write back %+v: %v", l, err)
			}
		}
		again, err := ReadRecording(&buf)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if len(again) != len(lines) {
			t.Fatalf("read back %d lines, want %d", len(again), len(lines))
		}
		for i := range lines {
			var want bytes.Buffer
			if err := json.Compact(&want, lines[i].Event); err != nil {
				t.Fatalf("line %d: event does not compact: %v", i+1, err)
			}
			if again[i].OffsetMs != lines[i].OffsetMs || !bytes.Equal(again[i].Event, want.Bytes()) {
				t.Fatalf("line %d: got %d %s, want %d %s", i+1, again[i].OffsetMs, again[i].Event, lines[i].OffsetMs, want.Bytes())
			}
		}
	})
}
