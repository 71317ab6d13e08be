package loadresult

import "encoding/json"

// Interval is one second of the run. Counts are over the interval; T is
// its end in seconds since the run started (joins included) and Seconds
// its length: a second, but for the last one of the joins (cut at the
// push start, so that the pushing seconds are whole seconds from it) and
// the last one of the run. Phase is what the run was doing during the
// interval: joining, then by the schedule warmup, pushing or holding for
// the seconds it covers, then draining and closing. Latency holds each
// kind's distribution over the interval, histogram included, warmup
// seconds too, so that shards merge exactly and runs compare second by
// second.
type Interval struct {
	T            float64   `json:"t"`
	Seconds      float64   `json:"seconds"`
	Phase        string    `json:"phase"`
	Sent         uint64    `json:"sent"`
	Accepted     uint64    `json:"accepted"`
	Frames       uint64    `json:"frames"`
	Errors       uint64    `json:"errors"`
	Closes       uint64    `json:"closes,omitempty"`  // sessions that ended (Rejoins.Closes)
	Rejoins      uint64    `json:"rejoins,omitempty"` // subscriptions back with a new session (Rejoins.Back)
	Open         int64     `json:"openSubscriptions"`
	Joined       int64     `json:"joined"`
	TargetRate   float64   `json:"targetRate"` // this shard's pushes due in the interval, per second
	Latency      Latencies `json:"latency"`
	DriverCPU    float64   `json:"driverCpuPercent"`
	SchedP99Us   int64     `json:"schedLatencyP99Us"`
	GCPauseMaxUs int64     `json:"gcPauseMaxUs"`
	HeapMB       float64   `json:"heapMB"`
}

// PerSecond is n, a count of the interval, per second of its length. An
// interval of unknown length (older files) counts as a second.
func (iv *Interval) PerSecond(n uint64) float64 {
	if iv.Seconds <= 0 {
		return float64(n)
	}
	return float64(n) / iv.Seconds
}

// MarshalJSON writes the interval with only the latency kinds it
// recorded.
func (iv Interval) MarshalJSON() ([]byte, error) {
	type plain Interval
	lat := map[string]Summary{}
	for i, s := range iv.Latency.Kinds() {
		if s.Count > 0 {
			lat[latencyNames[i]] = *s
		}
	}
	return json.Marshal(struct {
		plain
		Latency map[string]Summary `json:"latency"`
	}{plain(iv), lat})
}

// UnmarshalJSON reads an interval of either schema version: version 1
// kept only the count, p50, p99 and max of the end-to-end latency, in
// fields of their own; they become Latency.PushEndToEnd, without a
// histogram and with the other percentiles zero (unknown).
func (iv *Interval) UnmarshalJSON(data []byte) error {
	type plain Interval // without this method
	var cur plain
	if err := json.Unmarshal(data, &cur); err != nil {
		return err
	}
	var v1 struct {
		EndToEndCount int64 `json:"endToEndCount"`
		EndToEndP50Us int64 `json:"endToEndP50Us"`
		EndToEndP99Us int64 `json:"endToEndP99Us"`
		EndToEndMaxUs int64 `json:"endToEndMaxUs"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return err
	}
	*iv = Interval(cur)
	if iv.Latency.PushEndToEnd.Count == 0 && v1.EndToEndCount > 0 {
		iv.Latency.PushEndToEnd = Summary{Count: v1.EndToEndCount, P50Us: v1.EndToEndP50Us, P99Us: v1.EndToEndP99Us, MaxUs: v1.EndToEndMaxUs}
	}
	return nil
}
