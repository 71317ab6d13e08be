package oracle

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// lookup returns the values at a dotted path of an event, walking
// objects only (nil when an array is in the way).
func lookup(ev map[string]any, path string) (any, bool) {
	var cur any = ev
	for _, s := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[s]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// cooccur returns the most frequent value of path among the kept
// events in which at holds want, or nil.
func (g *gen) cooccur(at string, want any, path string, val func(any) bool) any {
	counts := map[string]int{}
	vals := map[string]any{}
	for _, ev := range g.m.events {
		x, ok := lookup(ev, at)
		if !ok || Key(x) != Key(want) {
			continue
		}
		if y, ok := lookup(ev, path); ok && val(y) {
			counts[Key(y)]++
			vals[Key(y)] = y
		}
	}
	best := ""
	for k, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && k < best) {
			best = k
		}
	}
	if best == "" {
		return nil
	}
	return vals[best]
}

// arrays: any-element equality and anything-but on fields inside
// arrays, and pairs of conditions on an array's objects that only
// different elements meet.
func (g *gen) arrays() []Case {
	keep := func(f *Field) bool { return plainField(f) && (f.InArray || f.IsArray) && f.Strings > 0 }
	var per [][]Case
	for _, f := range g.pick(4, keep, quotable) {
		v := g.value(f, quotable)
		var cs cases
		cs.one(nested, f.Path, []any{v}, RuleArrayAny)
		cs.one(shape{form: FormDotted}, f.Path, []any{v}, RuleArrayAny)
		cs.one(nested, f.Path, []any{op("anything-but", v)}, RuleArrayAny, RuleAnythingBut)
		per = append(per, cs)
	}
	return append(g.crossElements(), rounds(per)...)
}

// pairCand is a pair of conditions on the objects of one array.
type pairCand struct {
	conds   []Cond
	support int
	key     string
	cross   bool
}

// crossElements mines the kept events for pairs of conditions on two
// fields of an array's objects that different elements meet and no
// single element does (§5: each condition on its own), and a pair one
// element meets as a control.
func (g *gen) crossElements() []Case {
	var cands []pairCand
	for _, parent := range g.m.Fields() {
		if !parent.IsArray || parent.Objects == 0 || parent.InArray || parent.Nested {
			continue
		}
		var kids []*Field
		for _, f := range g.m.Fields() {
			if strings.HasPrefix(f.Path, parent.Path+".") && f.Depth == parent.Depth+1 && plainField(f) {
				kids = append(kids, f)
			}
		}
		sort.Slice(kids, func(i, j int) bool { return kids[i].Path < kids[j].Path })
		cands = append(cands, g.minePairs(parent.Path, kids)...)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].support != cands[j].support {
			return cands[i].support > cands[j].support
		}
		return cands[i].key < cands[j].key
	})
	var out cases
	seen := map[string]int{}
	crosses, controls := 0, 0
	for _, c := range cands {
		fam := c.conds[0].Path + "|" + c.conds[1].Path
		switch {
		case seen[fam] >= 2:
			continue
		case c.cross && crosses < 8:
			crosses++
			out.add(nested, c.conds, RuleArrayElements)
			if crosses == 1 {
				out.add(shape{form: FormDotted}, c.conds, RuleArrayElements)
			}
		case !c.cross && controls < 2:
			controls++
			out.add(nested, c.conds, RuleArrayAny)
		default:
			continue
		}
		seen[fam]++
	}
	return out
}

// elemScalars returns the scalar values an element holds at name.
func elemScalars(el map[string]any, name string, val func(any) bool) []any {
	var out []any
	switch t := el[name].(type) {
	case []any:
		for _, x := range t {
			if val(x) {
				out = append(out, x)
			}
		}
	default:
		if val(t) {
			out = append(out, t)
		}
	}
	return out
}

func pairVal(x any) bool { return quotable(x) || safeNumber(x) }

// minePairs counts, for every pair of fields of the objects of the
// array at parent, the events in which a pair of values is met by
// different elements only (cross) or by one element (control), and adds
// the threshold pairs.
func (g *gen) minePairs(parent string, kids []*Field) []pairCand {
	counts := map[string]*pairCand{}
	bump := func(cross bool, conds []Cond) {
		k := conds[0].Key() + "&" + conds[1].Key()
		c := counts[k]
		if c == nil {
			c = &pairCand{conds: conds, key: k, cross: cross}
			counts[k] = c
		}
		c.support++
	}
	for _, ev := range g.m.events {
		els := elements(ev, parent)
		for a, k1 := range kids {
			for _, k2 := range kids[a+1:] {
				g.pairsIn(els, lastSeg(k1.Path), lastSeg(k2.Path), func(cross bool, v1, v2 any) {
					bump(cross, []Cond{{Path: k1.Path, Leaf: []any{v1}}, {Path: k2.Path, Leaf: []any{v2}}})
				})
			}
		}
	}
	out := make([]pairCand, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	for _, ks := range kids {
		for _, kn := range kids {
			if ks != kn && ks.Strings > 0 && kn.Numbers > 0 {
				out = append(out, g.thresholdPairs(parent, ks, kn)...)
			}
		}
	}
	return out
}

// elements returns the objects of the array at parent (at most 20).
func elements(ev map[string]any, parent string) []map[string]any {
	x, _ := lookup(ev, parent)
	arr, _ := x.([]any)
	var els []map[string]any
	for _, e := range arr {
		if o, ok := e.(map[string]any); ok && len(els) < 20 {
			els = append(els, o)
		}
	}
	return els
}

// thresholdPairs: {parent: {s: [a], n: [{"numeric":[">", m]}]}} where m
// is the largest n of any element whose s is a, supported by the events
// in which another element's n exceeds m.
func (g *gen) thresholdPairs(parent string, ks, kn *Field) []pairCand {
	sName, nName := lastSeg(ks.Path), lastSeg(kn.Path)
	type top struct {
		f    float64
		text string
		s    any
	}
	tops := map[string]*top{}
	for _, ev := range g.m.events {
		for _, el := range elements(ev, parent) {
			for _, s := range elemScalars(el, sName, quotable) {
				for _, n := range elemScalars(el, nName, safeNumber) {
					txt := string(n.(json.Number))
					f, _ := strconv.ParseFloat(txt, 64)
					if t := tops[Key(s)]; t == nil || f > t.f {
						tops[Key(s)] = &top{f: f, text: txt, s: s}
					}
				}
			}
		}
	}
	keys := make([]string, 0, len(tops))
	for k := range tops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []pairCand
	for _, k := range keys {
		t := tops[k]
		support := 0
		for _, ev := range g.m.events {
			hasS, above := false, false
			for _, el := range elements(ev, parent) {
				for _, s := range elemScalars(el, sName, quotable) {
					hasS = hasS || Key(s) == k
				}
				for _, n := range elemScalars(el, nName, safeNumber) {
					f, _ := strconv.ParseFloat(string(n.(json.Number)), 64)
					above = above || f > t.f
				}
			}
			if hasS && above {
				support++
			}
		}
		if support == 0 {
			continue
		}
		conds := []Cond{{Path: ks.Path, Leaf: []any{t.s}}, {Path: kn.Path, Leaf: []any{op("numeric", []any{">", num(t.text)})}}}
		out = append(out, pairCand{conds: conds, support: support, key: conds[0].Key() + "&" + conds[1].Key(), cross: true})
	}
	return out
}

func lastSeg(p string) string { return p[strings.LastIndexByte(p, '.')+1:] }

// forms: one condition on a nested field written nested, dotted and
// mixed, and two conditions under one parent written both ways.
func (g *gen) forms() []Case {
	keep := func(f *Field) bool { return strField(f) && f.Depth >= 2 && !f.InArray }
	fs := g.pick(6, keep, quotable)
	var per [][]Case
	for i, f := range fs {
		v := g.value(f, quotable)
		var cs cases
		cs.one(shape{form: FormDotted, bare: true}, f.Path, []any{v})
		cs.one(nested, f.Path, []any{v}, RuleNested)
		if f.Depth >= 3 {
			cs.one(shape{form: FormMixed}, f.Path, []any{v})
		}
		for _, h := range fs[i+1:] {
			if strings.SplitN(h.Path, ".", 2)[0] != strings.SplitN(f.Path, ".", 2)[0] {
				continue
			}
			w := g.cooccur(f.Path, v, h.Path, quotable)
			if w == nil {
				continue
			}
			conds := []Cond{{Path: f.Path, Leaf: []any{v}}, {Path: h.Path, Leaf: []any{w}}}
			cs.add(shape{form: FormDotted}, conds)
			cs.add(shape{form: FormMixed, space: true}, conds, RuleNested)
			break
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// pairsIn calls fn for every pair of values of fields n1 and n2 held by
// the elements, once per pair: cross when no element holds both.
func (g *gen) pairsIn(els []map[string]any, n1, n2 string, fn func(cross bool, v1, v2 any)) {
	type pv struct{ k1, k2 string }
	same := map[pv]bool{}
	for _, el := range els {
		for _, v1 := range elemScalars(el, n1, pairVal) {
			for _, v2 := range elemScalars(el, n2, pairVal) {
				same[pv{Key(v1), Key(v2)}] = true
			}
		}
	}
	done := map[pv]bool{}
	for i, ei := range els {
		for j, ej := range els {
			for _, v1 := range elemScalars(ei, n1, pairVal) {
				for _, v2 := range elemScalars(ej, n2, pairVal) {
					k := pv{Key(v1), Key(v2)}
					if done[k] || (i != j) == same[k] {
						continue
					}
					done[k] = true
					fn(i != j, v1, v2)
				}
			}
		}
	}
}
