package docs_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMarkdownLinksResolve checks every relative link of every tracked
// Markdown file, as a fresh clone has them: the file or folder it names
// is tracked, and an #anchor is a heading (GitHub's slug) or an <a id>
// of the target.
func TestMarkdownLinksResolve(t *testing.T) {
	t.Parallel()
	tree := repositoryTree(t, "..")
	problems := brokenLinks(tree)
	assert.Empty(t, problems, "broken Markdown links:\n%s", strings.Join(problems, "\n"))
}

// repoTree is the files of a checkout: every file's content by its
// slash-separated path from the root (Markdown files only; the others
// map to nil, as only their presence matters).
type repoTree map[string][]byte

// repositoryTree lists the files git tracks under root, so that a file
// left untracked in a working copy does not hide a link that a fresh
// clone breaks; outside a git checkout it walks root, skipping
// node_modules and .git.
func repositoryTree(t *testing.T, root string) repoTree {
	t.Helper()
	var names []string
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err == nil {
		for n := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
			names = append(names, n)
		}
	} else {
		t.Logf("git ls-files: %v; walking the folder instead", err)
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				rel, err := filepath.Rel(root, p)
				if err != nil {
					return err
				}
				names = append(names, filepath.ToSlash(rel))
			}
			return nil
		})
		require.NoError(t, err)
	}
	tree := repoTree{}
	for _, n := range names {
		tree[n] = nil
		if strings.HasSuffix(n, ".md") {
			b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(n)))
			if os.IsNotExist(err) {
				delete(tree, n) // deleted in the working copy, not yet in git
				continue
			}
			require.NoError(t, err)
			tree[n] = b
		}
	}
	require.Contains(t, tree, "README.md", "the listing works")
	return tree
}

// isDir reports whether the tree holds files under dir.
func (tr repoTree) isDir(dir string) bool {
	if dir == "." {
		return true
	}
	for n := range tr {
		if strings.HasPrefix(n, dir+"/") {
			return true
		}
	}
	return false
}

var (
	// inlineLink is [text](target) or ![alt](target); the target may be
	// in angle brackets and be followed by a title.
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+"[^"]*")?\s*\)`)
	// refLink is a link reference definition: [label]: target
	refLink = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*(\S+)`)
	// htmlLink is an href in raw HTML.
	htmlLink  = regexp.MustCompile(`<a\s[^>]*href="([^"]*)"`)
	codeSpan  = regexp.MustCompile("`+[^`]*`+")
	urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	atxHead   = regexp.MustCompile(`^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	htmlID    = regexp.MustCompile(`<a\s[^>]*(?:id|name)="([^"]+)"`)
)

// brokenLinks returns one line per link of a Markdown file of tree that
// a fresh clone would not resolve: "FILE:LINE: TARGET: why".
func brokenLinks(tree repoTree) []string {
	var problems []string
	anchors := map[string]map[string]bool{}
	for file, content := range tree {
		if content == nil {
			continue
		}
		for _, l := range markdownLinks(content) {
			if why := resolve(tree, anchors, file, l.target); why != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", file, l.line, l.target, why))
			}
		}
	}
	return problems
}

type link struct {
	line   int
	target string
}

// markdownLinks returns the link targets of a Markdown document, outside
// fenced code blocks and code spans.
func markdownLinks(doc []byte) []link {
	var out []link
	fenced := false
	for i, line := range strings.Split(string(doc), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		line = codeSpan.ReplaceAllString(line, "")
		for _, re := range []*regexp.Regexp{inlineLink, refLink, htmlLink} {
			for _, m := range re.FindAllStringSubmatch(line, -1) {
				out = append(out, link{i + 1, strings.Trim(m[1], "<>")})
			}
		}
	}
	return out
}

// resolve says why target, linked from file, does not resolve in tree,
// or "" when it does. Addresses with a scheme (https:, mailto:) are not
// checked.
func resolve(tree repoTree, anchors map[string]map[string]bool, file, target string) string {
	if target == "" || urlScheme.MatchString(target) {
		return ""
	}
	p, frag, _ := strings.Cut(target, "#")
	dest := file
	if p != "" {
		if strings.HasPrefix(p, "/") {
			return "an absolute path does not resolve on a forge or in a clone"
		}
		dest = path.Clean(path.Join(path.Dir(file), p))
		if dest == ".." || strings.HasPrefix(dest, "../") {
			return "outside the repository"
		}
		if _, ok := tree[dest]; !ok {
			if tree.isDir(strings.TrimSuffix(dest, "/")) {
				return ""
			}
			return "no such tracked file or folder"
		}
	}
	if frag == "" || !strings.HasSuffix(dest, ".md") {
		return ""
	}
	ids, ok := anchors[dest]
	if !ok {
		ids = markdownAnchors(tree[dest])
		anchors[dest] = ids
	}
	if !ids[frag] {
		return fmt.Sprintf("no anchor #%s in %s", frag, dest)
	}
	return ""
}

// markdownAnchors returns the anchors of a document as GitHub makes
// them: a slug per heading (a repeated one numbered -1, -2, ...) and
// the id or name of every <a> tag.
func markdownAnchors(doc []byte) map[string]bool {
	ids := map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for line := range bytes.Lines(doc) {
		s := strings.TrimRight(string(line), "\n")
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range htmlID.FindAllStringSubmatch(s, -1) {
			ids[m[1]] = true
		}
		if m := atxHead.FindStringSubmatch(s); m != nil {
			slug := headingSlug(m[1])
			if n := seen[slug]; n > 0 {
				ids[fmt.Sprintf("%s-%d", slug, n)] = true
			} else {
				ids[slug] = true
			}
			seen[slug]++
		}
	}
	return ids
}

var mdLinkText = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)

// headingSlug is GitHub's anchor for a heading: its text (link targets
// and HTML tags dropped) in lower case, with every character but
// letters, digits, spaces, hyphens and underscores removed and the
// spaces made hyphens.
func headingSlug(heading string) string {
	text := mdLinkText.ReplaceAllString(heading, "$1")
	text = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(text, "")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestHeadingSlug(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ heading, want string }{
		{"Exit statuses, interruptions and the environment", "exit-statuses-interruptions-and-the-environment"},
		{"What each subscription costs (`memory.sh`)", "what-each-subscription-costs-memorysh"},
		{"3. Join: `GET /api/v1/websocket`", "3-join-get-apiv1websocket"},
		{"Clock skew, and a [barrier](x.md) instead", "clock-skew-and-a-barrier-instead"},
		{"Größe und Ärger", "größe-und-ärger"},
		{"snake_case  two spaces", "snake_case--two-spaces"},
	} {
		assert.Equal(t, tc.want, headingSlug(tc.heading), tc.heading)
	}
}

// TestBrokenLinks runs the checker on a small tree with a link of every
// kind, resolving and broken.
func TestBrokenLinks(t *testing.T) {
	t.Parallel()
	tree := repoTree{
		"README.md": []byte("# Title\n\n## Set-up\n\n" +
			"[ok](docs/a.md) [ok](docs/a.md#section-1) [ok](#set-up) [ok](docs/) [ok](spec/x.yaml#/paths)\n" +
			"[web](https://example.com/x.md#nothing) ![img](docs/pic.png \"a picture\")\n" +
			"[gone](../shared/PROTOCOL.md) [gone](docs/b.md) [gone](docs/a.md#section-9) [gone](#setup)\n" +
			"`[code](nowhere.md)`\n```\n[fenced](nowhere.md)\n```\n" +
			"[ref]: docs/missing.md\n<a href=\"docs/a.md#heading\">html</a>\n"),
		"docs/a.md":    []byte("<a id=\"section-1\"></a>\n## 1. One\n\n# Heading\n\n[up](../README.md#title)\n"),
		"docs/pic.png": nil,
		"spec/x.yaml":  nil,
	}
	assert.ElementsMatch(t, []string{
		"README.md:7: ../shared/PROTOCOL.md: outside the repository",
		"README.md:7: docs/b.md: no such tracked file or folder",
		"README.md:7: docs/a.md#section-9: no anchor #section-9 in docs/a.md",
		"README.md:7: #setup: no anchor #setup in README.md",
		"README.md:12: docs/missing.md: no such tracked file or folder",
	}, brokenLinks(tree))
}
