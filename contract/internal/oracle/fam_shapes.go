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
// different elements only (cross) or by one element (control); and
// for a string field and a number field, the events in which another
// element exceeds every number the string's elements ever hold.
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
	maxWith := map[string]float64{} // "kid1|kid2|value" → largest number
	maxText := map[string]string{}
	for _, ev := range g.m.events {
		x, _ := lookup(ev, parent)
		arr, _ := x.([]any)
		var els []map[string]any
		for _, e := range arr {
			if o, ok := e.(map[string]any); ok && len(els) < 20 {
				els = append(els, o)
			}
		}
		for a, k1 := range kids {
			for _, k2 := range kids[a+1:] {
				n1, n2 := lastSeg(k1.Path), lastSeg(k2.Path)
				g.pairsIn(els, n1, n2, func(cross bool, v1, v2 any) {
					bump(cross, []Cond{{Path: k1.Path, Leaf: []any{v1}}, {Path: k2.Path, Leaf: []any{v2}}})
				})
				for _, el := range els {
					for _, s := range elemScalars(el, n1, quotable) {
						for _, n := range elemScalars(el, n2, safeNumber) {
							f, _ := strconv.ParseFloat(string(n.(json.Number)), 64)
							mk := k1.Path + "|" + k2.Path + "|" + Key(s)
							if old, ok := maxWith[mk]; !ok || f > old {
								maxWith[mk], maxText[mk] = f, string(n.(json.Number))
							}
						}
					}
				}
			}
		}
	}
	out := make([]pairCand, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	return append(out, g.thresholdPairs(parent, kids, maxWith, maxText)...)
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

// thresholdPairs: {parent: {s: [a], n: [{"numeric":[">", m]}]}} where m
// is the largest n of any element whose s is a, counted over the events
// in which another element's n exceeds m.
func (g *gen) thresholdPairs(parent string, kids []*Field, maxWith map[string]float64, maxText map[string]string) []pairCand {
	var out []pairCand
	keys := make([]string, 0, len(maxWith))
	for k := range maxWith {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, mk := range keys {
		parts := strings.SplitN(mk, "|", 3)
		p1, p2 := parts[0], parts[1]
		var sv any
		_ = json.Unmarshal([]byte(parts[2]), &sv)
		support := 0
		for _, ev := range g.m.events {
			x, _ := lookup(ev, parent)
			arr, _ := x.([]any)
			hasS, above := false, false
			for _, e := range arr {
				el, _ := e.(map[string]any)
				for _, s := range elemScalars(el, lastSeg(p1), quotable) {
					hasS = hasS || Key(s) == parts[2]
				}
				for _, n := range elemScalars(el, lastSeg(p2), safeNumber) {
					f, _ := strconv.ParseFloat(string(n.(json.Number)), 64)
					above = above || f > maxWith[mk]
				}
			}
			if hasS && above {
				support++
			}
		}
		if support == 0 {
			continue
		}
		conds := []Cond{{Path: p1, Leaf: []any{sv}}, {Path: p2, Leaf: []any{op("numeric", []any{">", num(maxText[mk])})}}}
		out = append(out, pairCand{conds: conds, support: support, key: conds[0].Key() + "&" + conds[1].Key(), cross: true})
	}
	_ = kids
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
