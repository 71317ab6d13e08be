// Package pattern implements the pattern language of docs/protocol.md section 5:
// the conditions a websocket subscription sets on the trigger events it
// receives. It parses patterns in both forms, matches them against events,
// explains a mismatch, and indexes many patterns for fast fan-out.
//
// # Usage
//
//	p, err := pattern.Parse(`{"type":["job-join","job-leave"],"org":"IBM"}`)
//	if err != nil {
//		return err // a *pattern.Error naming the offending field
//	}
//	var event any
//	_ = json.Unmarshal(data, &event)
//	if p.Match(event) { ... }
//	ok, why := p.Explain(event) // why: `field "org": "Apple" is not one of ["IBM"]`
//
//	ix := pattern.NewIndex[string]()
//	ix.Add("session-1", p)
//	ix.Match(event, func(key string) bool { deliver(key); return true })
//
// # JSON form
//
// A pattern is a JSON object. Keys are field names and nested objects
// descend into nested fields; a dotted key is the same as nesting, so
// {"employee":{"title":"CEO"}}, {"employee.title":"CEO"} and
// {"employee":{"title":"CEO"},"employee.name":"Ann"} all work. Dots always
// separate fields: an event field whose name contains a dot cannot be
// addressed. An object is always nesting, never an operator:
// {"type":{"prefix":"x"}} constrains the field "type.prefix". An empty
// nested object is invalid; {} at the top level matches every event. A
// field may be constrained only once (neither a duplicate key nor
// {"a.b":1,"a":{"b":2}} is accepted); a field may however be constrained
// both as a leaf and through nested fields ({"a":"x","a.b":"y"}).
//
// A leaf is a scalar (string, number, boolean, null), which matches by
// equality with strict types ("310" does not match 310), or a non-empty
// array whose elements are ORed. A bare scalar is the same as a
// one-element array. Inside an array, an object with exactly one key is an
// operator:
//
//	{"prefix":"job-"}            a string starting with the operand
//	{"suffix":".com"}            a string ending with the operand
//	{"equals-ignore-case":"ibm"} a string equal under Unicode case folding
//	{"wildcard":"*Bank*"}        a string matching the glob; "*" is any run
//	                             of characters (also none), `\*` a literal
//	                             star, `\\` a literal backslash; any other
//	                             backslash is invalid
//	{"anything-but":"x"}         a present scalar value (string, number,
//	{"anything-but":["a",1]}     boolean or null) not in the list of strings
//	                             and numbers; an absent field does not match
//	                             (as in EventBridge), nor does an object
//	{"exists":true}              the field is present (with any value)
//	{"exists":false}             the field is absent
//	{"numeric":[">=",10,"<",20]} a number meeting one or more comparisons
//	                             (ANDed); operators = != < <= > >=
//
// Operators on strings never match numbers, and "numeric" never matches a
// string. Operands of the wrong type are invalid.
//
// # Events
//
// Events are what encoding/json decodes into any: map[string]any, []any,
// string, float64, json.Number, bool and nil. Other Go types match no
// condition but "exists" (objects and unsupported types are present). All
// conditions must hold (AND). A field is found by walking the path; where
// the walk meets an array it continues into every element, so a condition
// holds if any value reached matches. Conditions are evaluated on their
// own: {"entities":{"type":"org","value":"IBM"}} matches when one entity
// has type "org" and another has value "IBM", as in EventBridge. A field is
// present when the walk reaches at least one value, so an empty array is
// absent. A field holding null is present and matches the scalar null.
//
// Numbers compare by value (10 equals 10.0 and 1e1). A json.Number in an
// event is compared exactly, in decimal, with the number as written in the
// pattern, at any size or precision. A float64 in an event is compared
// with the pattern number rounded to the nearest float64; integers beyond
// 2^53 have already lost precision in a float64 event, so decode with
// json.Decoder.UseNumber when large integers must be told apart.
// Exponents beyond ±2^50 saturate.
//
// # Rule form
//
// The compact form field=value|value;field=value is the same as the JSON
// form with arrays of strings: "type=job-join|job-leave;org=IBM" equals
// {"type":["job-join","job-leave"],"org":["IBM"]}. ";" separates clauses
// (AND), "|" separates values (OR), a dotted name addresses a nested field,
// and a clause is split at its first "=" so later ones belong to the value.
// White space (space, tab, CR, LF) around names and values is ignored and
// empty clauses are skipped; an empty value is invalid. In names and values
// %XX stands for the byte with hex code XX: write "%" as %25, ";" as %3B,
// "|" as %7C, and a leading or trailing space as %20. Pattern.Rule writes
// this form back when it can express the pattern.
//
// A pattern that starts with "{" after white space is JSON; anything else
// is a rule (a rule name cannot start with "{"; write %7B).
//
// # Limits and errors
//
// A pattern is at most MaxSize (4096) bytes of input, and valid UTF-8.
// Its canonical form (see below) must also fit in MaxSize bytes, so that
// the canonical form can always be parsed again; this matters only near
// the limit: a rule "a=xxx…" has a canonical form 6 bytes longer than
// itself, so the longest such rule is 4090 bytes, while a JSON pattern is
// rarely longer in canonical form than as written. The depth of a
// condition is the number of field names in its path, counting each
// dotted segment: {"a":{"b.c":1}} has depth 3; at most MaxDepth (8) is
// allowed. Parse returns a *Error whose Field names the offending dotted
// path ("" when the problem is not tied to one field) and whose Reason
// says what is wrong.
//
// # Canonical form
//
// String and MarshalJSON write the canonical JSON form, without white
// space: one key per constrained field, written as its full dotted path;
// keys sorted; a leaf holding a single scalar written bare and any other
// leaf as an array, its elements sorted by their JSON text and without
// duplicates; "anything-but" with a bare scalar or a sorted array the same
// way; numbers normalized (10.0 and 1e1 become 10, 0.5e-7 becomes 5e-8).
// For example "type=job-join|job-leave;org=IBM" becomes
// {"org":"IBM","type":["job-join","job-leave"]}. Parse(p.String()) gives an
// equivalent pattern with the same String, so equal strings mean
// equivalent patterns.
//
// # Index
//
// An Index holds many patterns under keys of the caller's choice (session
// ids, for the mock server) and returns the keys whose pattern matches an
// event. It compiles the patterns into a tree, as aws/event-ruler does:
// string equalities, equals-ignore-case, prefixes, suffixes, booleans,
// null, {"exists":true} and numbers with one bound become map lookups or
// binary searches on the way down, and the other conditions tests that
// patterns sharing them evaluate once. A lookup therefore costs about the
// event's fields and the matches, not the number of patterns. Its answer
// always equals Match over every pattern.
//
// # Concurrency
//
// A Pattern is immutable after Parse; Match, Explain and the other methods
// may be called from any number of goroutines. Match does not allocate.
// Index methods are safe for concurrent use; see Index.
package pattern
