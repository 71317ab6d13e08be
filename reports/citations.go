package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/docs"
)

// Where a report's citations ("docs/protocol.md §3.1") lead. An HTML
// page carries the text of every section its checks cite, in an
// appendix, so that it stands alone when mailed or archived, and links
// each citation there; the appendix and Markdown reports, which are
// read on a forge or in a CI summary where an embedded text would not
// render, link the document in the repository (docs.ProtocolURL).

// citedSection matches a section number in a citation.
var citedSection = regexp.MustCompile(`§([0-9]+(?:\.[0-9]+)*)`)

// linkCitation returns citation with every section number the document
// has written by link(number, "§number"), and the rest by text; a
// number the document lacks stays text.
func linkCitation(citation string, text func(string) string, link func(number, label string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range citedSection.FindAllStringSubmatchIndex(citation, -1) {
		number := citation[m[2]:m[3]]
		if _, ok := docs.Lookup(number); !ok {
			continue
		}
		b.WriteString(text(citation[last:m[0]]))
		b.WriteString(link(number, citation[m[0]:m[1]]))
		last = m[1]
	}
	b.WriteString(text(citation[last:]))
	return b.String()
}

// repositoryLink is the address of a section in the repository's copy
// of the document.
func repositoryLink(number string) string { return docs.ProtocolURL + "#" + docs.Anchor(number) }

// mdCitation is a citation for a Markdown table cell, its sections
// linked to the repository's document.
func mdCitation(citation string) string {
	return linkCitation(mdCell(citation), func(s string) string { return s }, func(number, label string) string {
		return "[" + label + "](" + repositoryLink(number) + ")"
	})
}

// junitRule is the first line of a failure's text in JUnit XML: the
// citation and the address of each section it cites, which CI viewers
// show as links. It is empty for a citation of no known section.
func junitRule(citation string) string {
	var urls []string
	for _, n := range docs.Cited(citation) {
		if _, ok := docs.Lookup(n); ok {
			urls = append(urls, repositoryLink(n))
		}
	}
	if len(urls) == 0 {
		return ""
	}
	return "rule: " + citation + " (" + strings.Join(urls, ", ") + ")\n"
}

// htmlCitation is a citation for an HTML page whose appendix holds the
// cited sections under their anchors.
func htmlCitation(citation string) template.HTML {
	return template.HTML(linkCitation(citation, template.HTMLEscapeString, func(number, label string) string { //nolint:gosec // escaped text and our own anchors
		return `<a href="#` + docs.Anchor(number) + `">` + template.HTMLEscapeString(label) + `</a>`
	}))
}

// htmlSection is a cited section of the protocol reference, as the HTML
// appendix shows it.
type htmlSection struct {
	Number, Title, Anchor, URL string
	Body                       template.HTML
}

// docLink matches the target of a Markdown link of the document.
var docLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// urlScheme matches a link target that is an address (https:, mailto:).
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// appendixLink is where a link of the document leads from the HTML
// appendix, which holds the sections cited: a section on the page stays
// there; another section, and a file of the repository (../spec/), lead
// to the repository.
func appendixLink(target string, cited map[string]bool) string {
	if n, ok := strings.CutPrefix(target, "#section-"); ok && cited[n] {
		return target
	}
	switch {
	case urlScheme.MatchString(target):
		return target
	case strings.HasPrefix(target, "#"):
		return docs.ProtocolURL + target
	default:
		return docs.RepositoryURL + path.Join(path.Dir(docs.ProtocolPath), target)
	}
}

var sectionMarkdown = goldmark.New(goldmark.WithExtensions(extension.Table))

// citedSections returns the sections of the protocol reference that
// results cite, in the document's order, rendered for the appendix. In
// their text, a link to a section the appendix holds stays on the page,
// and any other link leads to the repository (appendixLink).
func citedSections(results []contractreport.Result) ([]htmlSection, error) {
	cited := map[string]bool{}
	for _, r := range results {
		for _, n := range docs.Cited(r.Section) {
			cited[n] = true
		}
	}
	var out []htmlSection
	for _, s := range docs.Sections() {
		if !cited[s.Number] {
			continue
		}
		body := docLink.ReplaceAllStringFunc(s.Body, func(m string) string {
			return "](" + appendixLink(docLink.FindStringSubmatch(m)[1], cited) + ")"
		})
		var buf bytes.Buffer
		if err := sectionMarkdown.Convert([]byte(body), &buf); err != nil {
			return nil, fmt.Errorf("reports: protocol §%s: %w", s.Number, err)
		}
		out = append(out, htmlSection{Number: s.Number, Title: s.Title, Anchor: s.Anchor, URL: repositoryLink(s.Number),
			Body: template.HTML(buf.String())}) //nolint:gosec // our own document, raw HTML left out by goldmark
	}
	return slices.Clip(out), nil
}
