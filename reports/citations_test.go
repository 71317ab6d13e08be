package reports_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/docs"
	"github.com/wstrigger/wstrigger/reports"
)

// TestHTMLCitationsLinkTheAppendix holds the HTML page to standing
// alone: every citation links a section whose text the page carries,
// every link on the page that starts with # lands on an id of the page,
// and each appended section links its copy in the repository.
func TestHTMLCitationsLinkTheAppendix(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, sampleCheck(t)))
	page := buf.String()

	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		assert.False(t, ids[m[1]], "id %q twice", m[1])
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(page, -1) {
		assert.True(t, ids[m[1]], "the link to #%s lands nowhere on the page", m[1])
	}
	// sampleReport cites §3, §2, §3.1 and §4: the appendix holds them in
	// the document's order, and nothing else.
	var appended []string
	for _, m := range regexp.MustCompile(`<h3 id="(section-[0-9.]+)">`).FindAllStringSubmatch(page, -1) {
		appended = append(appended, m[1])
	}
	assert.Equal(t, []string{"section-2", "section-3", "section-3.1", "section-4"}, appended)
	assert.Contains(t, page, `<td><a href="#section-2">§2</a>`)
	assert.Contains(t, page, `<a href="`+docs.ProtocolURL+`#section-3.1">§3.1 in the repository</a>`)
	s, ok := docs.Lookup("4")
	require.True(t, ok)
	assert.Contains(t, page, "<h3 id=\"section-4\">§4 "+s.Title+"</h3>")
	assert.Contains(t, page, "<td><code>session_not_found</code></td>", "the section's table, rendered")
	assert.NotContains(t, page, `href="../`, "no relative link of the document is left to land nowhere")
	assert.Contains(t, page, `<a href="#section-4">§4</a>`, "§3.1 links §4, which the page holds")
	assert.Contains(t, page, `<a href="`+docs.ProtocolURL+`#section-5">§5</a>`, "§3 links §5, which the page lacks: the repository's")
}

func TestCitationRendering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, section, html, md string
	}{
		{"one", "docs/protocol.md §3",
			`docs/protocol.md <a href="#section-3">§3</a>`,
			"docs/protocol.md [§3](" + docs.ProtocolURL + "#section-3)"},
		{"two", "docs/protocol.md §3.1, §5",
			`docs/protocol.md <a href="#section-3.1">§3.1</a>, <a href="#section-5">§5</a>`,
			"docs/protocol.md [§3.1](" + docs.ProtocolURL + "#section-3.1), [§5](" + docs.ProtocolURL + "#section-5)"},
		{"a result of an older binary", "PROTOCOL.md §2",
			`PROTOCOL.md <a href="#section-2">§2</a>`,
			"PROTOCOL.md [§2](" + docs.ProtocolURL + "#section-2)"},
		{"a section the document lacks stays text", "docs/protocol.md §9 <b>",
			`docs/protocol.md §9 &lt;b&gt;`,
			`docs/protocol.md §9 <b>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := &contractreport.Report{SchemaVersion: contractreport.SchemaVersion, Target: "http://127.0.0.1:1",
				Results: []contractreport.Result{{Check: contractreport.Check{ID: "X-001", Title: "t", Group: "g", Level: contractreport.LevelMust, Section: tc.section}, Status: contractreport.StatusPass}}}
			rep.Summary = contractreport.Summary{Total: 1, Passed: 1}
			var h, m bytes.Buffer
			require.NoError(t, reports.CheckHTML(&h, reports.NewCheckResult(rep, nil)))
			assert.Contains(t, h.String(), "<td>"+tc.html+"</td>")
			require.NoError(t, reports.ContractMarkdown(&m, rep))
			assert.Contains(t, m.String(), "| "+tc.md+" |")
			if strings.Contains(tc.name, "lacks") {
				assert.NotContains(t, h.String(), `id="protocol"`, "no appendix without a section to show")
			}
		})
	}
}

// TestAppendixLinksLeadSomewhere renders a report that cites every
// section: no link of the appendix is left relative, since the page
// stands alone outside the repository.
func TestAppendixLinksLeadSomewhere(t *testing.T) {
	t.Parallel()
	var numbers []string
	for _, s := range docs.Sections() {
		numbers = append(numbers, "§"+s.Number)
	}
	rep := &contractreport.Report{SchemaVersion: contractreport.SchemaVersion, Target: "http://127.0.0.1:1",
		Results: []contractreport.Result{{Check: contractreport.Check{ID: "X-001", Title: "t", Group: "g", Level: contractreport.LevelMust,
			Section: docs.ProtocolPath + " " + strings.Join(numbers, ", ")}, Status: contractreport.StatusPass}}}
	var buf bytes.Buffer
	require.NoError(t, reports.CheckHTML(&buf, reports.NewCheckResult(rep, nil)))
	page := buf.String()
	hrefs := regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, hrefs)
	for _, m := range hrefs {
		h := m[1]
		assert.True(t, strings.HasPrefix(h, "#section-") || strings.HasPrefix(h, "#") || strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "data:"),
			"a link the page cannot follow: %s", h)
	}
	assert.True(t, strings.Contains(page, `href="`+docs.RepositoryURL+`spec/pattern"`), "§5's link to the Go package leads to the repository")
}
