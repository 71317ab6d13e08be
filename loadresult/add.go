package loadresult

import "fmt"

// Add adds o's figures to f: counts add up, JoinSeconds is the longer,
// and o's TriggersPerSubscription follow f's.
func (f *SubscriptionFigures) Add(o SubscriptionFigures) {
	f.Requested += o.Requested
	f.Joined += o.Joined
	f.NeverJoined += o.NeverJoined
	f.OpenAtEnd += o.OpenAtEnd
	f.Sessions += o.Sessions
	f.JoinAttempts += o.JoinAttempts
	f.JoinFailures += o.JoinFailures
	f.Reconnects += o.Reconnects
	f.JoinSeconds = max(f.JoinSeconds, o.JoinSeconds)
	f.TriggersReceived += o.TriggersReceived
	f.TriggersPerSubscription = append(f.TriggersPerSubscription, o.TriggersPerSubscription...)
	f.PushFrames += o.PushFrames
	f.SeqGaps += o.SeqGaps
	f.SeqDuplicates += o.SeqDuplicates
	f.OutOfOrderFrames += o.OutOfOrderFrames
}

// Add adds o's pushes to p: counts add up, and so do the rates, since
// each shard ran for the same measured time at its share of the rate;
// MaxSendLagUs is the larger.
func (p *Pushes) Add(o Pushes) {
	p.Scheduled += o.Scheduled
	p.Sent += o.Sent
	p.Unsent += o.Unsent
	p.NotDue += o.NotDue
	p.Accepted += o.Accepted
	p.Rejected += o.Rejected
	p.Failed += o.Failed
	p.LateSends += o.LateSends
	p.MaxSendLagUs = max(p.MaxSendLagUs, o.MaxSendLagUs)
	p.TargetRate += o.TargetRate
	p.AchievedRate += o.AchievedRate
	p.AcceptedRate += o.AcceptedRate
	p.MeasuredPushes += o.MeasuredPushes
}

// Add adds o's delivery to d: counts add up, and DeliveredPercent and
// the invariant are those of the sums (SetInvariant(d.Accepted)).
func (d *Delivery) Add(o Delivery) {
	d.Accepted += o.Accepted
	d.Received += o.Received
	d.ExactlyOnce += o.ExactlyOnce
	d.Duplicated += o.Duplicated
	d.Lost += o.Lost
	d.LostAcrossReconnect += o.LostAcrossReconnect
	d.InFlight += o.InFlight
	d.OutOfOrder += o.OutOfOrder
	d.Late += o.Late
	d.ReceivedUnaccepted += o.ReceivedUnaccepted
	d.Misrouted += o.Misrouted
	d.ForeignFrames += o.ForeignFrames
	d.SetInvariant(d.Accepted)
}

// Add adds another process's memory to m: the figures add up, the
// processes' together; the Source is "mixed" when they measured
// differently. A zero m takes o as it is.
func (m *Memory) Add(o Memory) {
	if *m == (Memory{}) {
		*m = o
		return
	}
	if m.Source != o.Source {
		m.Source = "mixed"
	}
	m.BaselineBytes += o.BaselineBytes
	m.HeldBytes += o.HeldBytes
	m.SubscriptionsHeld += o.SubscriptionsHeld
	m.GoHeapBytes += o.GoHeapBytes
	m.GoStackBytes += o.GoStackBytes
	m.Goroutines += o.Goroutines
}

// Add adds another process's health to h: the worst of the gauges is
// kept, GC CPU time and memory add up (MemoryPerSubscriptionBytes is
// computed again from the memory of all of them; 0 when it was measured
// differently), and o's warnings follow h's.
func (h *DriverHealth) Add(o DriverHealth) {
	h.Memory.Add(o.Memory)
	m := &h.Memory
	h.MemoryPerSubscriptionBytes = 0
	if m.SubscriptionsHeld > 0 && m.HeldBytes > m.BaselineBytes && m.Source != "mixed" {
		h.MemoryPerSubscriptionBytes = float64(m.HeldBytes-m.BaselineBytes) / float64(m.SubscriptionsHeld)
	}
	h.MaxCPUPercent = max(h.MaxCPUPercent, o.MaxCPUPercent)
	h.MaxSchedLatencyP99Us = max(h.MaxSchedLatencyP99Us, o.MaxSchedLatencyP99Us)
	h.MaxGCPauseUs = max(h.MaxGCPauseUs, o.MaxGCPauseUs)
	h.GCCPUSeconds += o.GCCPUSeconds
	h.BusySeconds = max(h.BusySeconds, o.BusySeconds)
	h.Warnings = append(h.Warnings, o.Warnings...)
}

// Add merges o into s. When each carries its histogram (or counts
// nothing) the merge is exact: the histograms are merged and every
// figure is computed again from the merge; percentiles are never
// averaged. When one lacks it (an interval of a schema 1 file), the
// merge is an upper bound: the counts add up, p50, p99 and max are the
// larger, p90 and p99.9 the larger when both knew them (0, unknown,
// otherwise), and min, mean and the histogram are unknown (zero).
// Censored counts add up either way.
func (s *Summary) Add(o Summary) error {
	switch {
	case o.Count == 0:
		return nil
	case s.Count == 0:
		*s = o
		return nil
	case s.HDR == "" || o.HDR == "":
		s.addBound(o)
		return nil
	}
	h, err := s.Histogram()
	if err != nil {
		return fmt.Errorf("decoding a histogram: %w", err)
	}
	oh, err := o.Histogram()
	if err != nil {
		return fmt.Errorf("decoding a histogram: %w", err)
	}
	if dropped := h.Merge(oh); dropped > 0 {
		return fmt.Errorf("%d latencies out of the histogram's range", dropped)
	}
	censored := s.Censored + o.Censored
	*s = Summarize(h, true)
	s.Censored = censored
	return nil
}

// addBound is Add of summaries one of which has no histogram.
func (s *Summary) addBound(o Summary) {
	known := func(a, b int64) int64 { // 0 is unknown
		if a == 0 || b == 0 {
			return 0
		}
		return max(a, b)
	}
	*s = Summary{
		Count: s.Count + o.Count,
		P50Us: max(s.P50Us, o.P50Us), P90Us: known(s.P90Us, o.P90Us), P99Us: max(s.P99Us, o.P99Us),
		P999Us: known(s.P999Us, o.P999Us), MaxUs: max(s.MaxUs, o.MaxUs),
		Censored: s.Censored + o.Censored,
	}
}

// Add merges each of o's latency kinds into l's (Summary.Add).
func (l *Latencies) Add(o Latencies) error {
	from := o.Kinds()
	for i, into := range l.Kinds() {
		if err := into.Add(*from[i]); err != nil {
			return fmt.Errorf("%s latency: %w", latencyNames[i], err)
		}
	}
	return nil
}

// Add adds o, the same second of another shard, to iv: counts and
// target rates add up, and so do the gauges of the processes (open
// sessions, joined, heap); the length, driver CPU, scheduler p99 and GC
// pause are the larger; latencies merge (Latencies.Add). T and Phase
// stay iv's, or become o's when iv has neither.
func (iv *Interval) Add(o Interval) error {
	if iv.T == 0 && iv.Phase == "" {
		iv.T, iv.Phase = o.T, o.Phase
	}
	iv.Seconds = max(iv.Seconds, o.Seconds)
	iv.Sent += o.Sent
	iv.Accepted += o.Accepted
	iv.Frames += o.Frames
	iv.Errors += o.Errors
	iv.Closes += o.Closes
	iv.Rejoins += o.Rejoins
	iv.Open += o.Open
	iv.Joined += o.Joined
	iv.TargetRate += o.TargetRate
	iv.DriverCPU = max(iv.DriverCPU, o.DriverCPU)
	iv.SchedP99Us = max(iv.SchedP99Us, o.SchedP99Us)
	iv.GCPauseMaxUs = max(iv.GCPauseMaxUs, o.GCPauseMaxUs)
	iv.HeapMB += o.HeapMB
	return iv.Latency.Add(o.Latency)
}

// Add adds o, an error class of the same kind and key, to c: the counts
// add up and o's examples follow c's, MaxExamples at most. Kind and Key
// stay c's, or become o's when c has none.
func (c *ErrorClass) Add(o ErrorClass) {
	if c.Kind == "" && c.Key == "" {
		c.Kind, c.Key = o.Kind, o.Key
	}
	c.Count += o.Count
	if c.Examples == nil {
		c.Examples = []string{}
	}
	for _, ex := range o.Examples {
		if len(c.Examples) < MaxExamples {
			c.Examples = append(c.Examples, ex)
		}
	}
}

// Add adds the floor of another shard: subscriptions, rates and frames
// add up, the time is the longer, latencies are merged.
func (f *DriverFloor) Add(o DriverFloor) error {
	f.Seconds = max(f.Seconds, o.Seconds)
	f.Subscriptions += o.Subscriptions
	f.PushRate += o.PushRate
	f.Received += o.Received
	if err := f.EndToEnd.Add(o.EndToEnd); err != nil {
		return err
	}
	return f.Service.Add(o.Service)
}
