package oracle

import (
	"encoding/json"
	"sort"
)

// exists: exists true and false on fields that are sometimes absent,
// always present, objects and arrays.
func (g *gen) exists() []Case {
	var fs []*Field
	for _, f := range g.m.Fields() {
		if !f.Nested && !f.EmptyObject {
			fs = append(fs, f)
		}
	}
	// Fields both present and absent first, most balanced first.
	score := func(f *Field) int { return min(f.Present, g.m.Absent(f)) }
	sort.SliceStable(fs, func(i, j int) bool { return score(fs[i]) > score(fs[j]) })
	var mixed, always, objects []*Field
	for _, f := range fs {
		switch {
		case f.Objects > 0:
			objects = append(objects, f)
		case g.m.Absent(f) > 0:
			mixed = append(mixed, f)
		default:
			always = append(always, f)
		}
	}
	var per [][]Case
	take := func(list []*Field, n int) {
		for i, f := range list {
			if i == n {
				return
			}
			var cs cases
			cs.one(nested, f.Path, []any{op("exists", false)}, RuleNotExists)
			cs.one(nested, f.Path, []any{op("exists", true)}, RuleExists)
			per = append(per, cs)
		}
	}
	take(mixed, 6)
	take(objects, 3)
	take(always, 2)
	return rounds(per)
}

// safeNumber accepts numbers a double orders exactly.
func safeNumber(x any) bool { n, ok := x.(json.Number); return ok && SafeNumber(string(n)) }

// numeric: every comparison at, just below and just above a value seen,
// ranges, and the string operators and string equality on numbers.
func (g *gen) numeric() []Case {
	keep := func(f *Field) bool { return plainField(f) && f.Numbers > 0 }
	var per [][]Case
	for _, f := range g.pick(4, keep, safeNumber) {
		vs := f.Values(safeNumber)
		var cs cases
		for k, val := range vs[:min(2, len(vs))] {
			v := string(val.V.(json.Number))
			b, a, ok := neighbours(v)
			if !ok {
				continue
			}
			cmp := func(o, x string) []any { return []any{op("numeric", []any{o, num(x)})} }
			for _, o := range NumericOps {
				cs.one(nested, f.Path, cmp(o, v), g.absentRule(f, ruleNumeric(o))...)
			}
			cs.one(nested, f.Path, cmp(">", b), ruleNumeric(">"))
			cs.one(nested, f.Path, cmp("<", a), ruleNumeric("<"))
			cs.one(nested, f.Path, cmp("<=", b), ruleNumeric("<="))
			cs.one(nested, f.Path, cmp(">=", a), ruleNumeric(">="))
			cs.one(nested, f.Path, cmp("=", b), ruleNumeric("="))
			cs.one(nested, f.Path, cmp("!=", a), ruleNumeric("!="))
			cs.one(nested, f.Path, []any{op("numeric", []any{">=", num(b), "<", num(a)})}, RuleNumericRange)
			cs.one(nested, f.Path, []any{op("numeric", []any{">", num(v), "<=", num(a)})}, RuleNumericRange)
			if k == 0 {
				cs.one(bare, f.Path, []any{num(v)}, RuleEquality)
				cs.one(nested, f.Path, []any{v}, RuleStrictNumber)
				if r := runes(v); len(r) > 1 {
					cs.one(nested, f.Path, []any{op("prefix", string(r[:len(r)-1]))}, RuleStringOnly)
				}
				cs.one(nested, f.Path, []any{op("wildcard", "*")}, RuleStringOnly)
				cs.one(nested, f.Path, []any{op("anything-but", v)}, RuleAnythingButTypes)
			}
		}
		per = append(per, cs)
	}
	return rounds(per)
}

// numericLooking accepts strings that are JSON numbers a double holds.
func numericLooking(x any) bool {
	s, ok := x.(string)
	return ok && isJSONNumber(s) && SafeNumber(s)
}

// numericStrings: numeric comparisons, number equality and anything-but
// with a number on strings that look like numbers ("310"), none of
// which may treat the string as a number.
func (g *gen) numericStrings() []Case {
	var per [][]Case
	for _, f := range g.pick(4, strField, numericLooking) {
		v := g.value(f, numericLooking).(string)
		b, a, _ := neighbours(v)
		var cs cases
		cmp := func(o, x string) []any { return []any{op("numeric", []any{o, num(x)})} }
		cs.one(nested, f.Path, cmp("=", v), RuleNumericString)
		cs.one(bare, f.Path, []any{num(v)}, RuleStrictNumber)
		cs.one(nested, f.Path, cmp("!=", v), RuleNumericString)
		cs.one(nested, f.Path, []any{op("anything-but", num(v))}, g.absentRule(f, RuleAnythingButTypes)...)
		cs.one(nested, f.Path, cmp(">", b), RuleNumericString)
		cs.one(nested, f.Path, []any{v, num(v)}, RuleStrictNumber)
		cs.one(nested, f.Path, cmp("<", a), RuleNumericString)
		per = append(per, cs)
	}
	if len(per) == 0 {
		for _, f := range g.pick(2, strField, quotable) {
			var cs cases
			cs.one(nested, f.Path, []any{op("numeric", []any{"!=", num("0")})}, RuleNumericOnly)
			per = append(per, cs)
		}
	}
	return rounds(per)
}

// nulls: on fields seen with null, equality, exists and anything-but;
// on fields never null, null equality that must not match.
func (g *gen) nulls() []Case {
	var per [][]Case
	n := 0
	for _, f := range g.m.Fields() {
		if f.Nulls == 0 || f.Nested || n == 4 {
			continue
		}
		n++
		var cs cases
		cs.one(bare, f.Path, []any{nil}, RuleNull)
		cs.one(nested, f.Path, []any{op("exists", true)}, RuleNull, RuleExists)
		cs.one(nested, f.Path, []any{op("exists", false)}, RuleNull, RuleNotExists)
		cs.one(nested, f.Path, []any{op("anything-but", "null")}, RuleNull, RuleAnythingBut)
		cs.one(nested, f.Path, []any{"null"}, RuleNullOnly)
		cs.one(nested, f.Path, []any{nil, "null"}, RuleNull, RuleOr)
		per = append(per, cs)
	}
	never := func(f *Field) bool { return plainField(f) && f.Nulls == 0 }
	var cs cases
	for _, f := range g.pick(1, func(f *Field) bool { return never(f) && g.m.Absent(f) == 0 }, quotable) {
		cs.one(bare, f.Path, []any{nil}, RuleNullOnly)
	}
	for _, f := range g.pick(1, func(f *Field) bool { return never(f) && g.m.Absent(f) > 0 }, nil) {
		cs.one(nested, f.Path, []any{nil}, RuleNullOnly, RuleAbsent)
	}
	for _, f := range g.pick(1, func(f *Field) bool { return never(f) && f.Numbers > 0 }, nil) {
		cs.one(nested, f.Path, []any{nil}, RuleNullOnly)
	}
	return rounds(append(per, cs))
}

// bools: booleans against the strings "true" and "false".
func (g *gen) bools() []Case {
	var per [][]Case
	for _, f := range g.pick(3, func(f *Field) bool { return plainField(f) && f.Bools > 0 }, isBool) {
		v := g.value(f, isBool).(bool)
		txt := "false"
		if v {
			txt = "true"
		}
		var cs cases
		cs.one(bare, f.Path, []any{v}, RuleEquality)
		cs.one(nested, f.Path, []any{txt}, RuleStrictBool)
		cs.one(nested, f.Path, []any{!v}, RuleEquality)
		cs.one(nested, f.Path, []any{op("anything-but", txt)}, RuleAnythingButTypes)
		per = append(per, cs)
	}
	if len(per) == 0 {
		var cs cases
		for _, f := range g.pick(1, strField, quotable) {
			cs.one(nested, f.Path, []any{true}, RuleStrictBool)
			cs.one(nested, f.Path, []any{"true"}, RuleStrictBool)
		}
		per = append(per, cs)
	}
	return rounds(per)
}
