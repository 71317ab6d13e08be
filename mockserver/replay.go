package mockserver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// replayEvent is one prepared line of the recording.
type replayEvent struct {
	offset time.Duration
	ev     *event
}

// prepareRecording decodes every event once, up front.
func prepareRecording(lines []protocol.RecordingLine) ([]replayEvent, error) {
	out := make([]replayEvent, len(lines))
	for i, l := range lines {
		ev, err := prepareEvent(l.Event)
		if err != nil {
			return nil, fmt.Errorf("recording line %d: %w", i+1, err)
		}
		out[i] = replayEvent{offset: time.Duration(l.OffsetMs) * time.Millisecond, ev: ev}
	}
	return out, nil
}

// loopPeriod is how long one pass of a looped recording lasts: the last
// offset plus the mean gap between events (one second when there is no
// gap), so the seam between passes looks like the rest.
func loopPeriod(events []replayEvent) time.Duration {
	if len(events) == 0 {
		return 0
	}
	first, last := events[0].offset, events[len(events)-1].offset
	gap := time.Second
	if len(events) > 1 && last > first {
		gap = (last - first) / time.Duration(len(events)-1)
	}
	return last + gap
}

// replayer runs the replay: at most one run goroutine at a time, owned
// by the server's WaitGroup.
type replayer struct {
	srv    *Server
	events []replayEvent
	period time.Duration

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{}
}

func (r *replayer) init(srv *Server, events []replayEvent) {
	r.srv, r.events, r.period = srv, events, loopPeriod(events)
}

// StartReplay starts the replay of the recording from its beginning now,
// stopping a replay in progress. The timeline is measured from this call:
// each event is due at start + offset/Speed, and so does not drift
// however long the fan-out of earlier events took. With an empty
// recording, or once the server is shutting down, it does nothing.
func (s *Server) StartReplay() { s.replay.start() }

// startOnce starts the replay unless it has been started before.
func (r *replayer) startOnce() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.started {
		r.startLocked()
	}
}

func (r *replayer) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.startLocked()
}

func (r *replayer) startLocked() {
	r.started = true
	if r.stopped || len(r.events) == 0 {
		return
	}
	r.stopLocked()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.cancel, r.done = cancel, done
	r.srv.wg.Go(func() {
		defer close(done)
		r.run(ctx)
	})
}

// stop ends the replay for good.
func (r *replayer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.stopLocked()
}

func (r *replayer) stopLocked() {
	if r.cancel != nil {
		r.cancel()
		<-r.done
		r.cancel, r.done = nil, nil
	}
}

// run replays the recording, and again while Options.Loop is set.
func (r *replayer) run(ctx context.Context) {
	clock, speed := r.srv.opts.Clock, r.srv.opts.Speed
	start := clock.Now()
	for pass := time.Duration(0); ; pass++ {
		for _, e := range r.events {
			if speed > 0 {
				due := start.Add(time.Duration(float64(pass*r.period+e.offset) / speed))
				if d := due.Sub(clock.Now()); d > 0 {
					select {
					case <-clock.After(d):
					case <-ctx.Done():
						return
					}
				}
			}
			if ctx.Err() != nil {
				return
			}
			r.srv.fanout(e.ev)
			r.srv.stats.replayed.Add(1) // after the fan-out: a reader who sees it sees its deliveries
		}
		if !r.srv.opts.Loop {
			return
		}
	}
}
