package contract

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// Schema conformance is judged by checks of its own: every answer and
// frame of the run is validated against the spec documents as it
// arrives, and a departure is recorded under its operation or message,
// with the check and step that saw it. The SCHEMA checks run after all
// the others and report what was recorded, so that every other check
// judges only its own rule.

// schemaSubject is what a SCHEMA check judges: the answers of one
// operation or the frames of one message type.
type schemaSubject struct {
	id, title, section, ref string
	// key is "join" or "push" for answers, a frame type for frames, and
	// "" for frames of no declared type.
	key string
}

func schemaSubjects() []schemaSubject {
	const ops = "openapi.yaml#/paths/"
	const msgs = "asyncapi.yaml#/components/messages/"
	return []schemaSubject{
		{"SCHEMA-001", "every answer to a join matches its status's response in the OpenAPI document", "docs/protocol.md §3, §6", ops + "~1api~1v1~1websocket/get/responses", "join"},
		{"SCHEMA-002", "every answer to a push matches its status's response in the OpenAPI document", "docs/protocol.md §4, §6", ops + "~1api~1v1~1websocket~1session/post/responses", "push"},
		{"SCHEMA-003", "every session frame matches the AsyncAPI session message", "docs/protocol.md §3.1", msgs + "session", protocol.FrameSession},
		{"SCHEMA-004", "every trigger frame matches the AsyncAPI trigger message, events included", "docs/protocol.md §3.1, §7", msgs + "trigger", protocol.FrameTrigger},
		{"SCHEMA-005", "every push frame matches the AsyncAPI push message", "docs/protocol.md §3.1", msgs + "push", protocol.FramePush},
		{"SCHEMA-006", "every frame is a UTF-8 JSON object of a type the AsyncAPI document declares", "docs/protocol.md §3.1", "asyncapi.yaml#/channels/join/messages", ""},
	}
}

func schemaChecks() []checkDef {
	var out []checkDef
	for _, sub := range schemaSubjects() {
		out = append(out, checkDef{
			Check:     Check{ID: sub.id, Title: sub.title, Group: "schema", Level: LevelMust, Section: sub.section, SpecRef: sub.ref},
			collector: true,
			run:       func(_ context.Context, c *checkCtx) error { return c.judgeSchema(sub) },
		})
	}
	return out
}

// maxDepartures is how many distinct departures a SCHEMA check reports.
const maxDepartures = 10

// departure is one distinct way answers or frames of a subject depart
// from the spec: an issue at one place, by one rule.
type departure struct {
	issue spec.Issue
	what  string // "response 401 to POST /api/v1/websocket/session", "trigger frame"
	check string // the first check that saw it
	step  string
	seen  int
}

// schemaLog collects the validation outcome of every answer and frame
// of a run. It is safe for concurrent use.
type schemaLog struct {
	mu         sync.Mutex
	validated  map[string]int
	departures map[string][]*departure
}

func newSchemaLog() *schemaLog {
	return &schemaLog{validated: map[string]int{}, departures: map[string][]*departure{}}
}

// record notes one validated answer or frame of subject key, and its
// departures when err is a validation error.
func (l *schemaLog) record(key, check, step string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.validated[key]++
	if err == nil {
		return
	}
	var verr *spec.ValidationError
	if !errors.As(err, &verr) {
		verr = &spec.ValidationError{Subject: key, Issues: []spec.Issue{{Where: "validation", Reason: err.Error()}}}
	}
	for _, is := range verr.Issues {
		found := false
		for _, d := range l.departures[key] {
			if d.issue.Where == is.Where && d.issue.Rule == is.Rule && d.issue.Reason == is.Reason {
				d.seen++
				found = true
				break
			}
		}
		if !found {
			l.departures[key] = append(l.departures[key], &departure{issue: is, what: verr.Subject, check: check, step: step, seen: 1})
		}
	}
}

// judgeSchema fails the check of sub with every recorded departure.
func (c *checkCtx) judgeSchema(sub schemaSubject) error {
	l := c.schema
	l.mu.Lock()
	n := l.validated[sub.key]
	deps := append([]*departure(nil), l.departures[sub.key]...)
	l.mu.Unlock()
	what := map[string]string{"join": "answer to a join", "push": "answer to a push", "": "frame"}[sub.key]
	if what == "" {
		what = sub.key + " frame"
	}
	if n == 0 {
		return skipBecause("nothing of its kind seen", "no %s was seen by the checks that ran", what)
	}
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].seen > deps[j].seen })
	for i, d := range deps {
		if i == maxDepartures {
			c.failf("and %d more departures", len(deps)-maxDepartures)
			break
		}
		c.failf("%s", d.describe())
		c.addEvidence(Evidence{Step: fmt.Sprintf("%s, seen by %s (%s)", d.what, d.check, d.step), Note: d.detail()})
	}
	c.note("validated", fmt.Sprintf("%d %ss validated against the spec, %d distinct departures", n, what, len(deps)))
	return nil
}

// describe says what is wrong in one line: where, the rule, the value,
// and how often.
func (d *departure) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s", d.what, d.issue.Where, d.issue.Reason)
	if d.issue.Rule != "" {
		fmt.Fprintf(&b, " (rule %q", d.issue.Rule)
		if d.issue.Value != "" {
			fmt.Fprintf(&b, ", value %s", d.issue.Value)
		}
		b.WriteString(")")
	}
	if d.seen > 1 {
		fmt.Fprintf(&b, ", %d times", d.seen)
	}
	return b.String()
}

// detail is the evidence note of a departure: the JSON pointer, the rule
// and the offending value, each on a line.
func (d *departure) detail() string {
	where, pointer, _ := strings.Cut(d.issue.Where, "/")
	lines := []string{"where: " + where}
	if pointer != "" {
		lines = append(lines, "JSON pointer: /"+pointer)
	}
	if d.issue.Rule != "" {
		lines = append(lines, "rule: "+d.issue.Rule)
	}
	if d.issue.Value != "" {
		lines = append(lines, "value: "+d.issue.Value)
	}
	lines = append(lines, "reason: "+d.issue.Reason)
	if d.seen > 1 {
		lines = append(lines, fmt.Sprintf("seen %d times", d.seen))
	}
	return strings.Join(lines, "\n")
}
