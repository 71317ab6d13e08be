package pattern

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"unicode"
	"unicode/utf8"
)

// scratch is per-lookup working memory, pooled to keep lookups free of
// allocations.
type scratch[K comparable] struct {
	vals  []any       // the values at one path
	todo  []*node[K]  // nodes reached and not yet visited
	multi []*entry[K] // entries with several leaves, reached at one
}

// maxScratch bounds the slices kept in the pool between lookups.
const maxScratch = 1 << 12

// foldBufSize is the length of fold keys computed without allocating.
const foldBufSize = 128

// Match calls fn with the key of every pattern that matches the event,
// once each and in no particular order, until fn returns false. fn runs
// under the index's read lock and must not call methods of the index.
func (ix *Index[K]) Match(event any, fn func(K) bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	ix.scan(event, sc, nil, fn)
	ix.putScratch(sc)
}

// AppendMatches appends to dst the key of every pattern that matches the
// event, once each and in no particular order, and returns the extended
// slice.
func (ix *Index[K]) AppendMatches(dst []K, event any) []K {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.getScratch()
	dst, _ = ix.scan(event, sc, dst, nil)
	ix.putScratch(sc)
	return dst
}

// scan walks the tree from the root along the edges and labels the event
// meets, and reports the matching entries of the nodes it reaches to fn,
// or appends them to dst when fn is nil. stopped reports whether fn asked
// to stop.
func (ix *Index[K]) scan(event any, sc *scratch[K], dst []K, fn func(K) bool) (_ []K, stopped bool) {
	sc.todo, sc.multi = append(sc.todo[:0], &ix.root), sc.multi[:0]
	for len(sc.todo) > 0 {
		n := sc.todo[len(sc.todo)-1]
		sc.todo = sc.todo[:len(sc.todo)-1]
		for _, s := range n.leaves {
			if s.e.multi {
				sc.multi = append(sc.multi, s.e)
				continue
			}
			if dst, stopped = emit(s.e, dst, fn); stopped {
				return dst, true
			}
		}
		for _, ed := range n.edges {
			ed.reach(event, sc)
		}
	}
	if len(sc.multi) == 0 {
		return dst, false
	}
	// An entry with several leaves is reported once.
	slices.SortFunc(sc.multi, func(a, b *entry[K]) int { return cmp.Compare(a.id, b.id) })
	for _, e := range slices.Compact(sc.multi) {
		if dst, stopped = emit(e, dst, fn); stopped {
			return dst, true
		}
	}
	return dst, false
}

// reach adds to sc.todo the children of ed that the values of the event
// at ed's path meet, each once: a tree node has one parent, so no node is
// reached twice in a lookup.
func (ed *edge[K]) reach(event any, sc *scratch[K]) {
	var exists *node[K]
	if x := ed.x; x != nil {
		for _, t := range x.tests {
			if t.child.label.c.holds(event) {
				sc.todo = append(sc.todo, t.child)
			}
		}
		if ed.size == len(x.tests) {
			return
		}
		exists = x.exists
	}
	sc.vals, _ = collectValues(event, ed.segs, sc.vals[:0], math.MaxInt)
	if len(sc.vals) == 0 {
		return
	}
	mark := len(sc.todo)
	if exists != nil {
		sc.todo = append(sc.todo, exists)
	}
	for _, x := range sc.vals {
		var buf [decBufSize]byte
		v := classify(x, buf[:0])
		sc.todo = ed.follow(&v, sc.todo)
	}
	if len(sc.vals) > 1 && len(sc.todo)-mark > 1 {
		// Several values can meet the same label.
		got := sc.todo[mark:]
		slices.SortFunc(got, func(a, b *node[K]) int { return cmp.Compare(a.id, b.id) })
		sc.todo = sc.todo[:mark+len(slices.Compact(got))]
	}
}

// follow appends to out the children of ed whose label the event value v
// meets.
func (ed *edge[K]) follow(v *value, out []*node[K]) []*node[K] {
	switch v.kind {
	case vString:
		if c := ed.eq[v.s]; c != nil {
			out = append(out, c)
		}
		if len(ed.fold) > 0 {
			var buf [foldBufSize]byte
			if c := ed.fold[string(appendFold(buf[:0], v.s))]; c != nil {
				out = append(out, c)
			}
		}
		x := ed.x
		if x == nil {
			return out
		}
		for _, n := range x.prefix.lens {
			if n > len(v.s) {
				break
			}
			if c := x.prefix.m[v.s[:n]]; c != nil {
				out = append(out, c)
			}
		}
		for _, n := range x.suffix.lens {
			if n > len(v.s) {
				break
			}
			if c := x.suffix.m[v.s[len(v.s)-n:]]; c != nil {
				out = append(out, c)
			}
		}
	case vFloat, vDecimal:
		if ed.x == nil {
			return out
		}
		for op, bs := range ed.x.bounds {
			if len(bs) > 0 {
				out = followBounds(cmpOp(op), bs, v, out)
			}
		}
	case vBool:
		if ed.x == nil {
			return out
		}
		if c := ed.x.bools[b2i(v.b)]; c != nil {
			out = append(out, c)
		}
	case vNull:
		if ed.x != nil && ed.x.null != nil {
			out = append(out, ed.x.null)
		}
	}
	return out
}

// followBounds appends the children of the sorted list bs whose bound v
// meets under op. The numbers that a value meets under > and >= come
// first in the list, those under < and <= last, and those under = are
// together; float64 rounding keeps this order, as it never reverses two
// numbers.
func followBounds[K comparable](op cmpOp, bs []bound[K], v *value, out []*node[K]) []*node[K] {
	meets := func(i int) bool {
		r, _ := v.cmpNumber(bs[i].n)
		return op.test(r)
	}
	switch op {
	case cmpGt, cmpGe:
		k := sort.Search(len(bs), func(i int) bool { return !meets(i) })
		for _, b := range bs[:k] {
			out = append(out, b.child)
		}
	case cmpLt, cmpLe:
		k := sort.Search(len(bs), meets)
		for _, b := range bs[k:] {
			out = append(out, b.child)
		}
	case cmpEq:
		k := sort.Search(len(bs), func(i int) bool { r, _ := v.cmpNumber(bs[i].n); return r <= 0 })
		for ; k < len(bs) && meets(k); k++ {
			out = append(out, bs[k].child)
		}
	}
	return out
}

// emit reports e, whose conditions hold since the lookup reached one of
// its leaves.
func emit[K comparable](e *entry[K], dst []K, fn func(K) bool) (_ []K, stopped bool) {
	if fn == nil {
		return append(dst, e.key), false
	}
	return dst, !fn(e.key)
}

func (ix *Index[K]) getScratch() *scratch[K] {
	if sc, ok := ix.pool.Get().(*scratch[K]); ok {
		return sc
	}
	return &scratch[K]{}
}

func (ix *Index[K]) putScratch(sc *scratch[K]) {
	if cap(sc.vals) > maxScratch || cap(sc.todo) > maxScratch || cap(sc.multi) > maxScratch {
		return
	}
	clear(sc.vals[:cap(sc.vals)])
	clear(sc.todo[:cap(sc.todo)])
	clear(sc.multi[:cap(sc.multi)])
	sc.vals, sc.todo, sc.multi = sc.vals[:0], sc.todo[:0], sc.multi[:0]
	ix.pool.Put(sc)
}

// appendFold appends the fold key of s to buf: every rune replaced by the
// smallest rune of its simple case-folding orbit, so that
// strings.EqualFold(a, b) holds exactly when the fold keys are equal.
func appendFold(buf []byte, s string) []byte {
	for _, r := range s { // invalid bytes become RuneError, as in EqualFold
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			buf = append(buf, byte(r))
			continue
		}
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		buf = utf8.AppendRune(buf, low)
	}
	return buf
}
