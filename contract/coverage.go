package contract

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/wstrigger/wstrigger/spec"
)

// coverage records what a run exercised. It is safe for concurrent use.
type coverage struct {
	spec *spec.Spec
	ops  []spec.Operation

	mu       sync.Mutex
	statuses map[string]map[int]int // operation id → status → count
	messages map[string]int
	closes   map[int]int
}

func newCoverage(s *spec.Spec) *coverage {
	return &coverage{
		spec: s, ops: s.Operations(),
		statuses: map[string]map[int]int{}, messages: map[string]int{}, closes: map[int]int{},
	}
}

// operation returns the operation that answers method on path: the
// declared one, or for another method the path's operation, under which
// a 405 is recorded (as spec.ValidateResponse routes it).
func (cv *coverage) operation(method, path string) (spec.Operation, bool) {
	var byPath *spec.Operation
	for i, op := range cv.ops {
		if op.Path != path {
			continue
		}
		if op.Method == method {
			return op, true
		}
		if byPath == nil || slices.Contains(op.Statuses, http.StatusMethodNotAllowed) {
			byPath = &cv.ops[i]
		}
	}
	if byPath != nil {
		return *byPath, true
	}
	return spec.Operation{}, false
}

func (cv *coverage) status(method, path string, status int) {
	op, ok := cv.operation(method, path)
	if !ok {
		return
	}
	cv.mu.Lock()
	defer cv.mu.Unlock()
	m := cv.statuses[op.ID]
	if m == nil {
		m = map[int]int{}
		cv.statuses[op.ID] = m
	}
	m[status]++
}

func (cv *coverage) message(typ string) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.messages[typ]++
}

func (cv *coverage) closeCode(code int) {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	cv.closes[code]++
}

// closeCodes returns the close codes seen so far and their counts.
func (cv *coverage) closeCodes() map[int]int {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	out := make(map[int]int, len(cv.closes))
	for k, v := range cv.closes {
		out[k] = v
	}
	return out
}

func (cv *coverage) report() Coverage {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	out := Coverage{Operations: []OperationCoverage{}, Messages: []MessageCoverage{}, CloseCodes: []CloseCodeCoverage{}}
	for _, op := range cv.ops {
		oc := OperationCoverage{ID: op.ID, Method: op.Method, Path: op.Path, Statuses: []StatusCoverage{}}
		seen := cv.statuses[op.ID]
		for _, st := range op.Statuses {
			oc.Statuses = append(oc.Statuses, StatusCoverage{Status: st, Exercised: seen[st] > 0, Declared: true, Seen: seen[st]})
		}
		for st, n := range seen {
			if !slices.Contains(op.Statuses, st) {
				oc.Statuses = append(oc.Statuses, StatusCoverage{Status: st, Exercised: true, Seen: n})
			}
		}
		sort.Slice(oc.Statuses, func(i, j int) bool { return oc.Statuses[i].Status < oc.Statuses[j].Status })
		out.Operations = append(out.Operations, oc)
	}
	types := cv.spec.MessageTypes()
	for _, t := range types {
		out.Messages = append(out.Messages, MessageCoverage{Type: t, Seen: cv.messages[t], Declared: true})
	}
	for t, n := range cv.messages {
		if !slices.Contains(types, t) {
			out.Messages = append(out.Messages, MessageCoverage{Type: t, Seen: n})
		}
	}
	codes := cv.spec.CloseCodes()
	for _, c := range codes {
		out.CloseCodes = append(out.CloseCodes, CloseCodeCoverage{Code: c, Seen: cv.closes[c], Declared: true})
	}
	for c, n := range cv.closes {
		if !slices.Contains(codes, c) {
			out.CloseCodes = append(out.CloseCodes, CloseCodeCoverage{Code: c, Seen: n})
		}
	}
	sort.SliceStable(out.Messages, func(i, j int) bool { return out.Messages[i].Type < out.Messages[j].Type })
	sort.SliceStable(out.CloseCodes, func(i, j int) bool { return out.CloseCodes[i].Code < out.CloseCodes[j].Code })
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }
