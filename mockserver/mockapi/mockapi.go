package mockapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/wstrigger/wstrigger/protocol"
)

// ControlPrefix is the path prefix of the mock's control API.
const ControlPrefix = "/_mock/"

// StatsPath is the path of the mock's counters.
const StatsPath = ControlPrefix + "stats"

// Header is the response header by which a wstrigger mock identifies
// itself on an accepted join; its value is a comma-separated list of
// tokens. HeaderStats says that GET StatsPath serves the counters.
const (
	Header      = "Wstrigger-Mock"
	HeaderStats = "stats"
)

// maxStats bounds the body FetchStats reads.
const maxStats = 1 << 20

// Stats are the mock's counters since it started or since it was last
// reset. In JSON (GET /_mock/stats) map keys are written as strings.
type Stats struct {
	// OpenSessions is the number of sessions open now (not reset).
	OpenSessions int `json:"openSessions"`
	// Joins counts accepted joins.
	Joins uint64 `json:"joins"`
	// RejectedJoins counts rejected joins by HTTP status.
	RejectedJoins map[int]uint64 `json:"rejectedJoins"`
	// FramesSent counts frames written, by type: session, trigger, push.
	FramesSent map[string]uint64 `json:"framesSent"`
	// TriggersReplayed counts events taken from the recording.
	TriggersReplayed uint64 `json:"triggersReplayed"`
	// TriggersInjected counts events injected with Inject or
	// POST /_mock/triggers.
	TriggersInjected uint64 `json:"triggersInjected"`
	// Deliveries counts trigger frames queued for sessions.
	Deliveries uint64 `json:"deliveries"`
	// Dropped counts frames queued or due for a session that ended
	// before they were written: those of a session closed with 4008
	// (including the frame that overflowed its queue), any left in a
	// queue when a session closes, and any whose write failed.
	Dropped uint64 `json:"dropped"`
	// Closes counts ended sessions by close code: the code the server
	// sent, or the client's when it closed first; 1006 when the
	// connection ended without a close frame (reset, no pong, dropped).
	Closes map[int]uint64 `json:"closes"`
	// Pushes counts push requests by HTTP status.
	Pushes map[int]uint64 `json:"pushes"`
	// PeakJoinRate is the most joins accepted in one tenth of a second
	// (slots aligned on the mock's start), per second: how hard the
	// busiest moment, such as the rejoins after a disconnect, hit it.
	PeakJoinRate float64 `json:"peakJoinRate"`
	// Disconnects counts the times every session was ended at once
	// (POST /_mock/disconnect, the disconnect fault).
	Disconnects uint64 `json:"disconnects"`
}

// Identifies reports whether h, the headers of an accepted join, say
// that the target is a wstrigger mock serving its counters.
func Identifies(h http.Header) bool {
	return protocol.HeaderHasToken(h, Header, HeaderStats)
}

// FetchStats reads GET base+StatsPath with hc (http.DefaultClient when
// nil). base is a target's base URL with no query, as
// client.ParseTarget returns it; errors name the path, never base.
func FetchStats(ctx context.Context, hc *http.Client, base string) (Stats, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+StatsPath, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("mockapi: GET %s: bad base URL", StatsPath)
	}
	req.Close = true // read twice a run: no idle connection left behind
	resp, err := hc.Do(req)
	if err != nil {
		return Stats{}, fmt.Errorf("mockapi: GET %s: %w", StatsPath, protocol.RedactError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxStats))
	if err != nil {
		return Stats{}, fmt.Errorf("mockapi: GET %s: %w", StatsPath, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Stats{}, fmt.Errorf("mockapi: GET %s: %s", StatsPath, resp.Status)
	}
	var st Stats
	if err := json.Unmarshal(data, &st); err != nil {
		return Stats{}, fmt.Errorf("mockapi: GET %s: %w", StatsPath, err)
	}
	if st.FramesSent == nil {
		return Stats{}, fmt.Errorf("mockapi: GET %s: not the mock's counters (no framesSent)", StatsPath)
	}
	return st, nil
}
