package pattern

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// scratch is per-lookup working memory, pooled to keep lookups free of
// allocations.
type scratch[K comparable] struct {
	vals  []string
	hits  []*bucket[K]
	cands []*entry[K]
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

// scan visits the candidate entries for event and reports the matching
// ones to fn, or appends them to dst when fn is nil. stopped reports
// whether fn asked to stop.
func (ix *Index[K]) scan(event any, sc *scratch[K], dst []K, fn func(K) bool) (_ []K, stopped bool) {
	for _, pi := range ix.pathList {
		sc.hits = pi.hits(event, sc)
		switch len(sc.hits) {
		case 0:
			continue
		case 1:
			// One bucket: no entry twice.
			if dst, stopped = emitAll(sc.hits[0].items, event, dst, fn); stopped {
				return dst, true
			}
			continue
		}
		// Several buckets: an entry filed in two of them is reported once.
		sc.cands = sc.cands[:0]
		for _, b := range sc.hits {
			for _, s := range b.items {
				sc.cands = append(sc.cands, s.e)
			}
		}
		slices.SortFunc(sc.cands, func(a, b *entry[K]) int { return cmp.Compare(a.id, b.id) })
		sc.cands = slices.Compact(sc.cands)
		for _, e := range sc.cands {
			if dst, stopped = emit(e, event, dst, fn); stopped {
				return dst, true
			}
		}
	}
	return emitAll(ix.residual.items, event, dst, fn)
}

// hits returns the distinct buckets of pi that the string values of the
// event at pi's path select, reusing sc.
func (pi *pathIndex[K]) hits(event any, sc *scratch[K]) []*bucket[K] {
	hits := sc.hits[:0]
	sc.vals = collectStrings(event, pi.segs, sc.vals[:0])
	if len(sc.vals) == 0 {
		return hits
	}
	if len(sc.vals) > 1 {
		slices.Sort(sc.vals)
		sc.vals = slices.Compact(sc.vals)
	}
	for _, v := range sc.vals {
		if b := pi.buckets[v]; b != nil {
			hits = append(hits, b)
		}
		if len(pi.folds) > 0 {
			var buf [foldBufSize]byte
			if b := pi.folds[string(appendFold(buf[:0], v))]; b != nil && !slices.Contains(hits, b) {
				hits = append(hits, b)
			}
		}
	}
	return hits
}

func emitAll[K comparable](items []slot[K], event any, dst []K, fn func(K) bool) (_ []K, stopped bool) {
	for _, s := range items {
		if dst, stopped = emit(s.e, event, dst, fn); stopped {
			return dst, true
		}
	}
	return dst, false
}

// emit reports e if it matches the event. The indexed condition is not
// checked again: a bucket of e was selected by a value that meets it.
func emit[K comparable](e *entry[K], event any, dst []K, fn func(K) bool) (_ []K, stopped bool) {
	if !e.p.matchExcept(event, e.key0) {
		return dst, false
	}
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
	if cap(sc.vals) > maxScratch || cap(sc.cands) > maxScratch || cap(sc.hits) > maxScratch {
		return
	}
	clear(sc.vals[:cap(sc.vals)])
	clear(sc.hits[:cap(sc.hits)])
	clear(sc.cands[:cap(sc.cands)])
	sc.vals, sc.hits, sc.cands = sc.vals[:0], sc.hits[:0], sc.cands[:0]
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
