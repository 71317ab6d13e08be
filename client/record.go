package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// RecordOptions bound a recording. The zero value records until ctx ends
// or the session closes.
type RecordOptions struct {
	// Duration stops the recording this long after it started (0: no
	// limit).
	Duration time.Duration
	// MaxEvents stops it after this many triggers (0: no limit).
	MaxEvents int
	// Start is the instant offset 0 stands for; zero means when Record is
	// called. Offsets come from each frame's Received stamp.
	Start time.Time
}

// RecordStats is what a recording saw.
type RecordStats struct {
	Triggers int    // trigger frames written as recording lines
	Pushes   int    // push frames seen (not recorded)
	Gaps     int    // times seq jumped forward
	Missing  uint64 // frames missing in those jumps
}

// Record reads the session's frames and writes each trigger as a
// recording line (docs/protocol.md section 8), with its offset from the start
// of the recording, until the duration or event limit is reached or ctx
// ends (a normal end: the error is nil) or the session ends (the error
// says why, e.g. a *CloseError). The capture replays unchanged on the mock
// server. It counts seq gaps, which mean the server lost frames.
func Record(ctx context.Context, s *Session, w *protocol.RecordingWriter, opts *RecordOptions) (RecordStats, error) {
	var o RecordOptions
	if opts != nil {
		o = *opts
	}
	if o.Start.IsZero() {
		o.Start = s.c.opts.Now()
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, o.Start.Add(o.Duration))
		defer cancel()
	}
	var (
		st  RecordStats
		seq protocol.SeqCheck
	)
	for o.MaxEvents <= 0 || st.Triggers < o.MaxEvents {
		f, err := s.Next(ctx)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return st, nil
			}
			return st, err
		}
		seq.Observe(f.Seq)
		st.Gaps, st.Missing = int(seq.Gaps), seq.Missing
		if f.Type != protocol.FrameTrigger {
			st.Pushes++
			continue
		}
		offset := max(f.Received.Sub(o.Start).Milliseconds(), 0)
		if err := w.WriteRecordingLine(protocol.RecordingLine{OffsetMs: offset, Event: f.Event}); err != nil {
			return st, fmt.Errorf("client: record: %w", err)
		}
		st.Triggers++
	}
	return st, nil
}
