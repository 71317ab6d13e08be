package loadresult

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// perProcess are the Config fields that may differ between the shards of
// one run: what each process did of it and how it was set up on its
// machine.
var perProcess = []string{"shard", "shardSubscriptions", "workers", "sourceAddrs"}

// Mismatches returns how the results differ where the shards of one run
// agree: the target and every configuration field but the per-process
// ones (the shard, its subscriptions, workers and source addresses). One
// line per field that differs, naming each shard's value; none for a
// consistent set. Merge does not refuse such a set, which is the
// caller's choice; a merge of different runs adds up figures that do not
// belong together.
func Mismatches(results []*Result) []string {
	if len(results) < 2 {
		return nil
	}
	type view struct {
		shard  string
		fields map[string]string
	}
	views := make([]view, len(results))
	keys := map[string]bool{}
	for i, r := range results {
		fields := configFields(r.Config)
		fields["target"] = r.Meta.Target
		views[i] = view{shard: shardName(r), fields: fields}
		for k := range fields {
			keys[k] = true
		}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		values := map[string][]string{} // value: the shards that have it
		var order []string
		for _, v := range views {
			val := v.fields[k]
			if _, seen := values[val]; !seen {
				order = append(order, val)
			}
			values[val] = append(values[val], v.shard)
		}
		if len(order) < 2 {
			continue
		}
		line := k + ":"
		for i, val := range order {
			if i > 0 {
				line += ";"
			}
			line += fmt.Sprintf(" %s in %s", clip(val), strings.Join(values[val], ", "))
		}
		out = append(out, line)
	}
	return out
}

// configFields are c's fields as their JSON names and encoded values,
// less the per-process ones.
func configFields(c Config) map[string]string {
	raw, _ := json.Marshal(c) // a Config always encodes
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !slices.Contains(perProcess, k) {
			out[k] = string(v)
		}
	}
	return out
}

// clip shortens a long value (a pattern list) for a message.
func clip(s string) string {
	const most = 60
	if s == "" {
		return "(absent)"
	}
	if r := []rune(s); len(r) > most {
		return string(r[:most]) + "…"
	}
	return s
}

// shardName is r's shard list; a result of a run that was not split
// (no shard recorded) is the one shard 0/1.
func shardName(r *Result) string {
	if r.Config.Shard == "" {
		return "0/1"
	}
	return r.Config.Shard
}

// Skew is how far apart the push starts of a set of shard results are.
type Skew struct {
	Spread   time.Duration // the latest push start minus the earliest
	Earliest string        // the shard that began pushing first
	Latest   string        // ... and last
}

// StartSkew measures the spread of the results' push starts (each
// result's own, from Meta.PushStart, and for a merged one to the end of
// its PushStartSkewSeconds). Results without a push start are left out.
func StartSkew(results []*Result) Skew {
	var s Skew
	var first, last time.Time
	for _, r := range results {
		start := r.Meta.PushStart
		if start.IsZero() {
			continue
		}
		end := start.Add(time.Duration(r.Meta.PushStartSkewSeconds * float64(time.Second)))
		if first.IsZero() || start.Before(first) {
			first, s.Earliest = start, shardName(r)
		}
		if last.IsZero() || end.After(last) {
			last, s.Latest = end, shardName(r)
		}
	}
	if !first.IsZero() {
		s.Spread = last.Sub(first)
	}
	return s
}
