package oracle

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/wstrigger/wstrigger/spec/pattern"
)

// Cond is one condition of a pattern: a dotted path and its leaf, whose
// elements are strings, json.Numbers, bools, nil or operators (Op).
type Cond struct {
	Path string
	Leaf []any
}

// Op is an operator element of a leaf, such as {"prefix":"job-"}.
type Op struct {
	Name    string
	Operand any // string, json.Number, bool, or []any of those
}

// Key is the condition's canonical form: equal keys mean the same
// condition, whatever form a pattern wrote it in.
func (c Cond) Key() string {
	p, err := pattern.Parse(`{` + quoteJSON(c.Path) + `:` + leafJSON(c.Leaf, false) + `}`)
	if err != nil {
		return "invalid:" + c.Path
	}
	return p.String()
}

// Form is how a case writes its conditions.
type Form uint8

// The forms of a case's text.
const (
	// FormNested writes paths as nested objects: {"loc":{"region":…}}.
	FormNested Form = iota
	// FormDotted writes paths as dotted keys: {"loc.region":…}.
	FormDotted
	// FormMixed nests the first segment and dots the rest:
	// {"a":{"b.c":…}}.
	FormMixed
	// FormRule writes the compact rule form: loc.region=Europe.
	FormRule
)

// Case is one generated pattern.
type Case struct {
	// Text is the pattern as sent.
	Text string
	// Conds are its conditions, one per field.
	Conds []Cond
	// Rules names the rules of docs/protocol.md §5 it exercises.
	Rules []string
	// Form is how Text writes the conditions.
	Form Form

	keys []string
	pat  *pattern.Pattern
}

// Pattern returns the parsed pattern.
func (c *Case) Pattern() *pattern.Pattern { return c.pat }

// Rule returns the case's rule labels joined for a report.
func (c *Case) Rule() string { return strings.Join(c.Rules, "; ") }

// shape is how a case is written: its form, white space around its
// members, and single scalars written bare rather than in an array.
type shape struct {
	form  Form
	space bool
	bare  bool
}

// newCase renders conds in a shape and parses the result; ok is false
// when the form cannot write them or the pattern is invalid or too big.
func newCase(sh shape, conds []Cond, rules ...string) (Case, bool) {
	var text string
	switch sh.form {
	case FormRule:
		t, ok := ruleText(conds, sh.space)
		if !ok {
			return Case{}, false
		}
		text = t
	default:
		text = jsonText(sh, conds)
	}
	if len(text) > pattern.MaxSize {
		return Case{}, false
	}
	p, err := pattern.Parse(text)
	if err != nil {
		return Case{}, false
	}
	for _, f := range p.Fields() {
		if strings.Count(f, ".")+1 > pattern.MaxDepth {
			return Case{}, false
		}
	}
	c := Case{Text: text, Conds: conds, Rules: rules, Form: sh.form, pat: p}
	for _, cd := range conds {
		c.keys = append(c.keys, cd.Key())
	}
	sort.Strings(c.keys)
	return c, true
}

// node is a level of a nested pattern, members in insertion order.
type node struct {
	names []string
	kids  map[string]*node
	leaf  []any
	bare  bool
}

func (n *node) kid(name string) *node {
	if n.kids == nil {
		n.kids = map[string]*node{}
	}
	k := n.kids[name]
	if k == nil {
		k = &node{}
		n.kids[name] = k
		n.names = append(n.names, name)
	}
	return k
}

// jsonText writes conds as a JSON pattern.
func jsonText(sh shape, conds []Cond) string {
	form := sh.form
	root := &node{}
	for _, c := range conds {
		segs := strings.Split(c.Path, ".")
		var at *node
		switch {
		case form == FormDotted || len(segs) == 1:
			at = root.kid(c.Path)
		case form == FormMixed:
			at = root.kid(segs[0]).kid(strings.Join(segs[1:], "."))
		default:
			at = root
			for _, s := range segs {
				at = at.kid(s)
			}
		}
		at.leaf, at.bare = c.Leaf, sh.bare
	}
	var b strings.Builder
	writeNode(&b, root, sh.space)
	return b.String()
}

func writeNode(b *strings.Builder, n *node, space bool) {
	b.WriteByte('{')
	for i, name := range n.names {
		if i > 0 {
			b.WriteByte(',')
		}
		if space {
			b.WriteByte(' ')
		}
		b.WriteString(quoteJSON(name))
		b.WriteByte(':')
		if space {
			b.WriteByte(' ')
		}
		k := n.kids[name]
		if k.leaf != nil {
			b.WriteString(leafJSON(k.leaf, k.bare))
		} else {
			writeNode(b, k, space)
		}
	}
	if space {
		b.WriteByte(' ')
	}
	b.WriteByte('}')
}

// leafJSON writes a leaf: an array, or its only element when bare and
// that element is a scalar.
func leafJSON(leaf []any, bare bool) string {
	if bare && len(leaf) == 1 {
		if _, isOp := leaf[0].(Op); !isOp {
			return valueJSON(leaf[0])
		}
	}
	parts := make([]string, len(leaf))
	for i, e := range leaf {
		parts[i] = valueJSON(e)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func valueJSON(x any) string {
	switch t := x.(type) {
	case Op:
		return "{" + quoteJSON(t.Name) + ":" + valueJSON(t.Operand) + "}"
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = valueJSON(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case string:
		return quoteJSON(t)
	case json.Number:
		return string(t)
	case bool:
		if t {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	}
	return "null"
}

func quoteJSON(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// ruleEscapes are the only escapes §5 defines for the rule form.
var ruleEscapes = strings.NewReplacer("%", "%25", ";", "%3B", "|", "%7C", "=", "%3D")

// ruleText writes conds in the rule form, or reports that it cannot:
// every element must be a non-empty string without white space at its
// ends or control characters, and every name plain.
func ruleText(conds []Cond, space bool) (string, bool) {
	var clauses []string
	for _, c := range conds {
		if !ruleName(c.Path) {
			return "", false
		}
		vals := make([]string, len(c.Leaf))
		for i, e := range c.Leaf {
			s, ok := e.(string)
			if !ok || !ruleValue(s) {
				return "", false
			}
			vals[i] = ruleEscapes.Replace(s)
		}
		sep, eq := "|", "="
		if space {
			sep, eq = " | ", " =\t"
		}
		clauses = append(clauses, c.Path+eq+strings.Join(vals, sep))
	}
	if space {
		return " " + strings.Join(clauses, " ; ") + " ", true
	}
	return strings.Join(clauses, ";"), true
}

// ruleName reports whether a path can be written bare in a rule.
func ruleName(p string) bool {
	for _, r := range p {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return p != ""
}

// ruleValue reports whether a value can be written in a rule with no
// escape but the four of §5.
func ruleValue(s string) bool {
	if s == "" || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return false
		}
	}
	return true
}
