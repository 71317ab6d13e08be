package load

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// An Observer reads the target's own counters: the driver calls it
// once before the run and once after, and compares the difference with
// what it saw (Result.Mock). Only a target that is a wstrigger mock has
// such counters; the command sets an Observer for the embedded mock
// (read in-process) and for a mock that identified itself on a join
// (mockapi.Identifies). Without one the driver sends no request but
// joins (GET /api/v1/websocket) and pushes (POST
// /api/v1/websocket/session), and Result.Mock is nil.
//
// It is called from the goroutine of Run, with a context that ends
// after 3 s; an error leaves Result.Mock nil.
type Observer func(ctx context.Context) (mockapi.Stats, error)

// observeTimeout bounds each call of the Observer.
const observeTimeout = 3 * time.Second

// mockStats reads the target's counters through the Observer, or
// returns nil when there is none or it fails.
func (d *Driver) mockStats(ctx context.Context) *mockapi.Stats {
	if d.opts.Observer == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, observeTimeout)
	defer cancel()
	st, err := d.opts.Observer(ctx)
	if err != nil {
		return nil
	}
	return &st
}

// mockStatsAfter reads the target's counters at the end of the run, even
// once ctx is done, and for a run cut short (an interruption) by by at
// the latest: a frozen target then holds the stop no longer.
func (d *Driver) mockStatsAfter(ctx context.Context, cutShort bool, by time.Time) *mockapi.Stats {
	ctx = context.WithoutCancel(ctx)
	if cutShort {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, by)
		defer cancel()
	}
	return d.mockStats(ctx)
}

// closeBudget bounds the closes at the end of a run that was not
// interrupted (an interrupted one has PushTimeout for its closes and its
// last read of the target's counters): ample for a target that answers.
const closeBudget = 10 * time.Second

// stopBy is when the closes at the end of the run must be done.
func (d *Driver) stopBy(cutShort bool) time.Time {
	if cutShort {
		return time.Now().Add(d.opts.PushTimeout)
	}
	return time.Now().Add(closeBudget)
}

// reconcile compares the mock's counters over the run with the driver's
// figures.
func reconcile(before, after *mockapi.Stats, r *Result) *loadresult.MockCheck {
	if before == nil || after == nil {
		return nil
	}
	c := &loadresult.MockCheck{
		PushFramesSent:     after.FramesSent[protocol.FramePush] - before.FramesSent[protocol.FramePush],
		PushFramesReceived: r.Subscriptions.PushFrames,
		TriggersSent:       after.FramesSent[protocol.FrameTrigger] - before.FramesSent[protocol.FrameTrigger],
		TriggersReceived:   r.Subscriptions.TriggersReceived,
		Pushes202:          after.Pushes[http.StatusAccepted] - before.Pushes[http.StatusAccepted],
		Accepted:           r.Pushes.Accepted,
		Joins:              after.Joins - before.Joins,
		JoinsSeen:          r.Subscriptions.Sessions,
		Deliveries:         after.Deliveries - before.Deliveries,
		Dropped:            after.Dropped - before.Dropped,
		Notes:              []string{},
	}
	note := func(ok bool, format string, args ...any) {
		if !ok {
			c.Notes = append(c.Notes, fmt.Sprintf(format, args...))
		}
	}
	note(c.PushFramesSent == c.PushFramesReceived, "the mock wrote %d push frames, the driver read %d", c.PushFramesSent, c.PushFramesReceived)
	note(c.TriggersSent == c.TriggersReceived, "the mock wrote %d trigger frames, the driver read %d (frames written while sessions closed at the end are not read)", c.TriggersSent, c.TriggersReceived)
	note(c.Pushes202 == c.Accepted, "the mock accepted %d pushes, the driver saw %d accepted", c.Pushes202, c.Accepted)
	note(c.Joins == c.JoinsSeen, "the mock accepted %d joins, the driver made %d sessions", c.Joins, c.JoinsSeen)
	note(c.Dropped == 0, "the mock dropped %d frames (sessions closed with frames queued)", c.Dropped)
	c.Match = len(c.Notes) == 0
	if r.Config.Shard != "0/1" {
		c.Notes = append(c.Notes, "sharded run: the mock's counters include the other shards' traffic")
	}
	return c
}
