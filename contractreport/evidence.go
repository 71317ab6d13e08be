package contractreport

import (
	"fmt"
	"strings"
)

// FormatEvidence renders a check's evidence as plain text: each exchange
// as its step, the request, the answer, the frames and, with repro, the
// command that reproduces it.
func FormatEvidence(evs []Evidence, repro bool) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## %s\n", ev.Step)
		if ev.Request != "" {
			fmt.Fprintf(&b, "> %s\n", strings.ReplaceAll(strings.TrimRight(ev.Request, "\n"), "\n", "\n> "))
		}
		if ev.Status != 0 || ev.Response != "" {
			fmt.Fprintf(&b, "< %s\n", strings.ReplaceAll(strings.TrimRight(responseText(ev), "\n"), "\n", "\n< "))
		}
		for _, f := range ev.Frames {
			fmt.Fprintf(&b, "frame: %s\n", f)
		}
		if ev.Note != "" {
			fmt.Fprintf(&b, "note: %s\n", ev.Note)
		}
		if cmd := strings.TrimSpace(ev.Reproduce); repro && cmd != "" {
			fmt.Fprintf(&b, "reproduce: %s\n", strings.ReplaceAll(cmd, "\n", "\n  "))
		}
	}
	return b.String()
}

func responseText(ev Evidence) string {
	if ev.Response == "" {
		return fmt.Sprintf("status %d", ev.Status)
	}
	if ev.Status != 0 && !strings.Contains(ev.Response, fmt.Sprint(ev.Status)) {
		return fmt.Sprintf("status %d\n%s", ev.Status, ev.Response)
	}
	return ev.Response
}
