package contract_test

import (
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/docs"
)

// citationRE is the form of a check's Section: the in-repository
// protocol reference and one or more of its section numbers.
var citationRE = regexp.MustCompile(`^` + regexp.QuoteMeta(docs.ProtocolPath) + ` §[0-9]+(\.[0-9]+)*(, §[0-9]+(\.[0-9]+)*)*$`)

// notChecked lists the numbered sections of docs/protocol.md that no
// check of the catalogue cites, each with the reason. A section leaves
// this list when a check cites it.
var notChecked = map[string]string{
	"1": "background: it quotes the API's original description and states no rule of its own",
	"8": "recordings are wstrigger's own input format for the mock and output of record, not part of the API a server implements",
}

// TestCitationsResolve ties the catalogue to the protocol reference:
// every section a check cites is a numbered section of the document (so
// a report's link to it lands), and every numbered section is cited by
// a check or listed in notChecked with its reason.
func TestCitationsResolve(t *testing.T) {
	t.Parallel()
	citedBy := map[string][]string{}
	for _, c := range contract.Checks() {
		if !assert.Regexp(t, citationRE, c.Section, c.ID) {
			continue
		}
		for _, n := range docs.Cited(c.Section) {
			_, ok := docs.Lookup(n)
			assert.True(t, ok, "%s cites §%s, which %s lacks", c.ID, n, docs.ProtocolPath)
			citedBy[n] = append(citedBy[n], c.ID)
		}
	}
	sections := docs.Sections()
	require.NotEmpty(t, sections)
	numbers := map[string]bool{}
	for _, s := range sections {
		numbers[s.Number] = true
		reason, listed := notChecked[s.Number]
		switch {
		case len(citedBy[s.Number]) > 0 && listed:
			t.Errorf("§%s %s is cited by %v: remove it from notChecked", s.Number, s.Title, citedBy[s.Number])
		case len(citedBy[s.Number]) == 0 && !listed:
			t.Errorf("§%s %s is cited by no check: add a check, or list it in notChecked with the reason", s.Number, s.Title)
		case listed:
			assert.NotEmpty(t, reason, "§%s: the reason it is not checked", s.Number)
		}
	}
	var stale []string
	for n := range notChecked {
		if !numbers[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(stale)
	assert.Empty(t, stale, "notChecked lists sections the document lacks")
}
