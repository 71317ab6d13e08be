package docs

import (
	"bufio"
	"bytes"
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Where the document is: its path in the repository, which citations
// name, and its address there, which reports link. RepositoryURL is
// where a path of the repository's main branch is read on the web.
const (
	RepositoryURL = "https://github.com/wstrigger/wstrigger/blob/main/"
	ProtocolPath  = "docs/protocol.md"
	ProtocolURL   = RepositoryURL + ProtocolPath
)

//go:embed protocol.md
var protocol []byte

// Protocol returns the protocol reference as embedded in the binary. The
// caller owns the returned slice.
func Protocol() []byte { return bytes.Clone(protocol) }

// Section is one numbered section of the protocol reference.
type Section struct {
	Number string // "3.1"
	Title  string // "Frames from the server", without the number
	Level  int    // 2 for "## 1.", 3 for "### 3.1"
	// Anchor is the id of the section in the document ("section-3.1"):
	// ProtocolURL+"#"+Anchor links it.
	Anchor string
	// Heading is the section's heading line as written ("### 3.1 ...").
	Heading string
	// Body is the section's Markdown after its heading, up to the next
	// numbered section (so §3's body leaves out §3.1).
	Body string
}

// Markdown returns the section as it reads in the document: its heading
// and its body.
func (s Section) Markdown() string { return s.Heading + "\n\n" + s.Body }

// Anchor returns the id of the section numbered number.
func Anchor(number string) string { return "section-" + number }

var (
	anchorLine  = regexp.MustCompile(`^<a id="section-([0-9]+(?:\.[0-9]+)*)"></a>$`)
	headingLine = regexp.MustCompile(`^(#{2,3}) ([0-9]+(?:\.[0-9]+)*)\.? (.+)$`)
	citedNumber = regexp.MustCompile(`§([0-9]+(?:\.[0-9]+)*)`)
)

var sections = sync.OnceValue(func() []Section { return parseSections(protocol) })

// Sections returns the numbered sections of the protocol reference, in
// their order.
func Sections() []Section { return slices.Clone(sections()) }

// Lookup returns the section numbered number ("3.1"), and whether the
// document has it.
func Lookup(number string) (Section, bool) {
	for _, s := range sections() {
		if s.Number == number {
			return s, true
		}
	}
	return Section{}, false
}

// Cited returns the section numbers a citation names, in its order:
// "docs/protocol.md §3.1, §4" gives "3.1" and "4". Reports made before
// the document moved into the repository ("PROTOCOL.md §3") read the
// same way.
func Cited(citation string) []string {
	var out []string
	for _, m := range citedNumber.FindAllStringSubmatch(citation, -1) {
		out = append(out, m[1])
	}
	return out
}

// parseSections splits a document at its numbered sections. A numbered
// section is an anchor line <a id="section-N"></a> followed by its
// heading; the heading's number is taken as written, and a test holds
// it equal to the anchor's. Lines inside fenced code blocks are text.
func parseSections(doc []byte) []Section {
	var (
		out    []Section
		cur    *Section
		body   strings.Builder
		fenced bool
		anchor string // the anchor of the line before, if it was one
	)
	flush := func() {
		if cur != nil {
			cur.Body = strings.TrimSpace(body.String()) + "\n"
			out = append(out, *cur)
		}
		body.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced {
			if m := anchorLine.FindStringSubmatch(line); m != nil {
				anchor = m[1]
				continue
			}
			if m := headingLine.FindStringSubmatch(line); m != nil && anchor != "" {
				flush()
				cur = &Section{Number: m[2], Title: m[3], Level: len(m[1]), Anchor: Anchor(anchor), Heading: line}
				anchor = ""
				continue
			}
		}
		if anchor != "" { // an anchor line not followed by a heading is text
			body.WriteString(`<a id="section-` + anchor + `"></a>` + "\n")
			anchor = ""
		}
		if cur != nil {
			body.WriteString(line + "\n")
		}
	}
	flush()
	return out
}
