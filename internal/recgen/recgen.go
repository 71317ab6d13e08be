package recgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// Defaults of Options.
const (
	DefaultEvents   = 600
	DefaultDuration = 12 * time.Minute
)

// DefaultStart is when the default recording starts: its events' `at` is
// DefaultStart plus their offset.
var DefaultStart = time.Date(2026, time.November, 2, 9, 0, 0, 0, time.UTC)

// pcgStream is the second PCG seed word; Options.Seed is the first.
const pcgStream = 0x72656367656e // "recgen"

// newsShare is the share of News Items among the events.
const newsShare = 0.30

// Options says what to generate. The zero value yields the default
// recording.
type Options struct {
	// Seed selects the random sequence; the same Seed (and other options)
	// always yields the same recording. The default recording uses 0.
	Seed int64
	// Events is the number of events; zero or less means DefaultEvents.
	Events int
	// Duration is the span of the recording: the first event comes close
	// to offset 0, the last close to Duration. Zero or less means
	// DefaultDuration.
	Duration time.Duration
	// Start is the wall-clock time of offset 0, from which each event's
	// `at` and `date` (in UTC) follow. The zero value means DefaultStart.
	Start time.Time
}

func (o Options) withDefaults() Options {
	if o.Events <= 0 {
		o.Events = DefaultEvents
	}
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	return o
}

// Generate returns a recording: opts.Events lines in offset order, each
// event a protocol.SalesTrigger or protocol.NewsItem encoded as JSON.
func Generate(opts Options) []protocol.RecordingLine {
	o := opts.withDefaults()
	r := rand.New(rand.NewPCG(uint64(o.Seed), pcgStream))
	slots := timeline(r, o.Events, o.Duration)
	kinds := deck(r, o.Events)
	g := &generator{r: r, startMs: o.Start.UnixMilli(), eid: 5_512_000 + int64(r.IntN(40_000))}
	lines := make([]protocol.RecordingLine, len(slots))
	var burstOrg *org
	for i, s := range slots {
		o := g.pickOrg()
		if s.burst {
			if s.first {
				burstOrg = o
			}
			o = burstOrg
		}
		var ev any
		if kinds[i] == kindNews {
			ev = g.newsItem(o, s.offsetMs)
		} else {
			ev = g.salesTrigger(kinds[i], o, s.offsetMs)
		}
		lines[i] = protocol.RecordingLine{OffsetMs: s.offsetMs, Event: marshal(ev)}
	}
	return lines
}

// Write writes the recording Generate returns for opts to w as JSON Lines.
func Write(w io.Writer, opts Options) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, l := range Generate(opts) {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("recgen: write: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("recgen: write: %w", err)
	}
	return nil
}

// marshal encodes an event without HTML escaping, so "Procter & Gamble"
// stays readable in the file.
func marshal(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The events are plain structs of strings and numbers: an error
		// here is a bug in this package, not a condition to handle.
		panic("recgen: encode event: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// kindNews marks a News Item in a deck; the other entries are Sales
// Trigger types.
const kindNews = "news"

// typeWeights is how often each Sales Trigger type comes, in per mille of
// the Sales Triggers.
var typeWeights = map[string]int{
	protocol.TypeJobJoin:       160,
	protocol.TypeJobLeave:      120,
	protocol.TypeJobMove:       140,
	protocol.TypeLocationMove:  90,
	protocol.TypePersonMention: 120,
	protocol.TypeQuote:         100,
	protocol.TypeArticle:       150,
	protocol.TypeBrand:         120,
}

// deck returns n event kinds in random order: News Items at newsShare, the
// rest Sales Triggers split by typeWeights (largest remainder), so every
// seed gets the same mix.
func deck(r *rand.Rand, n int) []string {
	news := int(float64(n)*newsShare + 0.5)
	sales := n - news
	kinds := make([]string, 0, n)
	for range news {
		kinds = append(kinds, kindNews)
	}
	counts := make([]int, len(protocol.TriggerTypes))
	rems := make([]int, len(protocol.TriggerTypes))
	given := 0
	for i, tt := range protocol.TriggerTypes {
		q := sales * typeWeights[tt.Type]
		counts[i], rems[i] = q/1000, q%1000
		given += counts[i]
	}
	for ; given < sales; given++ {
		best := 0
		for i := range rems {
			if rems[i] > rems[best] {
				best = i
			}
		}
		counts[best]++
		rems[best] = -1
	}
	for i, tt := range protocol.TriggerTypes {
		for range counts[i] {
			kinds = append(kinds, tt.Type)
		}
	}
	r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	return kinds
}
