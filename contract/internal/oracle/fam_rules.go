package oracle

import (
	"encoding/json"
	"strings"
)

// ruleable accepts values the rule form can write.
func ruleable(x any) bool { return quotable(x) && ruleValue(x.(string)) }

// rules: the compact rule form, with white space, OR and AND, dotted
// names, case flips, escapes the values need, near misses written with
// escapes, and values that are strings however they look.
func (g *gen) rules() []Case {
	keep := func(f *Field) bool { return strField(f) && ruleName(f.Path) }
	fs := g.pick(fieldsPerFamily, keep, ruleable)
	if len(fs) == 0 {
		return nil
	}
	rule, spaced := shape{form: FormRule}, shape{form: FormRule, space: true}
	var cs cases
	f0 := fs[0]
	v0 := g.value(f0, ruleable).(string)
	cs.one(rule, f0.Path, []any{v0})
	cs.one(spaced, f0.Path, []any{v0})
	for _, fl := range flips(v0) {
		cs.one(rule, f0.Path, []any{fl}, RuleCase)
		break
	}
	// Near misses that only a wrong reading of the escapes matches.
	for _, v := range []string{v0 + "|" + v0, v0 + ";", "%" + v0, v0 + "="} {
		cs.one(rule, f0.Path, []any{v}, RuleRuleEscape)
	}
	for _, f := range fs[1:] {
		vs := f.Values(ruleable)
		if len(vs) > 1 {
			cs.one(spaced, f.Path, []any{vs[0].V, vs[1].V})
			break
		}
	}
	for _, f := range fs {
		if f.Depth >= 2 {
			cs.one(rule, f.Path, []any{g.value(f, ruleable)}, g.absentRule(f)...)
			break
		}
	}
	for _, f := range fs[1:] {
		v := g.value(f, ruleable)
		if w := g.cooccur(f.Path, v, f0.Path, ruleable); w != nil {
			conds := []Cond{{Path: f.Path, Leaf: []any{v}}, {Path: f0.Path, Leaf: []any{w}}}
			cs.add(rule, conds)
			cs.add(spaced, conds)
			break
		}
	}
	cs = append(cs, g.ruleEscapes()...)
	cs = append(cs, g.ruleStrings()...)
	return cs
}

// ruleEscapes: values seen that hold ; | = or %, which the rule form
// must escape.
func (g *gen) ruleEscapes() cases {
	needs := func(x any) bool { return ruleable(x) && strings.ContainsAny(x.(string), ";|=%") }
	var cs cases
	for _, f := range g.pick(2, func(f *Field) bool { return strField(f) && ruleName(f.Path) }, needs) {
		cs.one(shape{form: FormRule}, f.Path, []any{g.value(f, needs)}, RuleRuleEscape)
	}
	return cs
}

// ruleStrings: a numeric-looking string written in a rule matches the
// string, and a number field's value written in a rule matches nothing.
func (g *gen) ruleStrings() cases {
	var cs cases
	looks := func(x any) bool { return numericLooking(x) && ruleable(x) }
	for _, f := range g.pick(1, func(f *Field) bool { return strField(f) && ruleName(f.Path) }, looks) {
		cs.one(shape{form: FormRule}, f.Path, []any{g.value(f, looks)}, RuleRuleStrings)
	}
	keep := func(f *Field) bool { return plainField(f) && f.Numbers > 0 && ruleName(f.Path) }
	for _, f := range g.pick(1, keep, safeNumber) {
		v := string(g.value(f, safeNumber).(json.Number))
		cs.one(shape{form: FormRule}, f.Path, []any{v}, RuleRuleStrings, RuleStrictNumber)
	}
	return cs
}

// ands: pairs of conditions on different fields, with values that occur
// together and operators mixed in.
func (g *gen) ands() []Case {
	keep := func(f *Field) bool { return strField(f) && !f.InArray }
	fs := g.pick(6, keep, quotable)
	var cs cases
	for i, f := range fs {
		v := g.value(f, quotable)
		for _, h := range fs[i+1:] {
			if strings.HasPrefix(h.Path, f.Path+".") || strings.HasPrefix(f.Path, h.Path+".") {
				continue
			}
			w := g.cooccur(f.Path, v, h.Path, quotable)
			if w == nil {
				w = g.value(h, quotable)
			}
			conds := []Cond{{Path: f.Path, Leaf: []any{v}}, {Path: h.Path, Leaf: []any{w}}}
			cs.add(bare, conds)
			if s, ok := w.(string); ok && len(runes(s)) > 1 {
				r := runes(s)
				cs.add(nested, []Cond{conds[0], {Path: h.Path, Leaf: []any{op("prefix", string(r[:len(r)-1]))}}}, RulePrefix)
			}
		}
	}
	for _, f := range g.pick(2, func(f *Field) bool { return plainField(f) && g.m.Absent(f) > 0 }, nil) {
		if len(fs) > 0 && fs[0] != f {
			conds := []Cond{{Path: fs[0].Path, Leaf: []any{g.value(fs[0], quotable)}}, {Path: f.Path, Leaf: []any{op("exists", false)}}}
			cs.add(nested, conds, RuleNotExists)
		}
	}
	return cs
}
