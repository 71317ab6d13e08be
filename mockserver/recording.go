package mockserver

import (
	"bytes"
	_ "embed" // the default recording
	"fmt"
	"slices"
	"sync"

	"github.com/wstrigger/wstrigger/protocol"
)

// defaultRecording is a recording of about 600 Sales Triggers and News
// Items over about 12 minutes (PROTOCOL.md section 8).
//
//go:embed recordings/default.jsonl
var defaultRecording []byte

var parseDefault = sync.OnceValue(func() []protocol.RecordingLine {
	lines, err := protocol.ReadRecording(bytes.NewReader(defaultRecording))
	if err != nil {
		// The file is part of the build; TestDefaultRecording keeps it valid.
		panic(fmt.Sprintf("mockserver: embedded recordings/default.jsonl: %v", err))
	}
	return lines
})

// DefaultRecording returns the embedded recording replayed when
// Options.Recording is nil. The caller may modify the returned slice but
// not the events' bytes, which are shared.
func DefaultRecording() []protocol.RecordingLine {
	return slices.Clone(parseDefault())
}
