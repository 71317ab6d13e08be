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
	genFields = []string{"type", "org", "loc.country", "loc.city", "entities.type", "entities.value", "tags", "n",
		"flag", "a.b", "a.b.c", "d.e.f.g.h.i.j.k"}
	genWords = []string{"job-join", "job-leave", "310", "IBM", "SAP", "Deutsche Bank", "US", "DE", "org", "person", "a", "b", "", "ibm", "Ibm", "\u212a", "k", "ſ"}
	// genNumbers are close to each other and to the limits of float64,
	// so that float64 rounding and exact comparison tell them apart.
	genNumbers = []string{"0", "1", "1.0", "1.5", "-1", "2", "3", "1e-7", "9007199254740992", "9007199254740993", "1e400"}
	genCmpOps  = []string{"=", "!=", "<", "<=", ">", ">="}
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
	if r.IntN(8) == 0 {
		n = 8 + r.IntN(8) // more OR than one pattern's leaves take
	}
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
	switch r.IntN(18) {
	case 10, 11:
		return `{"equals-ignore-case":` + jq(w) + `}`
	case 12:
		return `{"suffix":` + jq(w[len(w)/2:]) + `}`
	case 13, 14:
		return fmt.Sprintf(`{"numeric":[%q,%s]}`, pick(r, genCmpOps), pick(r, genNumbers))
	case 15:
		return pick(r, genNumbers)
	case 16:
		return fmt.Sprint(r.IntN(2) == 0)
	case 17:
		return fmt.Sprintf(`{"anything-but":%s}`, pick(r, genNumbers))
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
		if r.IntN(2) == 0 {
			ev["n"] = randValue(r)
		}
	}
	if r.IntN(3) == 0 {
		ev["flag"] = randValue(r)
	}
	if r.IntN(2) == 0 {
		ev["a"] = randNest(r, []string{"b", "c"})
	}
	if r.IntN(4) == 0 {
		ev["d"] = randNest(r, []string{"e", "f", "g", "h", "i", "j", "k"})
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// randNest returns a value for the path segs: objects, arrays of them,
// or a value cut short.
func randNest(r *rand.Rand, segs []string) any {
	switch n := r.IntN(10); {
	case len(segs) == 0 || n == 0:
		return randValue(r)
	case n == 1:
		return []any{randNest(r, segs), randNest(r, segs)}
	}
	return map[string]any{segs[0]: randNest(r, segs[1:])}
}

func randValue(r *rand.Rand) any {
	switch r.IntN(18) {
	case 0:
		return nil
	case 1:
		return r.IntN(5)
	case 2:
		return []any{pick(r, genWords), pick(r, genWords)}
	case 3, 4:
		return json.Number(pick(r, genNumbers[:len(genNumbers)-1])) // 1e400 is no float64
	case 5:
		return r.IntN(2) == 0
	case 6:
		return []any{[]any{pick(r, genWords)}, []any{}}
	case 7:
		return map[string]any{"k": pick(r, genWords)}
	case 8:
		return []any{}
	}
	return pick(r, genWords)
}

// jq quotes s as JSON.
func jq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
