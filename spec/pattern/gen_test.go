package pattern

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Random patterns and events over a small vocabulary, so that they often
// match, for property tests and benchmarks.

var (
	genFields = []string{"type", "org", "loc.country", "loc.city", "entities.type", "entities.value", "tags", "n"}
	genWords  = []string{"job-join", "job-leave", "310", "IBM", "SAP", "Deutsche Bank", "US", "DE", "org", "person", "a", "b", "", "ibm", "Ibm", "\u212a", "k", "ſ"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randPattern returns a random pattern in JSON form.
func randPattern(r *rand.Rand) string {
	n := r.IntN(4)
	parts := make([]string, 0, n)
	used := map[string]bool{}
	for range n {
		f := pick(r, genFields)
		if used[f] {
			continue
		}
		used[f] = true
		parts = append(parts, fmt.Sprintf("%q:%s", f, randLeaf(r)))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func randLeaf(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return randElem(r, true)
	}
	n := 1 + r.IntN(3)
	elems := make([]string, n)
	stringsOnly := r.IntN(2) == 0
	for i := range elems {
		elems[i] = randElem(r, stringsOnly)
	}
	return "[" + strings.Join(elems, ",") + "]"
}

func randElem(r *rand.Rand, stringsOnly bool) string {
	w := pick(r, genWords)
	if stringsOnly {
		return jq(w)
	}
	switch r.IntN(12) {
	case 10, 11:
		return `{"equals-ignore-case":` + jq(w) + `}`
	case 0:
		return `{"prefix":` + jq(w[:len(w)/2]) + `}`
	case 1:
		return `{"anything-but":[` + jq(w) + "," + jq(pick(r, genWords)) + `]}`
	case 2:
		return fmt.Sprintf(`{"exists":%v}`, r.IntN(2) == 0)
	case 3:
		return fmt.Sprintf(`{"numeric":[">=",%d,"<",%d]}`, r.IntN(5), r.IntN(10))
	case 4:
		return `{"wildcard":` + jq("*"+w[len(w)/2:]+"*") + `}`
	case 5:
		return fmt.Sprint(r.IntN(5))
	case 6:
		return "null"
	}
	return jq(w)
}

// randEvent returns a random event in JSON.
func randEvent(r *rand.Rand) string {
	ev := map[string]any{}
	if r.IntN(5) > 0 {
		ev["type"] = randValue(r)
	}
	if r.IntN(5) > 0 {
		ev["org"] = randValue(r)
	}
	if r.IntN(3) > 0 {
		ev["loc"] = map[string]any{"country": randValue(r), "city": randValue(r)}
	}
	if r.IntN(2) > 0 {
		var ents []any
		for range r.IntN(4) {
			ents = append(ents, map[string]any{"type": randValue(r), "value": randValue(r)})
		}
		ev["entities"] = ents
	}
	if r.IntN(2) > 0 {
		ev["tags"] = []any{randValue(r), randValue(r), randValue(r)}
	}
	if r.IntN(2) > 0 {
		ev["n"] = r.IntN(10)
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func randValue(r *rand.Rand) any {
	switch r.IntN(12) {
	case 0:
		return nil
	case 1:
		return r.IntN(5)
	case 2:
		return []any{pick(r, genWords), pick(r, genWords)}
	}
	return pick(r, genWords)
}

// jq quotes s as JSON.
func jq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
