package load

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// shardSep separates the shards of a merged result in Config.Shard, as
// in "0/3,1/3,2/3".
const shardSep = ","

// ErrMerge is wrapped by every error of Merge.
var ErrMerge = errors.New("load: merge")

// Merge combines the results of the shards of one run ("wstrigger load
// --shard K/N" in several processes) into one result that reads as if a
// single driver had run them all. A merged result may be merged again.
//
// Counts are added up. Latency histograms are decoded, merged and encoded
// again, and every percentile is computed from the merged histogram:
// percentiles are never averaged. Rates (target, achieved, accepted) are
// added, since each shard ran for the same measured time at its share of
// the rate. Error classes of the same kind and key are added, their
// examples capped as in a run. Interval series are aligned by wall-clock
// second (Meta.Started plus T, rounded), their counts added and their
// latency histograms merged; the length (Seconds: the longest shard's,
// each shard's intervals of that second added up), the driver
// CPU, the scheduler p99 and the GC pause are the largest of the
// shards', and the phase is that of the first result with that second. (Intervals of schema version 1
// files kept no histogram: their percentiles merge as the largest of the
// shards', a conservative upper bound, and a percentile some shard did
// not keep is 0, unknown.) Meta and Config are the
// first result's, with Started the earliest, Ended the latest, Host the
// hosts joined, Config.ShardSubscriptions the sum and Config.Shard the
// list of merged shards ("0/3,1/3,2/3"). The merge is Interrupted when
// any shard was. Mock is left out (each shard
// measured the whole mock, so the shards' checks overlap), and so are
// the SLO verdicts, which belong to one shard's figures.
//
// Merge refuses results of another kind or of a newer schema version,
// shards of different splits (K/3 with K/4) and a shard given
// twice.
func Merge(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, fmt.Errorf("%w: no results", ErrMerge)
	}
	shards, err := mergeShards(results)
	if err != nil {
		return nil, err
	}
	first := results[0]
	out := &Result{SchemaVersion: SchemaVersion, Kind: ResultKind, Meta: first.Meta, Config: first.Config}
	out.Config.Shard = strings.Join(shards, shardSep)
	out.Config.ShardSubscriptions = 0
	var hosts []string
	for _, r := range results {
		out.Config.ShardSubscriptions += r.Config.ShardSubscriptions
		if r.Meta.Started.Before(out.Meta.Started) {
			out.Meta.Started = r.Meta.Started
		}
		if r.Meta.PushStart.Before(out.Meta.PushStart) {
			out.Meta.PushStart = r.Meta.PushStart
		}
		if r.Meta.Ended.After(out.Meta.Ended) {
			out.Meta.Ended = r.Meta.Ended
		}
		out.Meta.CutoffSeconds = max(out.Meta.CutoffSeconds, r.Meta.CutoffSeconds)
		out.Interrupted = out.Interrupted || r.Interrupted
		if !slices.Contains(hosts, r.Meta.Host) {
			hosts = append(hosts, r.Meta.Host)
		}
		addSubscriptions(&out.Subscriptions, &r.Subscriptions)
		addPushes(&out.Pushes, &r.Pushes)
		addDelivery(&out.Delivery, &r.Delivery)
		addHealth(&out.Driver, &r.Driver, r.Config.Shard)
	}
	out.Meta.Host = strings.Join(hosts, shardSep)
	out.Delivery.check(out.Delivery.Accepted)
	if out.Latency, err = mergeLatencies(results); err != nil {
		return nil, err
	}
	out.Errors = mergeErrors(results)
	if out.Intervals, err = mergeIntervals(out.Meta.Started, results); err != nil {
		return nil, err
	}
	return out, nil
}

// mergeShards checks the results can be merged and returns their shards.
func mergeShards(results []*Result) ([]string, error) {
	seen := map[string]bool{}
	var all []string
	n := 0
	for i, r := range results {
		if r == nil {
			return nil, fmt.Errorf("%w: result %d is nil", ErrMerge, i+1)
		}
		if r.Kind != ResultKind {
			return nil, fmt.Errorf("%w: result %d has kind %q, want %q", ErrMerge, i+1, r.Kind, ResultKind)
		}
		if r.SchemaVersion > SchemaVersion {
			return nil, fmt.Errorf("%w: result %d has schema version %d; this build merges 1 to %d", ErrMerge, i+1, r.SchemaVersion, SchemaVersion)
		}
		shard := r.Config.Shard
		if shard == "" {
			shard = "0/1"
		}
		for _, s := range strings.Split(shard, shardSep) {
			sh, err := ParseShard(s)
			if err != nil {
				return nil, fmt.Errorf("%w: result %d: %w", ErrMerge, i+1, err)
			}
			if n != 0 && sh.N != n {
				return nil, fmt.Errorf("%w: result %d is shard %v but an earlier one is of %d shards: merge the shards of one run", ErrMerge, i+1, sh, n)
			}
			n = sh.N
			if seen[sh.String()] {
				return nil, fmt.Errorf("%w: shard %v given twice (result %d): the shards overlap", ErrMerge, sh, i+1)
			}
			seen[sh.String()] = true
			all = append(all, sh.String())
		}
	}
	return all, nil
}

func addSubscriptions(to, f *SubscriptionFigures) {
	to.Requested += f.Requested
	to.Joined += f.Joined
	to.NeverJoined += f.NeverJoined
	to.OpenAtEnd += f.OpenAtEnd
	to.Sessions += f.Sessions
	to.JoinAttempts += f.JoinAttempts
	to.JoinFailures += f.JoinFailures
	to.Reconnects += f.Reconnects
	to.JoinSeconds = max(to.JoinSeconds, f.JoinSeconds)
	to.TriggersReceived += f.TriggersReceived
	to.TriggersPerSubscription = append(to.TriggersPerSubscription, f.TriggersPerSubscription...)
	to.PushFrames += f.PushFrames
	to.SeqGaps += f.SeqGaps
	to.SeqDuplicates += f.SeqDuplicates
	to.OutOfOrderFrames += f.OutOfOrderFrames
}

func addPushes(to, p *Pushes) {
	to.Scheduled += p.Scheduled
	to.Sent += p.Sent
	to.Unsent += p.Unsent
	to.NotDue += p.NotDue
	to.Accepted += p.Accepted
	to.Rejected += p.Rejected
	to.Failed += p.Failed
	to.LateSends += p.LateSends
	to.MaxSendLagUs = max(to.MaxSendLagUs, p.MaxSendLagUs)
	to.TargetRate += p.TargetRate
	to.AchievedRate += p.AchievedRate
	to.AcceptedRate += p.AcceptedRate
	to.MeasuredPushes += p.MeasuredPushes
}

func addDelivery(to, d *Delivery) {
	to.Accepted += d.Accepted
	to.Received += d.Received
	to.ExactlyOnce += d.ExactlyOnce
	to.Duplicated += d.Duplicated
	to.Lost += d.Lost
	to.LostAcrossReconnect += d.LostAcrossReconnect
	to.InFlight += d.InFlight
	to.OutOfOrder += d.OutOfOrder
	to.Late += d.Late
	to.ReceivedUnaccepted += d.ReceivedUnaccepted
	to.Misrouted += d.Misrouted
	to.ForeignFrames += d.ForeignFrames
}

// addHealth keeps the worst of the processes' figures, their memory
// added up (the processes' together, so the memory per subscription is
// that of all of them), and their warnings marked with the shard.
func addHealth(to, h *DriverHealth, shard string) {
	if to.Warnings == nil {
		to.Warnings = []string{}
		to.Memory.Source = h.Memory.Source
	}
	m, hm := &to.Memory, &h.Memory
	if m.Source != hm.Source {
		m.Source = "mixed"
	}
	m.BaselineBytes += hm.BaselineBytes
	m.HeldBytes += hm.HeldBytes
	m.SubscriptionsHeld += hm.SubscriptionsHeld
	m.GoHeapBytes += hm.GoHeapBytes
	m.GoStackBytes += hm.GoStackBytes
	m.Goroutines += hm.Goroutines
	to.MemoryPerSubscriptionBytes = 0
	if m.SubscriptionsHeld > 0 && m.HeldBytes > m.BaselineBytes && m.Source != "mixed" {
		to.MemoryPerSubscriptionBytes = float64(m.HeldBytes-m.BaselineBytes) / float64(m.SubscriptionsHeld)
	}
	to.MaxCPUPercent = max(to.MaxCPUPercent, h.MaxCPUPercent)
	to.MaxSchedLatencyP99Us = max(to.MaxSchedLatencyP99Us, h.MaxSchedLatencyP99Us)
	to.MaxGCPauseUs = max(to.MaxGCPauseUs, h.MaxGCPauseUs)
	to.GCCPUSeconds += h.GCCPUSeconds
	to.BusySeconds = max(to.BusySeconds, h.BusySeconds)
	for _, w := range h.Warnings {
		to.Warnings = append(to.Warnings, "shard "+shard+": "+w)
	}
}

// mergeLatencies adds the histograms of each latency kind.
func mergeLatencies(results []*Result) (Latencies, error) {
	var out Latencies
	for k, into := range out.Kinds() {
		var sum *hdrhistogram.Histogram
		for i, r := range results {
			s := r.Latency.Kinds()[k]
			if s.Count > 0 && s.HDR == "" {
				return Latencies{}, fmt.Errorf("%w: result %d has latencies without their histogram", ErrMerge, i+1)
			}
			h, err := s.Histogram()
			if err != nil {
				return Latencies{}, fmt.Errorf("%w: result %d: decoding a histogram: %w", ErrMerge, i+1, err)
			}
			if sum == nil {
				sum = h
				continue
			}
			if dropped := sum.Merge(h); dropped > 0 {
				return Latencies{}, fmt.Errorf("%w: result %d: %d latencies out of the histogram's range", ErrMerge, i+1, dropped)
			}
		}
		*into = Summarize(sum, true)
	}
	return out, nil
}

// mergeErrors adds up the error classes of the same kind and key.
func mergeErrors(results []*Result) []ErrorClass {
	out := []ErrorClass{}
	at := map[[2]string]int{}
	for _, r := range results {
		for _, c := range r.Errors {
			key := [2]string{c.Kind, c.Key}
			i, ok := at[key]
			if !ok {
				at[key] = len(out)
				out = append(out, ErrorClass{Kind: c.Kind, Key: c.Key, Examples: []string{}})
				i = len(out) - 1
			}
			out[i].Count += c.Count
			for _, ex := range c.Examples {
				if len(out[i].Examples) < maxExamples {
					out[i].Examples = append(out[i].Examples, ex)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { // as errorLog.list orders them
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// mergeIntervals aligns the interval series by wall-clock second and
// adds them up; T of the merged series counts from started.
func mergeIntervals(started time.Time, results []*Result) ([]Interval, error) {
	byEnd := map[int64]*intervalSum{}
	for i, r := range results {
		for _, iv := range r.Intervals {
			end := r.Meta.Started.Add(time.Duration(iv.T * float64(time.Second)))
			sec := int64(math.Round(float64(end.UnixNano()) / 1e9))
			m, ok := byEnd[sec]
			if !ok {
				m = &intervalSum{iv: Interval{T: end.Sub(started).Seconds(), Phase: iv.Phase}}
				byEnd[sec] = m
			}
			if err := m.add(i, &iv); err != nil {
				return nil, fmt.Errorf("%w: result %d, interval at %.0f s: %w", ErrMerge, i+1, iv.T, err)
			}
		}
	}
	out := make([]Interval, 0, len(byEnd))
	for _, m := range byEnd {
		out = append(out, m.result())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out, nil
}

// intervalSum is one wall-clock second of a merge in progress.
type intervalSum struct {
	iv Interval
	// hist is each latency kind's merged histogram; nil once a shard's
	// interval brought that kind's figures without one (schema 1), and
	// iv.Latency then holds the largest percentiles seen instead.
	hist    [nMetrics]*hdrhistogram.Histogram
	inexact [nMetrics]bool
	// seconds is the length each result's intervals of this second add
	// up to (a result may have a short one and a whole one that end in
	// the same second).
	seconds map[int]float64
	// noP90 and noP999: a contributor without histogram did not know
	// that percentile (schema 1 kept p50, p99 and max only).
	noP90, noP999 [nMetrics]bool
}

func (m *intervalSum) add(result int, iv *Interval) error {
	to := &m.iv
	if m.seconds == nil {
		m.seconds = map[int]float64{}
	}
	m.seconds[result] += iv.Seconds
	to.Seconds = max(to.Seconds, m.seconds[result])
	to.Sent += iv.Sent
	to.Accepted += iv.Accepted
	to.Frames += iv.Frames
	to.Errors += iv.Errors
	to.Open += iv.Open
	to.Joined += iv.Joined
	to.TargetRate += iv.TargetRate
	to.DriverCPU = max(to.DriverCPU, iv.DriverCPU)
	to.SchedP99Us = max(to.SchedP99Us, iv.SchedP99Us)
	to.GCPauseMaxUs = max(to.GCPauseMaxUs, iv.GCPauseMaxUs)
	to.HeapMB += iv.HeapMB
	into, from := to.Latency.Kinds(), iv.Latency.Kinds()
	for k, s := range from {
		if s.Count == 0 {
			continue
		}
		if s.HDR == "" {
			m.inexact[k] = true
			m.noP90[k] = m.noP90[k] || s.P90Us == 0
			m.noP999[k] = m.noP999[k] || s.P999Us == 0
		}
		if !m.inexact[k] {
			h, err := s.Histogram()
			if err != nil {
				return fmt.Errorf("decoding a histogram: %w", err)
			}
			if m.hist[k] == nil {
				m.hist[k] = newHist()
			}
			if dropped := m.hist[k].Merge(h); dropped > 0 {
				return fmt.Errorf("%d latencies out of the histogram's range", dropped)
			}
		}
		u := into[k]
		u.Count += s.Count
		u.P50Us, u.P90Us, u.P99Us = max(u.P50Us, s.P50Us), max(u.P90Us, s.P90Us), max(u.P99Us, s.P99Us)
		u.P999Us, u.MaxUs = max(u.P999Us, s.P999Us), max(u.MaxUs, s.MaxUs)
	}
	return nil
}

func (m *intervalSum) result() Interval {
	out := m.iv
	for k, into := range out.Latency.Kinds() {
		switch {
		case m.hist[k] != nil && !m.inexact[k]:
			*into = Summarize(m.hist[k], true)
		case m.inexact[k]: // a percentile some shard did not know is unknown (0)
			if m.noP90[k] {
				into.P90Us = 0
			}
			if m.noP999[k] {
				into.P999Us = 0
			}
		}
	}
	return out
}
