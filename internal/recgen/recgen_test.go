package recgen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// committedFile is the default recording, relative to this package.
var committedFile = filepath.Join("..", "..", "mockserver", "recordings", "default.jsonl")

const regenerate = "go run ./internal/recgen/cmd/recgen -o mockserver/recordings/default.jsonl"

// write returns what Write writes for opts.
func write(t *testing.T, opts Options) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Write(&b, opts))
	return b.Bytes()
}

// event is a decoded event of a recording: one of the two pointers is set.
type event struct {
	st *protocol.SalesTrigger
	ni *protocol.NewsItem
}

// decode decodes an event strictly: a field the spec types lack is an
// error, so the generator emits only what the schemas describe.
func decode(t *testing.T, raw json.RawMessage) event {
	t.Helper()
	var k struct{ Kind string }
	require.NoError(t, json.Unmarshal(raw, &k))
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	switch k.Kind {
	case protocol.KindSalesTrigger:
		var st protocol.SalesTrigger
		require.NoError(t, dec.Decode(&st), "%s", raw)
		return event{st: &st}
	case protocol.KindNewsItem:
		var ni protocol.NewsItem
		require.NoError(t, dec.Decode(&ni), "%s", raw)
		return event{ni: &ni}
	}
	require.Failf(t, "unknown kind", "%s", raw)
	return event{}
}

func TestWriteIsDeterministic(t *testing.T) {
	cases := []struct {
		name string
		a, b Options
		same bool
	}{
		{"zero options twice", Options{}, Options{}, true},
		{"zero options and spelled-out defaults", Options{}, Options{Seed: 0, Events: DefaultEvents, Duration: DefaultDuration, Start: DefaultStart}, true},
		{"same seed", Options{Seed: 42, Events: 300}, Options{Seed: 42, Events: 300}, true},
		{"different seeds", Options{Seed: 1}, Options{Seed: 2}, false},
		{"seed 0 and seed 1", Options{}, Options{Seed: 1}, false},
		{"different starts", Options{}, Options{Start: DefaultStart.Add(time.Hour)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := write(t, c.a), write(t, c.b)
			if c.same {
				assert.Equal(t, a, b)
			} else {
				assert.NotEqual(t, a, b)
			}
		})
	}
}

func TestGenerateShape(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"defaults", Options{}},
		{"seed 7", Options{Seed: 7}},
		{"negative seed", Options{Seed: -12345}},
		{"longer", Options{Seed: 3, Events: 900, Duration: 20 * time.Minute}},
		{"other start", Options{Seed: 9, Start: time.Date(2027, time.March, 31, 23, 55, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts.withDefaults()
			lines := Generate(c.opts)
			require.Len(t, lines, o.Events)
			assert.GreaterOrEqual(t, len(lines), 500)

			first, last := lines[0].OffsetMs, lines[len(lines)-1].OffsetMs
			assert.Less(t, first, int64(1000), "first offset near 0")
			assert.LessOrEqual(t, last, o.Duration.Milliseconds())
			assert.Greater(t, last, o.Duration.Milliseconds()-2000, "last offset near Duration")
			assert.GreaterOrEqual(t, time.Duration(last-first)*time.Millisecond, 10*time.Minute)

			types := map[string]int{}
			orgs := map[string]int{}
			ids := map[string]bool{}
			news, bursts := 0, 0
			for i, l := range lines {
				if i > 0 {
					require.GreaterOrEqual(t, l.OffsetMs, lines[i-1].OffsetMs, "offsets of lines %d and %d", i, i+1)
				}
				if i >= 2 && l.OffsetMs-lines[i-2].OffsetMs <= 10 {
					bursts++ // three events within 10 ms
				}
				day := o.Start.Add(time.Duration(l.OffsetMs) * time.Millisecond).UTC().Format(dateLayout)
				ev := decode(t, l.Event)
				switch {
				case ev.st != nil:
					st := ev.st
					types[st.Type]++
					orgs[st.Org]++
					assert.Equal(t, o.Start.UnixMilli()+l.OffsetMs, st.At, "at of %s", st.ID)
					assert.Equal(t, day, st.Date, "date of %s", st.ID)
					assert.False(t, ids[st.ID], "duplicate id %s", st.ID)
					ids[st.ID] = true
					checkTrigger(t, st)
				default:
					ni := ev.ni
					news++
					assert.Equal(t, day, ni.Date, "date of %s", ni.UID)
					assert.False(t, ids[ni.UID] || ids["eid:"+ni.EID], "duplicate uid or eid %s %s", ni.UID, ni.EID)
					ids[ni.UID], ids["eid:"+ni.EID] = true, true
					checkNews(t, ni)
				}
			}
			for _, tt := range protocol.TriggerTypes {
				assert.GreaterOrEqual(t, types[tt.Type], 20, "%s triggers", tt.Type)
			}
			assert.InDelta(t, 0.3, float64(news)/float64(len(lines)), 0.01, "share of news items")
			assert.GreaterOrEqual(t, bursts, 5, "bursts of three events within 10 ms")
			for _, name := range []string{"IBM", "Siemens AG", "Deutsche Bank", "SAP SE"} {
				assert.GreaterOrEqual(t, orgs[name], len(lines)/50, "triggers about %s", name)
			}
			assert.GreaterOrEqual(t, len(orgs), 40, "organisations with triggers")
		})
	}
}

// checkTrigger checks what each Sales Trigger type carries.
func checkTrigger(t *testing.T, st *protocol.SalesTrigger) {
	t.Helper()
	assert.Regexp(t, `^st-\d{8}-\d{4,}$`, st.ID)
	assert.NotEmpty(t, st.Source, st.ID)
	assert.NotEmpty(t, st.Loc.City, st.ID)
	assert.NotEmpty(t, st.Loc.Region, st.ID)
	switch st.Type {
	case protocol.TypeJobMove:
		require.NotNil(t, st.Employee, st.ID)
		assert.NotEmpty(t, st.Employee.OldOrganisation, st.ID)
		assert.NotEqual(t, st.Org, st.Employee.OldOrganisation, st.ID)
		assert.NotEmpty(t, st.Employee.OldJobTitle, st.ID)
		assert.JSONEq(t, string(infoOf(findOrg(t, st.Employee.OldOrganisation))), string(st.OrgFromInfo), st.ID)
		assert.JSONEq(t, string(infoOf(findOrg(t, st.Org))), string(st.OrgToInfo), st.ID)
	case protocol.TypeLocationMove:
		require.NotNil(t, st.Employee, st.ID)
		assert.Equal(t, st.Loc.City, st.Employee.City, st.ID)
	case protocol.TypeJobJoin, protocol.TypeJobLeave, protocol.TypePersonMention, protocol.TypeQuote:
		require.NotNil(t, st.Employee, st.ID)
	case protocol.TypeArticle, protocol.TypeBrand:
		assert.Nil(t, st.Employee, st.ID)
	}
	if e := st.Employee; e != nil {
		assert.Equal(t, e.FirstName+" "+e.LastName, e.Name, st.ID)
		assert.Equal(t, st.Org, e.Organisation, st.ID)
		assert.NotEmpty(t, e.Title, st.ID)
		assert.NotEmpty(t, e.City, st.ID)
	}
}

// checkNews checks the parts of a News Item.
func checkNews(t *testing.T, ni *protocol.NewsItem) {
	t.Helper()
	assert.Regexp(t, `^ni-[0-9a-f]{12,}$`, ni.UID)
	assert.Regexp(t, `^https://[a-z0-9]+\.example\.com/[a-z]+/\d{4}/\d{2}/\d{2}/[a-z0-9-]+$`, ni.URL)
	for _, s := range []string{ni.Headline, ni.SubHeadline, ni.Abstract, ni.Author, ni.Source} {
		assert.NotEmpty(t, s, ni.UID)
		assert.NotContains(t, s, "{", ni.UID)
	}
	assert.GreaterOrEqual(t, len(ni.Annotations), 3, ni.UID)
	require.NotEmpty(t, ni.Entities, ni.UID)
	assert.Equal(t, "organisation", ni.Entities[0].Type, ni.UID)
	for _, e := range ni.Entities {
		assert.Contains(t, []string{"organisation", "person", "location"}, e.Type, ni.UID)
		assert.NotEmpty(t, e.Value, ni.UID)
		assert.True(t, e.Relevance >= 0 && e.Relevance <= 1, "relevance %v in %s", e.Relevance, ni.UID)
		assert.InDelta(t, e.Relevance, float64(int(e.Relevance*100+0.5))/100, 1e-9, "two decimals in %s", ni.UID)
	}
	for _, q := range ni.Quotations {
		assert.NotEmpty(t, q.SpeakerName, ni.UID)
		assert.NotEmpty(t, q.SpeakerTitle, ni.UID)
		assert.NotEmpty(t, q.SpeakerOrganization, ni.UID)
		assert.NotContains(t, q.Quotation, "{", ni.UID)
	}
}

func findOrg(t *testing.T, name string) *org {
	t.Helper()
	for i := range orgs {
		if orgs[i].Name == name {
			return &orgs[i]
		}
	}
	require.Failf(t, "not in the catalogue", "%q", name)
	return nil
}

func TestEventsValidateAgainstSpec(t *testing.T) {
	s, err := spec.Default()
	require.NoError(t, err)
	for _, opts := range []Options{{}, {Seed: 11, Events: 400}} {
		for i, l := range Generate(opts) {
			frame := protocol.AppendTriggerFrame(nil, uint64(i+1), l.Event)
			assert.NoError(t, s.ValidateFrame(frame), "seed %d, line %d: %s", opts.Seed, i+1, l.Event)
		}
	}
}

func TestWriteFormat(t *testing.T) {
	out := write(t, Options{})
	assert.True(t, utf8.Valid(out))
	assert.NotContains(t, string(out), `\u00`, "no escaped non-ASCII or HTML characters")
	assert.Contains(t, string(out), "Procter & Gamble")
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	require.Len(t, lines, DefaultEvents)
	nonASCII := 0
	for i, line := range lines {
		var l protocol.RecordingLine
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&l), "line %d", i+1)
		assert.True(t, strings.HasPrefix(line, `{"offsetMs":`), "line %d", i+1)
		if strings.Contains(line, `"name":"`) && !isASCII(line) {
			nonASCII++
		}
	}
	assert.Greater(t, nonASCII, 20, "lines with non-ASCII names")
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// TestCommittedRecording keeps the committed recording equal to what the
// generator produces, so neither drifts from the other.
func TestCommittedRecording(t *testing.T) {
	got, err := os.ReadFile(committedFile)
	if err != nil {
		t.Fatalf("reading the committed recording: %v\nmake it from the module root with:\n\t%s", err, regenerate)
	}
	want := write(t, Options{})
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	n := 0
	for n < min(len(gotLines), len(wantLines)) && bytes.Equal(gotLines[n], wantLines[n]) {
		n++
	}
	t.Fatalf("mockserver/recordings/default.jsonl differs from the generator's output from line %d on "+
		"(%d lines committed, %d generated).\nIf the generator changed on purpose, regenerate the file from the module root with:\n\t%s\nor\n\tgo generate ./internal/recgen",
		n+1, len(gotLines)-1, len(wantLines)-1, regenerate)
}
