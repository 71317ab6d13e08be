package docs_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/docs"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

func TestSections(t *testing.T) {
	t.Parallel()
	var numbers []string
	for _, s := range docs.Sections() {
		numbers = append(numbers, s.Number)
		assert.Equal(t, docs.Anchor(s.Number), s.Anchor, "§%s: the anchor line and the heading's number differ", s.Number)
		assert.NotEmpty(t, strings.TrimSpace(s.Body), "§%s", s.Number)
		assert.NotContains(t, s.Body, "\n## ", "§%s runs into an unnumbered section", s.Number)
		assert.Equal(t, 2+strings.Count(s.Number, "."), s.Level, "§%s: heading level", s.Number)
		assert.NotContains(t, s.Title, "`", "§%s: a title is plain text, as reports show it", s.Number)
	}
	assert.Equal(t, []string{"1", "2", "3", "3.1", "3.2", "3.3", "4", "4.1", "5", "6", "7", "8"}, numbers)

	s, ok := docs.Lookup("3.1")
	require.True(t, ok)
	assert.Equal(t, "Frames from the server", s.Title)
	assert.NotContains(t, s.Body, "### 3.2", "a section's body stops at the next numbered section")
	_, ok = docs.Lookup("9")
	assert.False(t, ok)
	assert.True(t, strings.HasPrefix(string(docs.Protocol()), "# The websocket trigger protocol\n"))
}

func TestCited(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, citation string
		want           []string
	}{
		{"one", "docs/protocol.md §3", []string{"3"}},
		{"several", "docs/protocol.md §3.1, §4", []string{"3.1", "4"}},
		{"the old name", "PROTOCOL.md §2, §3", []string{"2", "3"}},
		{"none", "docs/protocol.md", nil},
		{"a trailing dot is not part of the number", "see §5.", []string{"5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, docs.Cited(tc.citation))
		})
	}
}

// codeRow is a row of a status table: | 400 | `missing_pattern` | ...
var codeRow = regexp.MustCompile("(?m)^\\| ([0-9]{3}) \\| (?:`([a-z_]+)`)? *\\|")

// statusCodes reads the status tables of a section: the error codes each
// status may carry (none for a success).
func statusCodes(t *testing.T, number string) map[int][]protocol.ErrorCode {
	t.Helper()
	s, ok := docs.Lookup(number)
	require.True(t, ok, "§%s", number)
	out := map[int][]protocol.ErrorCode{}
	for _, m := range codeRow.FindAllStringSubmatch(s.Body, -1) {
		st, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		if m[2] != "" {
			out[st] = append(out[st], protocol.ErrorCode(m[2]))
		} else {
			out[st] = nil
		}
	}
	require.NotEmpty(t, out, "§%s has no status table", number)
	return out
}

// TestErrorCodesAgreeWithSpec ties the status tables of §3 and §4 to the
// responses of the OpenAPI document and to package protocol's codes, so
// that neither can drift from the page a report links.
func TestErrorCodesAgreeWithSpec(t *testing.T) {
	t.Parallel()
	s, err := spec.Default()
	require.NoError(t, err)
	all := map[protocol.ErrorCode]bool{}
	for _, tc := range []struct {
		section, operation string
		success            int
	}{
		{"3", "joinWebsocket", 101},
		{"4", "pushToSession", 202},
	} {
		doc := statusCodes(t, tc.section)
		if tc.success == 101 { // the join's success is a sentence, not a row
			doc[101] = nil
		}
		op, ok := s.Operation(tc.operation)
		require.True(t, ok, tc.operation)
		// §6's 500 applies to either endpoint, with §6's code.
		require.Contains(t, op.Statuses, 500, "§6: %s declares 500", tc.operation)
		doc[500] = statusCodes(t, "6")[500]
		statuses := slices.Sorted(func(yield func(int) bool) {
			for st := range doc {
				if !yield(st) {
					return
				}
			}
		})
		assert.Equal(t, op.Statuses, statuses, "§%s: statuses of %s in the page and in openapi.yaml", tc.section, tc.operation)
		for st, codes := range doc {
			assert.ElementsMatch(t, s.ErrorCodes(tc.operation, st), codes, "§%s: codes of %d", tc.section, st)
			if st == 500 {
				continue // §6's, not the endpoint's own
			}
			for _, c := range codes {
				all[c] = true
			}
		}
	}
	// §6 adds two codes that no endpoint's table lists: internal_error
	// (500, declared by every operation above) and not_found (404, for
	// a path that is neither endpoint, which openapi.yaml cannot
	// declare; its ErrorCode enum lists it).
	endpoints := len(all)
	for _, codes := range statusCodes(t, "6") {
		for _, c := range codes {
			assert.False(t, all[c], "§6's %s is an endpoint's code too", c)
			all[c] = true
		}
	}
	assert.Equal(t, endpoints+2, len(all), "§6 has two codes of its own")
	var want []protocol.ErrorCode
	for c := range all {
		want = append(want, c)
	}
	assert.ElementsMatch(t, protocol.ErrorCodes, want, "the codes of §3, §4 and §6 are protocol.ErrorCodes")
}

func TestCloseCodesAgreeWithSpec(t *testing.T) {
	t.Parallel()
	s, err := spec.Default()
	require.NoError(t, err)
	sec, ok := docs.Lookup("3.3")
	require.True(t, ok)
	var codes []int
	for _, m := range regexp.MustCompile(`(?m)^\| ([0-9]{4}) \|`).FindAllStringSubmatch(sec.Body, -1) {
		c, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		codes = append(codes, c)
	}
	assert.Equal(t, protocol.CloseCodes, codes, "§3.3's close codes are protocol.CloseCodes")
	assert.Equal(t, s.CloseCodes(), codes, "§3.3's close codes are asyncapi.yaml's x-close-codes")
}

// TestLimitsAgreeWithCode holds the limits the page states to the
// constants the mock, the client and the suite use.
func TestLimitsAgreeWithCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		section, text string
	}{
		{"3.1", "it matches `" + protocol.SessionIDPattern.String() + "`"},
		{"3.2", fmt.Sprintf("more than %d KiB", protocol.MaxClientFrame>>10)},
		{"3.3", fmt.Sprintf("the mock holds %d", protocol.DefaultQueueSize)},
		{"4", fmt.Sprintf("at most %d KiB", protocol.MaxPushBody>>10)},
		{"4", fmt.Sprintf("at most %d deep", protocol.MaxNesting)},
		{"5", fmt.Sprintf("is deeper than %d", pattern.MaxDepth)},
		{"5", fmt.Sprintf("is longer than %d KiB", pattern.MaxSize>>10)},
	} {
		s, ok := docs.Lookup(tc.section)
		require.True(t, ok, tc.section)
		assert.Contains(t, strings.Join(strings.Fields(s.Body), " "), tc.text, "§%s", tc.section)
	}
}

// TestConcurrentUse holds the package to its # Concurrency note: calls
// from many goroutines at once (run with -race), and a caller's change
// to what it got reaches no other caller.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	want := docs.Sections()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got := docs.Sections()
			got[0].Title = "changed"
			p := docs.Protocol()
			p[0] = 'X'
			_, _ = docs.Lookup("5")
			_ = docs.Cited("docs/protocol.md §3.1, §4")
		})
	}
	wg.Wait()
	assert.Equal(t, want, docs.Sections())
	assert.Equal(t, byte('#'), docs.Protocol()[0])
}
