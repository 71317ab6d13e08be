package loadresult

// MockCheck compares what the mock says it did during the run with what
// the driver saw. It is best effort: another client of the same mock, or
// other shards, add to the mock's counters.
type MockCheck struct {
	PushFramesSent     uint64   `json:"pushFramesSent"`
	PushFramesReceived uint64   `json:"pushFramesReceived"`
	TriggersSent       uint64   `json:"triggerFramesSent"`
	TriggersReceived   uint64   `json:"triggerFramesReceived"`
	Pushes202          uint64   `json:"pushes202"`
	Accepted           uint64   `json:"accepted"`
	Joins              uint64   `json:"joins"`
	JoinsSeen          uint64   `json:"joinsSeen"`
	Deliveries         uint64   `json:"deliveries"`
	Dropped            uint64   `json:"dropped"`
	Match              bool     `json:"match"`
	Notes              []string `json:"notes"`
}
