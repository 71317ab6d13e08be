package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// frameBuffer is how many frames a session holds before its reader stops
// reading.
const frameBuffer = 8192

// maxSeqProblems is how many seq departures of one session are reported.
const maxSeqProblems = 3

// frame is a frame a session received.
type frame struct {
	protocol.Frame
	raw []byte
}

// wsSession is an open session. Its reader goroutine checks every frame:
// the AsyncAPI schema, seq order, and the pattern oracle (every trigger
// must match the session's pattern). Problems fail the check that
// opened the session.
type wsSession struct {
	c         *checkCtx
	conn      *wsconn.Conn
	label     string
	id        string
	heartbeat int
	echoed    json.RawMessage // the pattern of the session frame
	pat       *pattern.Pattern
	noSchema  bool // frames after the session frame are not validated
	patText   string

	frames  chan frame    // closed when the reader has ended
	ended   chan struct{} // closed after frames, once the end is recorded
	started atomic.Bool
	once    sync.Once

	mu        sync.Mutex
	seq       protocol.SeqCheck
	closeCode int // the server's close code, 0 before or without one
	readErr   error
	triggers  int
	kept      []string
}

func (s *wsSession) readSessionFrame(ctx context.Context) error {
	f, data, err := s.conn.ReadSessionFrame(ctx, s.c.opts.Timeout)
	if data == nil {
		s.recordClose(err)
		return fmt.Errorf("no session frame after the upgrade: %s", s.c.red.Redact(err.Error()))
	}
	var probe struct {
		Session string `json:"session"`
	}
	if json.Unmarshal(data, &probe) == nil {
		s.c.red.AddSession(probe.Session)
	}
	s.c.cov.message(frameType(data))
	s.keep(data)
	s.c.validateFrame(s.label, data)
	if errors.Is(err, wsconn.ErrNotSession) {
		return fmt.Errorf("the first frame is a %s frame, not a session frame: %s", f.Type, s.c.showFrame(data))
	}
	if err != nil {
		return fmt.Errorf("the first frame is not a valid session frame: %s: %s", s.c.red.Redact(err.Error()), s.c.showFrame(data))
	}
	s.id, s.heartbeat, s.echoed = f.Session, f.Heartbeat, f.Pattern
	return nil
}

// validateFrame records a frame's validation in the schema log: under
// its type when the spec declares it, and under "" (every frame) when it
// is not a JSON object of a declared type.
func (c *checkCtx) validateFrame(step string, data []byte) {
	err := c.spec.ValidateFrame(data)
	if key := frameType(data); slices.Contains(c.spec.MessageTypes(), key) {
		c.schema.record(key, c.id, step, err)
		err = nil
	}
	c.schema.record("", c.id, step, err)
}

func frameType(data []byte) string {
	var probe struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return "(not JSON)"
	}
	if t, ok := probe.Type.(string); ok {
		return t
	}
	return "(no type)"
}

func (s *wsSession) keep(data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.kept) < maxFrames {
		s.kept = append(s.kept, s.c.showFrame(data))
	}
}

// startReading starts the reader goroutine; close waits for it.
func (s *wsSession) startReading() {
	if s.started.CompareAndSwap(false, true) {
		s.conn.Start(s.onMessage, s.onEnd)
	}
}

// onMessage takes each message from the reader goroutine.
func (s *wsSession) onMessage(_ wsconn.MessageType, data []byte) error {
	f, ok := s.inspect(data)
	if !ok {
		return nil
	}
	select {
	case s.frames <- f:
	case <-s.conn.Closing():
	}
	return nil
}

// onEnd records why the session ended, from the reader goroutine.
func (s *wsSession) onEnd(err error) {
	s.recordClose(err)
	close(s.frames)
	close(s.ended)
}

// inspect runs the checks every frame gets.
func (s *wsSession) inspect(data []byte) (frame, bool) {
	c := s.c
	c.cov.message(frameType(data))
	s.keep(data)
	if !s.noSchema {
		c.validateFrame(s.label, data)
	}
	f, err := protocol.DecodeFrame(data)
	if err != nil {
		// A frame that does not decode is a schema departure, judged by
		// the SCHEMA checks; a check that needed it fails by its own
		// rule (a seq gap, a frame that never came).
		return frame{}, false
	}
	switch f.Type {
	case protocol.FrameSession:
		c.failf("%s: a second session frame", s.label)
		return frame{}, false
	case protocol.FrameTrigger, protocol.FramePush:
	default:
		return frame{}, false
	}
	s.mu.Lock()
	ev := s.seq.Observe(f.Seq)
	reported := s.seq.Gaps + s.seq.Duplicates + s.seq.Reordered
	if f.Type == protocol.FrameTrigger {
		s.triggers++
	}
	s.mu.Unlock()
	if problem := ev.Problem(); problem != "" && reported <= maxSeqProblems {
		c.failf("%s: %s", s.label, problem)
	}
	if f.Type == protocol.FrameTrigger && s.pat != nil {
		if ev, err := protocol.DecodeEvent(f.Event); err == nil {
			if ok, why := s.pat.Explain(ev); !ok {
				c.failf("%s: trigger seq %d does not match the session's pattern %s: %s", s.label, f.Seq, truncate(s.patText, 200), why)
			}
		}
	}
	return frame{Frame: f, raw: data}, true
}

func (s *wsSession) recordClose(err error) {
	var ce *wsconn.CloseError
	if !errors.As(err, &ce) {
		s.mu.Lock()
		s.readErr = err
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	s.readErr, s.closeCode = err, ce.Code
	s.mu.Unlock()
	if !ce.OnWire() {
		return
	}
	s.c.cov.closeCode(ce.Code)
	if !declaredClose(s.c.spec, ce.Code) {
		s.c.failf("%s: the server closed with code %d, which the spec does not declare (declared: %v)", s.label, ce.Code, s.c.spec.CloseCodes())
	}
}

func declaredClose(sp *spec.Spec, code int) bool {
	for _, c := range sp.CloseCodes() {
		if c == code {
			return true
		}
	}
	return false
}

// next returns the next trigger or push frame, or why there is none.
func (s *wsSession) next(ctx context.Context) (frame, error) {
	select {
	case f, ok := <-s.frames:
		if ok {
			return f, nil
		}
		return frame{}, s.endErr()
	case <-ctx.Done():
		return frame{}, fmt.Errorf("%s: waiting for a frame: %w", s.label, ctx.Err())
	}
}

// nextPush returns the next push frame, skipping triggers.
func (s *wsSession) nextPush(ctx context.Context) (frame, error) {
	for {
		f, err := s.next(ctx)
		if err != nil || f.Type == protocol.FramePush {
			return f, err
		}
	}
}

// endErr says why the session ended.
func (s *wsSession) endErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closeCode != 0 {
		return fmt.Errorf("%s: the server closed the session with code %d", s.label, s.closeCode)
	}
	if s.readErr != nil {
		return fmt.Errorf("%s: the connection ended: %s", s.label, s.c.red.Redact(s.readErr.Error()))
	}
	return fmt.Errorf("%s: the session ended", s.label)
}

// code returns the server's close code, 0 if none.
func (s *wsSession) code() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeCode
}

func (s *wsSession) triggerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.triggers
}

// ping sends a ping and waits for the matching pong.
func (s *wsSession) ping(ctx context.Context, payload string) (time.Duration, error) {
	rtt, err := s.conn.Ping(ctx, payload)
	if err == nil {
		return rtt, nil
	}
	select {
	case <-s.ended:
		return 0, fmt.Errorf("%s: no pong: %w", s.label, s.endErr())
	default:
	}
	if ctx.Err() != nil {
		return 0, fmt.Errorf("%s: no pong within the time limit", s.label)
	}
	return 0, fmt.Errorf("%s: %v", s.label, err)
}

// write sends a frame of any type and content.
func (s *wsSession) write(ctx context.Context, typ wsconn.MessageType, data []byte) error {
	return s.conn.WriteMessage(ctx, typ, data)
}

// waitClosed waits until the server has ended the session.
func (s *wsSession) waitClosed(ctx context.Context) error {
	for {
		select {
		case _, ok := <-s.frames:
			if !ok {
				<-s.ended
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("%s: the server did not close the session in time", s.label)
		}
	}
}

// close ends the session with 1000 and waits for the reader.
func (s *wsSession) close() {
	s.once.Do(func() {
		_ = s.conn.Close(protocol.CloseNormal, "", 2*time.Second)
		if s.started.Load() {
			<-s.ended
		}
	})
}

// frameEvidence records the first frames of the session as evidence.
func (s *wsSession) frameEvidence(note string) {
	s.mu.Lock()
	kept := append([]string(nil), s.kept...)
	s.mu.Unlock()
	s.c.addEvidence(Evidence{Step: "frames on " + s.label, Frames: kept, Note: note})
}
