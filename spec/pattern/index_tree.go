package pattern

import (
	"slices"
	"strings"
)

// node is a node of an Index's tree: the patterns that end here, and the
// edges that lead further down.
type node[K comparable] struct {
	id     uint64 // orders the nodes a lookup reaches, to drop duplicates
	leaves []slot[K]
	edges  []*edge[K]
	parent *edge[K] // nil for the root
	label  label    // under which parent holds the node
}

// label is one element of a condition that a lookup finds by a map
// lookup or a binary search: a string equality (kEqString), a fold key
// (kEqFold), a prefix or suffix, a boolean, null, {"exists":true}
// (kExists) or a number with one bound (kNumeric, op; number equality is
// op cmpEq).
type label struct {
	kind kind
	op   cmpOp
	s    string  // operand, fold key for kEqFold, condKey for kTest
	n    *number // kNumeric, in the pattern
	b    bool
	c    *cond // kTest, in the pattern
}

// kTest is the kind of the label of a condition a lookup evaluates (with
// Match's own code) rather than looks up: its child is reached when the
// condition holds.
const kTest kind = 255

// condKey identifies a condition: its path and its matchers, which are
// sorted and without duplicates.
func condKey(c *cond) string {
	var b strings.Builder
	b.WriteString(c.path)
	for i := range c.ms {
		b.WriteByte(0)
		b.WriteString(c.ms[i].enc)
	}
	return b.String()
}

// labelOf returns the label of m, if it has one.
func labelOf(m *matcher) (label, bool) {
	switch m.kind {
	case kEqString, kPrefix, kSuffix:
		return label{kind: m.kind, s: m.s}, true
	case kEqFold:
		return label{kind: kEqFold, s: string(appendFold(nil, m.s))}, true
	case kEqBool:
		return label{kind: kEqBool, b: m.b}, true
	case kEqNull:
		return label{kind: kEqNull}, true
	case kExists:
		return label{kind: kExists}, m.b // {"exists":false} holds by absence
	case kEqNumber:
		return label{kind: kNumeric, op: cmpEq, n: &m.n}, true
	case kNumeric:
		if len(m.cmps) == 1 && m.cmps[0].op != cmpNe {
			return label{kind: kNumeric, op: m.cmps[0].op, n: &m.cmps[0].n}, true
		}
	}
	return label{}, false
}

// labelsOf appends to into the distinct labels of c, when every element
// of c has one: the condition then holds exactly when a value at its path
// meets one of them. Otherwise it returns into as it was, and false.
func labelsOf(c *cond, into []label) ([]label, bool) {
	n := len(into)
	for i := range c.ms {
		l, ok := labelOf(&c.ms[i])
		if !ok {
			return into[:n], false
		}
		if !slices.ContainsFunc(into[n:], l.same) {
			into = append(into, l)
		}
	}
	return into, true
}

func (l label) same(o label) bool {
	return l.kind == o.kind && l.op == o.op && l.s == o.s && l.b == o.b &&
		(l.kind != kNumeric || cmpDecimal(l.n.d, o.n.d) == 0)
}

// class ranks labels by the cost of following them: exact lookups first,
// then prefixes and suffixes (a lookup per operand length), then "exists"
// (any value), then numeric bounds (often many children).
func (l label) class() int {
	switch l.kind {
	case kPrefix, kSuffix:
		return 1
	case kExists:
		return 2
	case kNumeric:
		return 3
	}
	return 0
}

// classOf is the largest class among ls.
func classOf(ls []label) int {
	c := 0
	for _, l := range ls {
		c = max(c, l.class())
	}
	return c
}

// edge holds the children of a node for the values at one path.
type edge[K comparable] struct {
	path string
	segs []string
	from *node[K]
	size int                 // children
	eq   map[string]*node[K] // kEqString
	fold map[string]*node[K] // kEqFold, by fold key
	x    *edgeRest[K]        // the other labels, which few edges have
}

// edgeRest holds the children of an edge under the labels other than
// strings and fold keys, so that the many edges without them stay small.
type edgeRest[K comparable] struct {
	prefix affixes[K]
	suffix affixes[K]
	exists *node[K]
	null   *node[K]
	bools  [2]*node[K] // false, true
	bounds [cmpGe + 1][]bound[K]
	tests  []test[K]
	testAt map[string]int // index in tests by condKey
}

// test is a child reached when its condition holds.
type test[K comparable] struct {
	key   string
	child *node[K]
}

// affixes maps prefixes (or suffixes) to children, and keeps the distinct
// lengths of its keys so that a lookup tries only those.
type affixes[K comparable] struct {
	m    map[string]*node[K]
	lens []int       // sorted
	refs map[int]int // keys per length
}

// bound is one number of a numeric label, in a list sorted by number.
type bound[K comparable] struct {
	n     *number // in the pattern
	child *node[K]
}

// edge returns the edge of n for the path of c, adding it if needed.
func (n *node[K]) edge(c *cond) *edge[K] {
	for _, ed := range n.edges {
		if ed.path == c.path {
			return ed
		}
	}
	ed := &edge[K]{path: c.path, segs: c.segs, from: n}
	n.edges = append(n.edges, ed)
	return ed
}

// child returns the child of ed under l, adding it if needed.
func (ed *edge[K]) child(l *label, ix *Index[K]) *node[K] {
	if c := ed.get(l); c != nil {
		return c
	}
	ix.nodeID++
	c := &node[K]{id: ix.nodeID, parent: ed, label: *l}
	ed.set(l, c)
	ed.size++
	return c
}

// get returns the child of ed under l, or nil.
func (ed *edge[K]) get(l *label) *node[K] {
	switch l.kind {
	case kEqString:
		return ed.eq[l.s]
	case kEqFold:
		return ed.fold[l.s]
	}
	x := ed.x
	if x == nil {
		return nil
	}
	switch l.kind {
	case kPrefix:
		return x.prefix.m[l.s]
	case kSuffix:
		return x.suffix.m[l.s]
	case kExists:
		return x.exists
	case kEqNull:
		return x.null
	case kEqBool:
		return x.bools[b2i(l.b)]
	case kTest:
		if i, ok := x.testAt[l.s]; ok {
			return x.tests[i].child
		}
		return nil
	}
	bs := x.bounds[l.op]
	if i, found := searchBound(bs, l.n); found {
		return bs[i].child
	}
	return nil
}

// set files c under l; a nil c removes the child under l.
func (ed *edge[K]) set(l *label, c *node[K]) {
	switch l.kind {
	case kEqString:
		ed.eq = setKey(ed.eq, l.s, c)
		return
	case kEqFold:
		ed.fold = setKey(ed.fold, l.s, c)
		return
	}
	if ed.x == nil {
		ed.x = new(edgeRest[K])
	}
	x := ed.x
	switch l.kind {
	case kPrefix:
		x.prefix.set(l.s, c)
	case kSuffix:
		x.suffix.set(l.s, c)
	case kExists:
		x.exists = c
	case kEqNull:
		x.null = c
	case kEqBool:
		x.bools[b2i(l.b)] = c
	case kTest:
		x.setTest(l.s, c)
	default:
		bs := x.bounds[l.op]
		i, found := searchBound(bs, l.n)
		switch {
		case c == nil && found:
			bs = slices.Delete(bs, i, i+1)
		case found:
			bs[i].child = c
		case c != nil:
			bs = slices.Insert(bs, i, bound[K]{n: l.n, child: c})
		}
		if len(bs) == 0 {
			bs = nil
		}
		x.bounds[l.op] = bs
	}
}

// setTest sets or, for a nil c, deletes the test child under key.
func (x *edgeRest[K]) setTest(key string, c *node[K]) {
	i, ok := x.testAt[key]
	switch {
	case c == nil && ok:
		last := len(x.tests) - 1
		x.tests[i] = x.tests[last]
		x.testAt[x.tests[i].key] = i
		x.tests[last] = test[K]{}
		x.tests = x.tests[:last]
		delete(x.testAt, key)
		if last == 0 {
			x.tests, x.testAt = nil, nil
		}
	case ok:
		x.tests[i].child = c
	case c != nil:
		if x.testAt == nil {
			x.testAt = make(map[string]int)
		}
		x.testAt[key] = len(x.tests)
		x.tests = append(x.tests, test[K]{key: key, child: c})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// searchBound finds n in the sorted list bs.
func searchBound[K comparable](bs []bound[K], n *number) (int, bool) {
	return slices.BinarySearchFunc(bs, n, func(b bound[K], n *number) int { return cmpDecimal(b.n.d, n.d) })
}

// setKey sets or, for a nil c, deletes m[k], making the map on first use
// and dropping it when it empties.
func setKey[K comparable](m map[string]*node[K], k string, c *node[K]) map[string]*node[K] {
	if c == nil {
		delete(m, k)
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if m == nil {
		m = make(map[string]*node[K])
	}
	m[k] = c
	return m
}

// set sets or, for a nil c, deletes the child under k, keeping the
// lengths up to date.
func (a *affixes[K]) set(k string, c *node[K]) {
	_, had := a.m[k]
	a.m = setKey(a.m, k, c)
	switch n := len(k); {
	case c != nil && !had:
		if a.refs == nil {
			a.refs = make(map[int]int)
		}
		a.refs[n]++
		if a.refs[n] == 1 {
			i, _ := slices.BinarySearch(a.lens, n)
			a.lens = slices.Insert(a.lens, i, n)
		}
	case c == nil && had:
		a.refs[n]--
		if a.refs[n] == 0 {
			delete(a.refs, n)
			i, _ := slices.BinarySearch(a.lens, n)
			a.lens = slices.Delete(a.lens, i, i+1)
		}
		if len(a.lens) == 0 {
			a.lens, a.refs = nil, nil
		}
	}
}

// prune removes n from the tree, and then its parent, as long as they
// hold nothing.
func (n *node[K]) prune() {
	for n.parent != nil && len(n.leaves) == 0 && len(n.edges) == 0 {
		ed := n.parent
		ed.set(&n.label, nil)
		ed.size--
		n.parent = nil
		if ed.size > 0 {
			return
		}
		from := ed.from
		i := slices.Index(from.edges, ed)
		from.edges = slices.Delete(from.edges, i, i+1)
		if len(from.edges) == 0 {
			from.edges = nil
		}
		n = from
	}
}
