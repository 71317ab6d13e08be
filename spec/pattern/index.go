package pattern

import (
	"cmp"
	"slices"
	"sync"
)

// Index holds many patterns, each under a key, and finds the ones that
// match an event at a cost that grows with the event's fields and the
// matches, not with the number of patterns.
//
// The patterns are compiled into a tree, in the manner of the state
// machine of aws/event-ruler. A node's edges each name a field (a dotted
// path) and lead, per label, to a child. A label is one element of a
// condition that can be looked up rather than evaluated: a string (a map
// lookup), an "equals-ignore-case" fold key, a prefix or a suffix (a map
// lookup per distinct operand length), a boolean, null, {"exists":true},
// or a number with one bound (=, <, <=, >, >=; a sorted list, binary
// searched). A condition whose elements all have labels holds exactly
// when a value at its path meets one of them. Any other condition
// ("anything-but", "wildcard", {"exists":false}, numbers with two bounds
// or "!=") is a test: one child per distinct condition, reached when
// Match's own code says it holds, so the patterns that share it evaluate
// it once. A pattern goes down one edge per condition, labelled ones
// first, cheapest first (equalities, then prefixes and suffixes, then
// "exists", then numbers; fewer labels first, then by path), then the
// tests; it follows every label of a condition, so it may end at several
// nodes, its leaves, at most maxLeaves of them (conditions that would
// exceed it become tests). Patterns with the same first conditions share
// nodes. A lookup walks down from the root, following at each node only
// the edges whose field the event has, the labels its values meet and the
// tests that hold, and reports the patterns at the nodes it reaches, a
// pattern at several of them once. Its answer is always that of Match
// over all patterns.
//
// Add and Remove take time proportional to the size of the pattern, plus
// a copy of a sorted list per numeric label.
//
// The zero value is an empty index ready for use. An Index must not be
// copied after first use.
//
// # Concurrency
//
// All methods are safe for concurrent use. Lookups (Match, AppendMatches,
// Get, Len) share a read lock and run in parallel; Add and Remove take the
// write lock. The callback of Match runs under the read lock, so it must
// not call methods of the same Index.
type Index[K comparable] struct {
	mu      sync.RWMutex
	entries map[K]*entry[K]
	root    node[K]
	nextID  uint64    // of entries
	nodeID  uint64    // of nodes
	pool    sync.Pool // of *scratch[K]

	nodes, next []*node[K] // Add's working memory, kept between calls
}

// maxLeaves bounds the leaves of one pattern: the product of the label
// counts of its labelled conditions. A condition that would take a
// pattern beyond it becomes a test instead; the first one never does.
const maxLeaves = 64

// entry is one pattern of the index.
type entry[K comparable] struct {
	key   K
	p     *Pattern
	id    uint64
	multi bool     // whether the entry has several leaves
	locs  []loc[K] // the leaves
}

// loc is the place of an entry in the leaves of one node.
type loc[K comparable] struct {
	n   *node[K]
	pos int
}

// slot is a leaf; li is the matching index in e.locs, so that an entry
// moved by a removal can update its position.
type slot[K comparable] struct {
	e  *entry[K]
	li int
}

// NewIndex returns an empty index.
func NewIndex[K comparable]() *Index[K] {
	return &Index[K]{}
}

// Len returns the number of patterns in the index.
func (ix *Index[K]) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.entries)
}

// Get returns the pattern stored under key.
func (ix *Index[K]) Get(key K) (*Pattern, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e, ok := ix.entries[key]
	if !ok {
		return nil, false
	}
	return e.p, true
}

// Add stores p under key, replacing any pattern already stored under it.
// A nil p matches every event, like {}.
func (ix *Index[K]) Add(key K, p *Pattern) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.entries == nil {
		ix.entries = make(map[K]*entry[K])
	}
	if old, ok := ix.entries[key]; ok {
		ix.remove(old)
	}
	if p == nil {
		p = &Pattern{}
	}
	ix.nextID++
	e := &entry[K]{key: key, p: p, id: ix.nextID}
	ix.entries[key] = e
	nodes, next := append(ix.nodes[:0], &ix.root), ix.next[:0]
	for _, s := range plan(p) {
		next = next[:0]
		for _, n := range nodes {
			ed := n.edge(&p.conds[s.c])
			for i := range s.labels {
				next = append(next, ed.child(&s.labels[i], ix))
			}
		}
		nodes, next = next, nodes
	}
	e.multi = len(nodes) > 1
	e.locs = make([]loc[K], 0, len(nodes))
	for _, n := range nodes {
		e.locs = append(e.locs, loc[K]{n: n, pos: len(n.leaves)})
		n.leaves = append(n.leaves, slot[K]{e: e, li: len(e.locs) - 1})
	}
	clear(nodes[:cap(nodes)])
	clear(next[:cap(next)])
	ix.nodes, ix.next = nodes[:0], next[:0]
}

// step is one condition of a pattern on the tree, with its labels.
type step struct {
	c      int
	labels []label
}

// plan orders the conditions of p into the steps of its way down the
// tree: those with labels cheapest first, as long as the leaves stay
// within maxLeaves, then the others as tests, in path order.
func plan(p *Pattern) []step {
	n, total := len(p.conds), 0
	for i := range p.conds {
		total += len(p.conds[i].ms)
	}
	// One array for the labels and one for the steps; at most n of each kind.
	labels := make([]label, 0, total+n)
	all := make([]step, 2*n)
	steps, tests := all[:0:n], all[n:n]
	test := func(i int) step {
		c := &p.conds[i]
		labels = append(labels, label{kind: kTest, s: condKey(c), c: c})
		return step{c: i, labels: labels[len(labels)-1:]}
	}
	for i := range p.conds {
		m := len(labels)
		var ok bool
		if labels, ok = labelsOf(&p.conds[i], labels); ok {
			steps = append(steps, step{c: i, labels: labels[m:len(labels):len(labels)]})
		} else {
			tests = append(tests, test(i))
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int {
		return cmp.Or(cmp.Compare(classOf(a.labels), classOf(b.labels)), cmp.Compare(len(a.labels), len(b.labels)))
	})
	leaves, kept, over := 1, steps[:0], 0
	for i, s := range steps {
		if i > 0 && leaves*len(s.labels) > maxLeaves {
			tests = append(tests, test(s.c))
			over++
			continue
		}
		leaves *= len(s.labels)
		kept = append(kept, s)
	}
	if over > 0 {
		slices.SortFunc(tests, func(a, b step) int { return cmp.Compare(a.c, b.c) })
	}
	return append(kept, tests...) // within the capacity of steps
}

// Remove deletes the pattern stored under key, if any.
func (ix *Index[K]) Remove(key K) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if e, ok := ix.entries[key]; ok {
		ix.remove(e)
	}
}

func (ix *Index[K]) remove(e *entry[K]) {
	delete(ix.entries, e.key)
	for _, l := range e.locs {
		n := l.n
		last := len(n.leaves) - 1
		if l.pos != last {
			moved := n.leaves[last]
			n.leaves[l.pos] = moved
			moved.e.locs[moved.li].pos = l.pos
		}
		n.leaves[last] = slot[K]{}
		n.leaves = n.leaves[:last]
		if last == 0 {
			n.leaves = nil
		}
		n.prune()
	}
	e.locs = nil
}
