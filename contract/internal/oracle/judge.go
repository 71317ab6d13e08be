package oracle

import (
	"encoding/json"
	"sort"
	"strings"
)

// Direction says how a target departed from §5 on one event.
type Direction uint8

// The directions of a disagreement.
const (
	// Extra: the session received the event, and §5 says its pattern
	// does not match it.
	Extra Direction = iota + 1
	// Missing: the session did not receive the event, and §5 says its
	// pattern matches it.
	Missing
)

func (d Direction) String() string {
	switch d {
	case Extra:
		return "delivered but §5 says no match"
	case Missing:
		return "not delivered but §5 says match"
	}
	return "agreed"
}

// Event is one event to judge: its Key and its decoded value.
type Event struct {
	Key   string
	Value map[string]any
}

// Observed is what a target did with the cases.
type Observed struct {
	// Events are the events to judge: every session was open while the
	// target delivered them.
	Events []Event
	// Delivered[i] holds the keys of the events the session of case i
	// received; nil when case i has no session.
	Delivered []map[string]bool
	// Settled[i] is true when every event the target queued for the
	// session of case i before the end was read, so that a missing
	// event is a missing delivery and not a late one.
	Settled []bool
}

// Disagreement is one event on which a session and §5 disagree.
type Disagreement struct {
	Event, Case int
	Dir         Direction
	// Shrunk is the smallest case whose conditions are a subset of
	// Case's and that disagrees on the same event in the same direction
	// (Case itself when none is).
	Shrunk int
}

// Judgement is the outcome of Compare.
type Judgement struct {
	// Events and Sessions are how many events and sessions were judged;
	// Pairs is how many (event, session) pairs.
	Events, Sessions, Pairs int
	// Ambiguous counts disagreeing pairs left out because §5 can be read
	// two ways on them (see the package documentation); Unsettled those
	// left out because the session may still have had the event queued.
	Ambiguous, Unsettled int
	Disagreements        []Disagreement
}

// Compare judges every event against every case with a session: the
// session must have received the event exactly when the case's pattern
// matches it under spec/pattern.
func Compare(cases []Case, obs Observed) Judgement {
	var j Judgement
	j.Events = len(obs.Events)
	byEvent := make([]map[int]Direction, len(obs.Events))
	for i := range cases {
		if i < len(obs.Delivered) && obs.Delivered[i] != nil {
			j.Sessions++
		}
	}
	for e, ev := range obs.Events {
		for i := range cases {
			if i >= len(obs.Delivered) || obs.Delivered[i] == nil {
				continue
			}
			j.Pairs++
			want, got := cases[i].pat.Match(ev.Value), obs.Delivered[i][ev.Key]
			if want == got {
				continue
			}
			if Ambiguous(&cases[i], ev.Value) {
				j.Ambiguous++
				continue
			}
			if !got && (i >= len(obs.Settled) || !obs.Settled[i]) {
				j.Unsettled++
				continue
			}
			d := Extra
			if want {
				d = Missing
			}
			if byEvent[e] == nil {
				byEvent[e] = map[int]Direction{}
			}
			byEvent[e][i] = d
			j.Disagreements = append(j.Disagreements, Disagreement{Event: e, Case: i, Dir: d})
		}
	}
	for k := range j.Disagreements {
		d := &j.Disagreements[k]
		d.Shrunk = shrink(cases, d.Case, func(o int) bool { return byEvent[d.Event][o] == d.Dir })
	}
	return j
}

// shrink returns the smallest case whose conditions are a subset of
// case i's and for which disagrees holds: fewest conditions, then
// shortest text, then first.
func shrink(cases []Case, i int, disagrees func(int) bool) int {
	best := i
	for o := range cases {
		if o == i || !disagrees(o) || !subset(cases[o].keys, cases[i].keys) {
			continue
		}
		b, c := &cases[best], &cases[o]
		if len(c.keys) < len(b.keys) || (len(c.keys) == len(b.keys) && (len(c.Text) < len(b.Text) || (len(c.Text) == len(b.Text) && o < best))) {
			best = o
		}
	}
	return best
}

// subset reports whether every key of a (sorted) is in b (sorted).
func subset(a, b []string) bool {
	k := 0
	for _, x := range a {
		for k < len(b) && b[k] < x {
			k++
		}
		if k == len(b) || b[k] != x {
			return false
		}
	}
	return true
}

// Group is the disagreements that shrank to one case in one direction.
type Group struct {
	// Case is the shrunk case.
	Case int
	Dir  Direction
	// Events are the events it disagreed on, in order.
	Events []int
	// From are the cases whose disagreements shrank to Case, Case
	// included when it disagreed itself.
	From []int
	// Smaller is true when a case of From has more conditions than
	// Case: the shrinking found a smaller pattern.
	Smaller bool
}

// Groups gathers the disagreements by shrunk case and direction: the
// smallest patterns first, then the most events.
func (j Judgement) Groups(cases []Case) []Group {
	idx := map[[2]int]*Group{}
	var out []*Group
	for _, d := range j.Disagreements {
		k := [2]int{d.Shrunk, int(d.Dir)}
		g := idx[k]
		if g == nil {
			g = &Group{Case: d.Shrunk, Dir: d.Dir}
			idx[k] = g
			out = append(out, g)
		}
		if n := len(g.Events); n == 0 || g.Events[n-1] != d.Event {
			g.Events = append(g.Events, d.Event)
		}
		if !containsInt(g.From, d.Case) {
			g.From = append(g.From, d.Case)
		}
		g.Smaller = g.Smaller || len(cases[d.Case].keys) > len(cases[d.Shrunk].keys)
	}
	sort.SliceStable(out, func(a, b int) bool {
		ca, cb := len(cases[out[a].Case].keys), len(cases[out[b].Case].keys)
		if ca != cb {
			return ca < cb
		}
		return len(out[a].Events) > len(out[b].Events)
	})
	res := make([]Group, len(out))
	for i, g := range out {
		sort.Ints(g.Events)
		sort.Ints(g.From)
		res[i] = *g
	}
	return res
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Ambiguous reports whether §5 can be read two ways for the case on
// this event, so that a disagreement proves nothing: an array directly
// inside an array on a condition's path; anything-but meeting an
// object; exists:false on a path through an array whose elements differ
// in having the field; a number condition meeting a number a double
// cannot order exactly.
func Ambiguous(c *Case, ev map[string]any) bool {
	for _, cd := range c.Conds {
		var r reach
		r.walk(ev, strings.Split(cd.Path, "."), false)
		if r.nested {
			return true
		}
		for _, e := range cd.Leaf {
			o, isOp := e.(Op)
			switch {
			case isOp && o.Name == "anything-but" && r.object:
				return true
			case isOp && o.Name == "exists" && o.Operand == false && r.partial:
				return true
			case numberCond(e) && r.unsafe:
				return true
			}
		}
	}
	return false
}

// numberCond reports whether a leaf element compares numbers.
func numberCond(e any) bool {
	switch t := e.(type) {
	case json.Number:
		return true
	case Op:
		switch v := t.Operand.(type) {
		case json.Number:
			return true
		case []any:
			if t.Name == "numeric" {
				return true
			}
			for _, x := range v {
				if _, ok := x.(json.Number); ok {
					return true
				}
			}
		}
	}
	return false
}

// reach is what walking one path of an event found.
type reach struct {
	nested  bool // an array directly inside an array
	object  bool // an object at the end of the path
	partial bool // some elements of an array on the path have the field, some not
	unsafe  bool // a number at the end that a double does not order exactly
	found   bool
}

func (r *reach) walk(x any, segs []string, inArray bool) bool {
	if arr, ok := x.([]any); ok {
		if inArray {
			r.nested = true
		}
		some, all := false, len(arr) > 0
		for _, e := range arr {
			if r.walk(e, segs, true) {
				some = true
			} else {
				all = false
			}
		}
		if some && !all && len(segs) > 0 {
			r.partial = true
		}
		return some
	}
	if len(segs) == 0 {
		switch t := x.(type) {
		case map[string]any:
			r.object = true
		case json.Number:
			r.unsafe = r.unsafe || !SafeNumber(string(t))
		}
		r.found = true
		return true
	}
	obj, ok := x.(map[string]any)
	if !ok {
		return false
	}
	v, ok := obj[segs[0]]
	if !ok {
		return false
	}
	return r.walk(v, segs[1:], false)
}
