package pattern

import (
	"slices"
	"sync"
)

// Index holds many patterns, each under a key, and finds the ones that
// match an event without evaluating all of them.
//
// Each pattern is filed under one of its conditions whose elements are all
// strings or "equals-ignore-case" operators (such as "org": "IBM" or
// "type": ["job-join","job-leave"]): under that field's path, once per
// element, keyed by the string (or by its case-folded form). Among several
// such conditions Add picks the one whose buckets currently hold the
// fewest patterns, so frequent values such as "kind": "sales-trigger" are
// avoided in favour of selective ones. Patterns without such a condition
// ({}, or only other operators) go to a residual list. A lookup reads the
// string values of the event at each indexed path, visits the patterns
// filed under them and the residual ones, and confirms each with
// Pattern.Match, so its answer is always that of Match over all patterns.
//
// Add and Remove take time proportional to the size of the pattern.
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
	mu       sync.RWMutex
	entries  map[K]*entry[K]
	paths    map[string]*pathIndex[K]
	pathList []*pathIndex[K]
	residual bucket[K]
	nextID   uint64
	pool     sync.Pool // of *scratch[K]
}

// entry is one pattern of the index.
type entry[K comparable] struct {
	key  K
	p    *Pattern
	id   uint64
	pi   *pathIndex[K] // the indexed path, nil for residual entries
	key0 int           // index in p.conds of the indexed condition, or -1
	locs []loc[K]      // the buckets holding the entry
}

// loc is the place of an entry in one bucket.
type loc[K comparable] struct {
	b   *bucket[K]
	pos int
}

// bucket lists the entries filed under one string of one path.
type bucket[K comparable] struct {
	value string // the string, or its fold key
	fold  bool   // whether the bucket is in pathIndex.folds
	items []slot[K]
}

// slot is a bucket element; li is the matching index in e.locs, so that
// an entry moved by a removal can update its position.
type slot[K comparable] struct {
	e  *entry[K]
	li int
}

// pathIndex maps the strings at one dotted path to buckets.
type pathIndex[K comparable] struct {
	path    string
	segs    []string
	buckets map[string]*bucket[K] // by exact string
	folds   map[string]*bucket[K] // by fold key, for equals-ignore-case
	refs    int                   // entries filed under this path
	pos     int                   // position in Index.pathList
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
		ix.paths = make(map[string]*pathIndex[K])
	}
	if old, ok := ix.entries[key]; ok {
		ix.remove(old)
	}
	if p == nil {
		p = &Pattern{}
	}
	ix.nextID++
	e := &entry[K]{key: key, p: p, id: ix.nextID, key0: -1}
	ix.entries[key] = e
	c := ix.choose(p)
	if c == nil {
		ix.insert(&ix.residual, e)
		return
	}
	pi := ix.paths[c.path]
	if pi == nil {
		pi = &pathIndex[K]{path: c.path, segs: c.segs, pos: len(ix.pathList),
			buckets: make(map[string]*bucket[K]), folds: make(map[string]*bucket[K])}
		ix.paths[c.path] = pi
		ix.pathList = append(ix.pathList, pi)
	}
	pi.refs++
	e.pi = pi
	e.key0 = slices.IndexFunc(p.conds, func(x cond) bool { return x.path == c.path })
	for i := range c.ms {
		m := &c.ms[i]
		value, buckets := m.s, pi.buckets
		if m.kind == kEqFold {
			value, buckets = string(appendFold(nil, m.s)), pi.folds
		}
		b := buckets[value]
		if b == nil {
			b = &bucket[K]{value: value, fold: m.kind == kEqFold}
			buckets[value] = b
		}
		ix.insert(b, e)
	}
}

// choose returns the keyable condition of p whose buckets hold the fewest
// entries, or nil when p has none.
func (ix *Index[K]) choose(p *Pattern) *cond {
	var best *cond
	bestCost := 0
	for i := range p.conds {
		c := &p.conds[i]
		if !c.keyable {
			continue
		}
		cost := len(c.ms)
		if pi := ix.paths[c.path]; pi != nil {
			for j := range c.ms {
				cost += pi.size(&c.ms[j])
			}
		}
		if best == nil || cost < bestCost {
			best, bestCost = c, cost
		}
	}
	return best
}

// size returns the number of entries in the bucket m would be filed in.
func (pi *pathIndex[K]) size(m *matcher) int {
	b := pi.buckets[m.s]
	if m.kind == kEqFold {
		b = pi.folds[string(appendFold(nil, m.s))]
	}
	if b == nil {
		return 0
	}
	return len(b.items)
}

// insert files e in b, unless it is there already (two equals-ignore-case
// operands can share a fold key).
func (ix *Index[K]) insert(b *bucket[K], e *entry[K]) {
	for _, l := range e.locs {
		if l.b == b {
			return
		}
	}
	e.locs = append(e.locs, loc[K]{b: b, pos: len(b.items)})
	b.items = append(b.items, slot[K]{e: e, li: len(e.locs) - 1})
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
		b := l.b
		last := len(b.items) - 1
		if l.pos != last {
			moved := b.items[last]
			b.items[l.pos] = moved
			moved.e.locs[moved.li].pos = l.pos
		}
		b.items[last] = slot[K]{}
		b.items = b.items[:last]
		if last == 0 && e.pi != nil {
			if b.fold {
				delete(e.pi.folds, b.value)
			} else {
				delete(e.pi.buckets, b.value)
			}
		}
	}
	e.locs = nil
	if pi := e.pi; pi != nil {
		pi.refs--
		if pi.refs == 0 {
			ix.dropPath(pi)
		}
	}
}

// dropPath removes an unused path from the index.
func (ix *Index[K]) dropPath(pi *pathIndex[K]) {
	delete(ix.paths, pi.path)
	last := len(ix.pathList) - 1
	moved := ix.pathList[last]
	ix.pathList[pi.pos] = moved
	moved.pos = pi.pos
	ix.pathList[last] = nil
	ix.pathList = ix.pathList[:last]
}
