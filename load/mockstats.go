package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
)

// mockStatsPath is the mock's control endpoint with its counters.
const mockStatsPath = "/_mock/stats"

// mockStats fetches the target's /_mock/stats, or nil when the target
// is not the mock (or does not answer).
func (d *Driver) mockStats(ctx context.Context) *loadresult.MockStats {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.target+mockStatsPath, nil)
	if err != nil {
		return nil
	}
	resp, err := d.httpc.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	var st loadresult.MockStats
	if json.Unmarshal(data, &st) != nil || st.FramesSent == nil {
		return nil
	}
	return &st
}

// reconcile compares the mock's counters over the run with the driver's
// figures.
func reconcile(before, after *loadresult.MockStats, r *Result) *loadresult.MockCheck {
	if before == nil || after == nil {
		return nil
	}
	c := &loadresult.MockCheck{
		PushFramesSent:     after.FramesSent["push"] - before.FramesSent["push"],
		PushFramesReceived: r.Subscriptions.PushFrames,
		TriggersSent:       after.FramesSent["trigger"] - before.FramesSent["trigger"],
		TriggersReceived:   r.Subscriptions.TriggersReceived,
		Pushes202:          after.Pushes["202"] - before.Pushes["202"],
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
