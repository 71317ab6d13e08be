package oracle

import (
	"encoding/json"
	"strings"
)

// fieldsPerFamily bounds how many fields one family probes.
const fieldsPerFamily = 10

// strField: a plain field with strings that a pattern can quote.
func strField(f *Field) bool { return plainField(f) && f.Strings > 0 }

// equality: exact values and their case flips (§5: equality is
// case-sensitive).
func (g *gen) equality() []Case {
	var per [][]Case
	for _, f := range g.pick(fieldsPerFamily, strField, quotable) {
		v := g.value(f, quotable).(string)
		var cs cases
		cs.one(bare, f.Path, []any{v}, g.absentRule(f, RuleEquality)...)
		for _, fl := range flips(v) {
			cs.one(nested, f.Path, []any{fl}, RuleCase)
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// fold: equals-ignore-case with the case flipped, which must match, and
// a near miss that must not.
func (g *gen) fold() []Case {
	safe := func(x any) bool { return quotable(x) && foldSafe(x.(string)) }
	var per [][]Case
	for _, f := range g.pick(fieldsPerFamily, strField, safe) {
		v := g.value(f, safe).(string)
		var cs cases
		for _, fl := range flips(v) {
			cs.one(nested, f.Path, []any{op("equals-ignore-case", fl)}, RuleFold)
		}
		if len(cs) == 0 {
			cs.one(nested, f.Path, []any{op("equals-ignore-case", v)}, RuleFold)
		}
		if r := runes(v); len(r) > 1 {
			cs.one(nested, f.Path, []any{op("equals-ignore-case", upper(string(r[:len(r)-1])))}, RuleFold)
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// affixes: prefix or suffix of a few characters, case-flipped, the
// whole value, one character too many, and the empty operand.
func (g *gen) affixes(name string) []Case {
	rule, caseRule := RulePrefix, RulePrefixCase
	cut := func(r []rune, k int) string { return string(r[:k]) }
	if name == "suffix" {
		rule, caseRule = RuleSuffix, RuleSuffixCase
		cut = func(r []rune, k int) string { return string(r[len(r)-k:]) }
	}
	var per [][]Case
	for i, f := range g.pick(fieldsPerFamily, strField, quotable) {
		v := g.value(f, quotable).(string)
		r := runes(v)
		var cs cases
		if len(r) > 1 {
			k := 1 + g.rng.IntN(min(4, len(r)-1))
			part := cut(r, k)
			cs.one(nested, f.Path, []any{op(name, part)}, g.absentRule(f, rule)...)
			for _, fl := range flips(part) {
				cs.one(nested, f.Path, []any{op(name, fl)}, caseRule)
				break
			}
		}
		cs.one(nested, f.Path, []any{op(name, v)}, rule)
		if name == "prefix" {
			cs.one(nested, f.Path, []any{op(name, v+"x")}, rule)
		} else {
			cs.one(nested, f.Path, []any{op(name, "x"+v)}, rule)
		}
		if i < 2 {
			cs.one(nested, f.Path, []any{op(name, "")}, g.absentRule(f, RuleEmptyAffix)...)
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// wildcardable: a quotable string without the characters a wildcard
// gives a meaning ("*", and "\" which only spec/pattern escapes with).
func wildcardable(x any) bool {
	return quotable(x) && !strings.ContainsAny(x.(string), `*\`)
}

// wildcards: one star on each side of a middle piece, several stars
// between pieces, a case flip, the bare value and "*" alone.
func (g *gen) wildcards() []Case {
	var per [][]Case
	for i, f := range g.pick(fieldsPerFamily, strField, wildcardable) {
		v := g.value(f, wildcardable).(string)
		r := runes(v)
		var cs cases
		if len(r) >= 3 {
			a := 1 + g.rng.IntN(len(r)-2)
			b := a + 1 + g.rng.IntN(min(3, len(r)-1-a))
			mid := string(r[a:b])
			cs.one(nested, f.Path, []any{op("wildcard", "*"+mid+"*")}, g.absentRule(f, RuleWildcard)...)
			stars := string(r[:1]) + "*" + mid + "*" + string(r[len(r)-1:])
			cs.one(nested, f.Path, []any{op("wildcard", stars)}, RuleWildcardStars)
			for _, fl := range flips(stars) {
				cs.one(nested, f.Path, []any{op("wildcard", fl)}, RuleWildcardCase)
				break
			}
			cs.one(nested, f.Path, []any{op("wildcard", "*"+string(r[1:])+"x*")}, RuleWildcardStars)
		}
		cs.one(nested, f.Path, []any{op("wildcard", v)}, RuleWildcard)
		if i < 2 {
			cs.one(nested, f.Path, []any{op("wildcard", "*")}, g.absentRule(f, RuleWildcard)...)
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// anythingBut: a scalar, a list, a case flip, and on fields that are
// sometimes absent (which never match).
func (g *gen) anythingBut() []Case {
	var per [][]Case
	scalarOK := func(x any) bool { return quotable(x) || (isNumber(x) && SafeNumber(string(x.(json.Number)))) }
	keep := func(f *Field) bool { return plainField(f) }
	for _, f := range g.pick(fieldsPerFamily, keep, scalarOK) {
		vs := f.Values(scalarOK)
		v := g.value(f, scalarOK)
		var cs cases
		rule := g.absentRule(f, RuleAnythingBut)
		if g.m.Absent(f) > 0 {
			rule = append(rule, RuleAnythingButAbsent)
		}
		cs.one(nested, f.Path, []any{op("anything-but", v)}, rule...)
		if len(vs) > 1 {
			cs.one(nested, f.Path, []any{op("anything-but", []any{vs[0].V, vs[1].V})}, RuleAnythingButList)
		}
		if s, ok := v.(string); ok {
			for _, fl := range flips(s) {
				cs.one(nested, f.Path, []any{op("anything-but", fl)}, RuleAnythingBut, RuleCase)
				break
			}
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// ors: two values, a value or a prefix, a flipped value or the value.
func (g *gen) ors() []Case {
	var per [][]Case
	for _, f := range g.pick(fieldsPerFamily/2, strField, quotable) {
		vs := f.Values(quotable)
		var cs cases
		v0 := vs[0].V.(string)
		if len(vs) > 1 {
			v1 := vs[1].V.(string)
			cs.one(nested, f.Path, []any{v0, v1}, RuleOr)
			if r := runes(v1); len(r) > 2 {
				cs.one(nested, f.Path, []any{"x" + v0, op("prefix", string(r[:2]))}, RuleOr, RulePrefix)
			}
		}
		for _, fl := range flips(v0) {
			cs.one(nested, f.Path, []any{fl, v0}, RuleOr, RuleCase)
			break
		}
		per = append(per, cs)
	}
	return rounds(per)
}
