package oracle

import (
	"encoding/json"
	"unicode"
)

// The rules of docs/protocol.md §5 a case exercises, as named in reports.
const (
	RuleEquality          = "scalar equality"
	RuleCase              = "equality is case-sensitive"
	RuleOr                = "an array leaf matches if any element does (OR)"
	RuleAnd               = "all fields must match (AND)"
	RuleAbsent            = "a condition on an absent field fails"
	RulePrefix            = "prefix"
	RulePrefixCase        = "prefix is case-sensitive"
	RuleSuffix            = "suffix"
	RuleSuffixCase        = "suffix is case-sensitive"
	RuleEmptyAffix        = "an empty prefix or suffix matches every string"
	RuleWildcard          = "wildcard"
	RuleWildcardStars     = "wildcard with several *"
	RuleWildcardCase      = "wildcard is case-sensitive"
	RuleFold              = "equals-ignore-case folds case"
	RuleStringOnly        = "prefix, suffix, equals-ignore-case and wildcard match strings only"
	RuleNumericRange      = "numeric range of two comparisons"
	RuleNumericString     = "numeric never matches a numeric-looking string"
	RuleNumericOnly       = "numeric matches numbers only"
	RuleStrictNumber      = `strict types: "310" is not 310`
	RuleStrictBool        = `strict types: true is not "true"`
	RuleAnythingBut       = "anything-but"
	RuleAnythingButList   = "anything-but with a list"
	RuleAnythingButAbsent = "anything-but never matches an absent field"
	RuleAnythingButTypes  = "anything-but compares with strict types"
	RuleExists            = "exists:true matches present fields"
	RuleNotExists         = "exists:false matches exactly the absent fields"
	RuleNull              = "null is a present value, equal to the scalar null"
	RuleNullOnly          = "null equals nothing but null"
	RuleArrayAny          = "an array field matches if any element does"
	RuleArrayElements     = "conditions on an array's objects may be met by different elements"
	RuleNested            = "nested objects descend into fields"
	RuleDotted            = "a dotted key is the same as nesting"
	RuleRuleForm          = "rule form"
	RuleRuleSpace         = "rule form: white space around names and values is ignored"
	RuleRuleEscape        = "rule form: %3B %7C %3D %25 stand for ; | = %"
	RuleRuleStrings       = "rule form: values are strings"
)

// ruleNumeric names a numeric comparison: "numeric <=".
func ruleNumeric(op string) string { return "numeric " + op }

// NumericOps are the comparison operators of §5.
var NumericOps = []string{"=", "!=", "<", "<=", ">", ">="}

// AllRules lists every rule label a case can carry.
func AllRules() []string {
	out := []string{
		RuleEquality, RuleCase, RuleOr, RuleAnd, RuleAbsent, RulePrefix, RulePrefixCase,
		RuleSuffix, RuleSuffixCase, RuleEmptyAffix, RuleWildcard, RuleWildcardStars,
		RuleWildcardCase, RuleFold, RuleStringOnly, RuleNumericRange, RuleNumericString,
		RuleNumericOnly, RuleStrictNumber, RuleStrictBool, RuleAnythingBut, RuleAnythingButList,
		RuleAnythingButAbsent, RuleAnythingButTypes, RuleExists, RuleNotExists, RuleNull,
		RuleNullOnly, RuleArrayAny, RuleArrayElements, RuleNested, RuleDotted, RuleRuleForm,
		RuleRuleSpace, RuleRuleEscape, RuleRuleStrings,
	}
	for _, op := range NumericOps {
		out = append(out, ruleNumeric(op))
	}
	return out
}

// condRules are the rules a single condition exercises by itself, for a
// case Generate adds so that a compound case can be shrunk.
func condRules(m *Model, c Cond) []string {
	var out []string
	add := func(r string) {
		for _, x := range out {
			if x == r {
				return
			}
		}
		out = append(out, r)
	}
	for _, e := range c.Leaf {
		switch t := e.(type) {
		case Op:
			switch t.Name {
			case "prefix":
				add(RulePrefix)
			case "suffix":
				add(RuleSuffix)
			case "wildcard":
				add(RuleWildcard)
			case "equals-ignore-case":
				add(RuleFold)
			case "exists":
				if t.Operand == true {
					add(RuleExists)
				} else {
					add(RuleNotExists)
				}
			case "anything-but":
				add(RuleAnythingBut)
			case "numeric":
				if ops, ok := t.Operand.([]any); ok && len(ops) == 4 {
					add(RuleNumericRange)
				} else if ok && len(ops) == 2 {
					add(ruleNumeric(ops[0].(string)))
				}
			}
		case nil:
			add(RuleNull)
		default:
			add(RuleEquality)
		}
	}
	if len(c.Leaf) > 1 {
		add(RuleOr)
	}
	if f := m.Field(c.Path); f != nil {
		if f.InArray || f.IsArray {
			add(RuleArrayAny)
		}
	}
	return out
}

// flips returns the case variants of s that differ from it: upper case,
// lower case and every letter swapped.
func flips(s string) []string {
	var out []string
	for _, v := range []string{upper(s), lower(s), swapCase(s)} {
		dup := v == s
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

func mapRunes(s string, f func(rune) rune) string {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = f(r)
	}
	return string(rs)
}

func upper(s string) string { return mapRunes(s, unicode.ToUpper) }
func lower(s string) string { return mapRunes(s, unicode.ToLower) }
func swapCase(s string) string {
	return mapRunes(s, func(r rune) rune {
		if u := unicode.ToUpper(r); u != r {
			return u
		}
		return unicode.ToLower(r)
	})
}

// foldSafe reports whether every rune of s either has no case or is a
// letter whose case mapping is one-to-one in every common reading
// (Unicode simple case folding, Java's equalsIgnoreCase, JavaScript's
// toLowerCase): letters of Basic Latin, Latin-1 and Latin Extended-A,
// but ß, ÿ, ı, İ, ĸ, ŉ and ſ.
func foldSafe(s string) bool {
	for _, r := range s {
		caseless := unicode.ToUpper(r) == r && unicode.ToLower(r) == r && unicode.SimpleFold(r) == r
		if caseless || r < 0x80 {
			continue
		}
		switch r {
		case 'ß', 'ÿ', 'ı', 'İ', 'ĸ', 'ŉ', 'ſ', 'µ', 'Ÿ':
			return false
		}
		if r > 0x17F || unicode.SimpleFold(unicode.SimpleFold(r)) != r {
			return false
		}
	}
	return true
}

// num makes a json.Number.
func num(s string) json.Number { return json.Number(s) }
