package oracle

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// DefaultMax is the default number of cases Generate returns at most:
// with one session of pattern {} a run opens at most 256 sessions.
const DefaultMax = 255

// minPerRule is how many cases of each rule come before any second
// helping of a family.
const minPerRule = 2

// Options tune Generate. The zero value is useful; nil means the zero
// value.
type Options struct {
	// Seed makes the choice of values, prefix lengths and wildcard
	// pieces; the same model and seed give the same cases.
	Seed uint64
	// Max bounds the number of cases (DefaultMax).
	Max int
}

// gen is the state of one Generate call.
type gen struct {
	m   *Model
	rng *rand.Rand
	max int

	out    []Case
	texts  map[string]int  // text → index in out
	single map[string]bool // keys of the conditions that have a case of their own
}

// Generate returns up to Options.Max cases for the model, covering every
// rule of §5 that the model's fields allow, near the values it saw. The
// families of cases (equality, case flips, each operator, types, nulls,
// arrays, forms) are interleaved, so that a small Max still covers them
// all. Every condition of a compound case is also a case of its own.
func Generate(m *Model, o *Options) []Case {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.Max <= 0 {
		opts.Max = DefaultMax
	}
	g := &gen{
		m: m, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), max: opts.Max,
		texts: map[string]int{}, single: map[string]bool{},
	}
	families := [][]Case{
		g.equality(), g.fold(), g.affixes("prefix"), g.affixes("suffix"), g.wildcards(),
		g.anythingBut(), g.exists(), g.numeric(), g.numericStrings(), g.nulls(), g.bools(),
		g.arrays(), g.forms(), g.rules(), g.ands(), g.ors(),
	}
	order := rounds(families)
	// First every rule, twice where the model allows; then the rest in
	// turn.
	covered := map[string]int{}
	for _, c := range order {
		need := false
		for _, r := range c.Rules {
			need = need || covered[r] < minPerRule
		}
		if need && g.add(c) {
			for _, r := range c.Rules {
				covered[r]++
			}
		}
	}
	for _, c := range order {
		g.add(c)
	}
	return g.out
}

// add appends c unless its text is taken (its rules then join those of
// the case that has it) or there is no room; for a compound case, a
// case of its own for each condition goes first.
func (g *gen) add(c Case) bool {
	if i, ok := g.texts[c.Text]; ok {
		have := &g.out[i]
		for _, r := range c.Rules {
			if !slices.Contains(have.Rules, r) {
				have.Rules = append(slices.Clone(have.Rules), r)
			}
		}
		return false
	}
	var singles []Case
	if len(c.Conds) > 1 {
		for _, cd := range c.Conds {
			if g.single[cd.Key()] {
				continue
			}
			s, ok := newCase(shape{form: FormNested}, []Cond{cd}, condRules(g.m, cd)...)
			if _, taken := g.texts[s.Text]; !ok || taken {
				return false
			}
			singles = append(singles, s)
		}
	}
	if len(g.out)+len(singles)+1 > g.max {
		return false
	}
	for _, s := range singles {
		g.put(s)
	}
	g.put(c)
	return true
}

func (g *gen) put(c Case) {
	g.texts[c.Text] = len(g.out)
	if len(c.Conds) == 1 {
		g.single[c.keys[0]] = true
	}
	g.out = append(g.out, c)
}

// rounds interleaves per-field lists: the first case of every field,
// then the second, and so on.
func rounds(perField [][]Case) []Case {
	var out []Case
	for i := 0; ; i++ {
		more := false
		for _, l := range perField {
			if i < len(l) {
				out = append(out, l[i])
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// cases collects the cases of one field.
type cases []Case

// add renders conds in a shape and appends the case if it is valid,
// adding the labels its form implies.
func (cs *cases) add(sh shape, conds []Cond, rules ...string) {
	rules = slices.Clone(rules)
	deep := false
	for _, c := range conds {
		deep = deep || strings.Contains(c.Path, ".")
	}
	switch {
	case sh.form == FormRule:
		rules = appendRule(rules, RuleRuleForm)
		if sh.space {
			rules = appendRule(rules, RuleRuleSpace)
		}
		if deep {
			rules = appendRule(rules, RuleDotted)
		}
	case deep && sh.form != FormNested:
		rules = appendRule(rules, RuleDotted)
	}
	if len(conds) > 1 {
		rules = appendRule(rules, RuleAnd)
	}
	for _, c := range conds {
		if len(c.Leaf) > 1 {
			rules = appendRule(rules, RuleOr)
		}
	}
	if c, ok := newCase(sh, conds, rules...); ok {
		*cs = append(*cs, c)
	}
}

// one is add for a single condition.
func (cs *cases) one(sh shape, path string, leaf []any, rules ...string) {
	cs.add(sh, []Cond{{Path: path, Leaf: leaf}}, rules...)
}

func appendRule(rules []string, r string) []string {
	if slices.Contains(rules, r) {
		return rules
	}
	return append(rules, r)
}

// pick returns the fields keep accepts, best first: those whose most
// frequent value recurs most, then the most often present. A field
// that always held one value splits no events, so it comes late.
func (g *gen) pick(n int, keep func(*Field) bool, val func(any) bool) []*Field {
	var out []*Field
	for _, f := range g.m.Fields() {
		if keep(f) && len(f.Values(val)) > 0 {
			out = append(out, f)
		}
	}
	top := func(f *Field) int {
		vs := f.Values(val)
		if len(vs) == 1 && vs[0].Events == g.m.Events {
			return vs[0].Events / 4
		}
		return vs[0].Events
	}
	sort.SliceStable(out, func(i, j int) bool { return top(out[i]) > top(out[j]) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// value returns one of the two most frequent values of f that val
// accepts, chosen by the seed.
func (g *gen) value(f *Field, val func(any) bool) any {
	vs := f.Values(val)
	return vs[g.rng.IntN(min(2, len(vs)))].V
}

// plainField: a field that never held an object or a nested array.
func plainField(f *Field) bool { return f.Scalar() && !f.Nested }

// absentRule adds RuleAbsent when f is missing from some events.
func (g *gen) absentRule(f *Field, rules ...string) []string {
	if g.m.Absent(f) > 0 {
		return append(slices.Clone(rules), RuleAbsent)
	}
	return rules
}

// nested is the default shape: nested objects, leaves in arrays.
var nested = shape{form: FormNested}

// bare writes single scalars bare.
var bare = shape{form: FormNested, bare: true}

// op makes an operator element.
func op(name string, operand any) Op { return Op{Name: name, Operand: operand} }

// runes cuts s into runes.
func runes(s string) []rune { return []rune(s) }
