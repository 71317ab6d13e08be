package loadresult

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
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
// Each shard's figures are added to the merge by their Add methods
// (SubscriptionFigures.Add, Pushes.Add, Delivery.Add, Latencies.Add,
// DriverHealth.Add, ErrorClass.Add, Rejoins.Add): counts and rates add up (each shard
// ran for the same measured time at its share of the rate), latency
// histograms are merged and every percentile computed from the merge,
// never averaged, and the worst of the driver's gauges is kept; its
// warnings are marked with the shard. Interval series are aligned by
// wall-clock second (Meta.Started plus T, rounded) and added up with
// Interval.Add; a second's length is the longest shard's, each shard's
// intervals of that second added up, and its phase that of the first
// result with that second. (Intervals of schema version 1 files kept no
// histogram: their percentiles merge as an upper bound, see Summary.Add.)
// Meta and Config are the first result's, with Started the earliest,
// PushStart the earliest and PushStartSkewSeconds the spread of the
// push starts (StartSkew), Ended the latest, Host the hosts joined, Config.ShardSubscriptions the
// sum and Config.Shard the list of merged shards ("0/3,1/3,2/3"). The
// merge is Interrupted when any shard was. Mock is left out (each shard
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
	out := &Result{SchemaVersion: SchemaVersion, Kind: ResultKind, Meta: first.Meta, Config: first.Config,
		Errors: []ErrorClass{}, Driver: DriverHealth{Warnings: []string{}}}
	out.Config.Shard = strings.Join(shards, shardSep)
	out.Config.ShardSubscriptions = 0
	out.Meta.Host = ""
	for i, r := range results {
		if err := out.add(r); err != nil {
			return nil, fmt.Errorf("%w: result %d: %w", ErrMerge, i+1, err)
		}
	}
	if out.Intervals, err = mergeIntervals(out.Meta.Started, results); err != nil {
		return nil, err
	}
	return out, nil
}

// add adds one shard's result to the merge out: its figures with their
// Add methods, its Meta and Config by widen.
func (out *Result) add(r *Result) error {
	for i, s := range r.Latency.Kinds() {
		if s.Count > 0 && s.HDR == "" {
			return fmt.Errorf("%s latencies without their histogram", latencyNames[i])
		}
	}
	if err := out.Latency.Add(r.Latency); err != nil {
		return err
	}
	out.Interrupted = out.Interrupted || r.Interrupted
	out.Meta.widen(r.Meta)
	out.Config.ShardSubscriptions += r.Config.ShardSubscriptions
	out.Subscriptions.Add(r.Subscriptions)
	out.Pushes.Add(r.Pushes)
	out.Delivery.Add(r.Delivery)
	health := r.Driver
	health.Warnings = make([]string, len(r.Driver.Warnings))
	for i, w := range r.Driver.Warnings {
		health.Warnings[i] = "shard " + r.Config.Shard + ": " + w
	}
	out.Driver.Add(health)
	out.Errors = addErrors(out.Errors, r.Errors)
	if err := addRejoins(&out.Rejoins, r.Rejoins); err != nil {
		return err
	}
	if r.DriverFloor != nil {
		if out.DriverFloor == nil {
			out.DriverFloor = &DriverFloor{}
		}
		if err := out.DriverFloor.Add(*r.DriverFloor); err != nil {
			return fmt.Errorf("driver floor: %w", err)
		}
	}
	return nil
}

// widen makes m span o too: the earliest start, the latest end and
// cut-off, and o's host among the hosts.
func (m *Meta) widen(o Meta) {
	if o.Started.Before(m.Started) {
		m.Started = o.Started
	}
	m.widenPushStart(o)
	if o.Ended.After(m.Ended) {
		m.Ended = o.Ended
	}
	m.CutoffSeconds = max(m.CutoffSeconds, o.CutoffSeconds)
	hosts := strings.Split(m.Host, shardSep)
	if m.Host == "" {
		hosts = nil
	}
	for _, h := range strings.Split(o.Host, shardSep) {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	m.Host = strings.Join(hosts, shardSep)
}

// widenPushStart makes m's push start span, from PushStart for
// PushStartSkewSeconds, cover o's too. A zero push start (an old or a
// hand-made file) adds nothing.
func (m *Meta) widenPushStart(o Meta) {
	if o.PushStart.IsZero() {
		return
	}
	if m.PushStart.IsZero() {
		m.PushStart, m.PushStartSkewSeconds = o.PushStart, o.PushStartSkewSeconds
		return
	}
	last := func(x Meta) time.Time {
		return x.PushStart.Add(time.Duration(x.PushStartSkewSeconds * float64(time.Second)))
	}
	first, end := m.PushStart, last(*m)
	if o.PushStart.Before(first) {
		first = o.PushStart
	}
	if l := last(o); l.After(end) {
		end = l
	}
	m.PushStart, m.PushStartSkewSeconds = first, end.Sub(first).Seconds()
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
		for _, s := range strings.Split(shardName(r), shardSep) {
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

// addErrors adds the classes of more to list, each to the class of the
// same kind and key, and orders them as a run does: most frequent first.
func addErrors(list, more []ErrorClass) []ErrorClass {
	for _, c := range more {
		i := slices.IndexFunc(list, func(e ErrorClass) bool { return e.Kind == c.Kind && e.Key == c.Key })
		if i < 0 {
			list = append(list, ErrorClass{})
			i = len(list) - 1
		}
		list[i].Add(c)
	}
	SortErrors(list)
	return list
}

// SortErrors orders error classes most frequent first, then by key.
func SortErrors(list []ErrorClass) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Key < list[j].Key
	})
}

// mergeIntervals aligns the interval series by wall-clock second and
// adds them up (Interval.Add); T of the merged series counts from
// started. A second's length is the longest of the results' lengths of
// it, each the sum of that result's intervals ending in it.
func mergeIntervals(started time.Time, results []*Result) ([]Interval, error) {
	type second struct {
		iv      Interval
		seconds map[int]float64 // each result's intervals of it, added up
	}
	bySec := map[int64]*second{}
	for i, r := range results {
		for _, iv := range r.Intervals {
			end := r.Meta.Started.Add(time.Duration(iv.T * float64(time.Second)))
			sec := int64(math.Round(float64(end.UnixNano()) / 1e9))
			b, ok := bySec[sec]
			if !ok {
				b = &second{iv: Interval{T: end.Sub(started).Seconds(), Phase: iv.Phase}, seconds: map[int]float64{}}
				bySec[sec] = b
			}
			if err := b.iv.Add(iv); err != nil {
				return nil, fmt.Errorf("%w: result %d, interval at %.0f s: %w", ErrMerge, i+1, iv.T, err)
			}
			b.seconds[i] += iv.Seconds
			b.iv.Seconds = max(b.iv.Seconds, b.seconds[i])
		}
	}
	out := make([]Interval, 0, len(bySec))
	for _, b := range bySec {
		out = append(out, b.iv)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].T < out[j].T })
	return out, nil
}

// MissingShards returns the shards of the run's split that the result
// does not hold ("2/3" for a merge of 0/3 and 1/3), in order: none for a
// run that was not split or a complete merge. A shard list it cannot
// read counts as nothing missing; Merge refuses such lists.
func (c Config) MissingShards() []Shard {
	if c.Shard == "" {
		return nil
	}
	have := map[int]bool{}
	n := 0
	for _, s := range strings.Split(c.Shard, shardSep) {
		sh, err := ParseShard(s)
		if err != nil || (n != 0 && sh.N != n) {
			return nil
		}
		n = sh.N
		have[sh.K] = true
	}
	var missing []Shard
	for k := range n {
		if !have[k] {
			missing = append(missing, Shard{K: k, N: n})
		}
	}
	return missing
}
