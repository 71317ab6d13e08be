package recgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// newsItem draws a News Item about o, offsetMs after the start.
func (g *generator) newsItem(o *org, offsetMs int64) protocol.NewsItem {
	t := time.UnixMilli(g.startMs + offsetMs).UTC()
	g.nNI++
	g.eid += 1 + int64(g.r.IntN(37))
	tp := &topics[g.r.IntN(len(topics))]
	pub := g.publicationFor(o)
	other := g.otherOrg(o)
	office := g.office(o.HQ, g.r.IntN(2) == 0)
	rl := pick(g.r, roles)
	voc := sectors[sectorOf[o.Industry]]
	var who person // the person a Leadership story is about
	if tp.Person {
		who = g.personIn(o.HQ.Country)
	}
	fill := strings.NewReplacer(
		"{org}", o.Name, "{short}", o.Short, "{city}", o.HQ.City, "{country}", o.HQ.Country,
		"{region}", o.HQ.Region, "{other}", other.Short, "{otherFull}", other.Name,
		"{place}", office.City, "{person}", who.Name(), "{title}", rl.Title, "{prev}", rl.Previous,
		"{pct}", strconv.Itoa(2+g.r.IntN(27)), "{n}", grouped(40+10*g.r.IntN(250)),
		"{n2}", strconv.Itoa(3+g.r.IntN(5)), "{amount}", g.money(o.HQ.Country),
		"{quarter}", lastQuarter(t), "{year1}", strconv.Itoa(t.Year()+1),
		"{yearFar}", strconv.Itoa(t.Year()+10+g.r.IntN(5)),
		"{tech}", pick(g.r, voc.techs), "{facility}", pick(g.r, facilities),
		"{product}", pick(g.r, voc.products), "{segment}", pick(g.r, voc.segments),
	).Replace

	st := pick(g.r, tp.Stories)
	headline := fill(st.Headline)
	ni := protocol.NewsItem{
		Kind:        protocol.KindNewsItem,
		UID:         fmt.Sprintf("ni-%08x%04x", g.r.Uint32(), g.nNI),
		EID:         strconv.FormatInt(g.eid, 10),
		Headline:    headline,
		SubHeadline: fill(st.Sub),
		Abstract:    fill(st.Abstract),
		URL:         fmt.Sprintf("https://%s/%s/%s/%s", pub.Host(), tp.Section, t.Format("2006/01/02"), slug(headline, 9)),
		Date:        t.Format(dateLayout),
		Author:      g.personIn(pub.countryOrDefault()).Name(),
		Source:      pub.Name,
		Annotations: []protocol.Annotation{
			{Kind: "industry", Label: o.Industry},
			{Kind: "topic", Label: tp.Label},
			{Kind: "region", Label: o.HQ.Region},
		},
		Entities: []protocol.Entity{{Type: "organisation", Value: o.Name, Relevance: g.relevance(0.82, 0.99)}},
	}
	if g.r.IntN(3) == 0 {
		ni.Annotations = append(ni.Annotations, protocol.Annotation{Kind: "country", Label: o.HQ.Country})
	}
	text := ni.Headline + " " + ni.SubHeadline + " " + ni.Abstract
	if tp.Other || strings.Contains(text, other.Name) || strings.Contains(text, other.Short) {
		ni.Entities = append(ni.Entities, protocol.Entity{Type: "organisation", Value: other.Name, Relevance: g.relevance(0.45, 0.8)})
	}
	if tp.Person {
		ni.Entities = append(ni.Entities, protocol.Entity{Type: "person", Value: who.Name(), Relevance: g.relevance(0.6, 0.9)})
	}
	if g.r.IntN(5) > 0 {
		speaker := g.personIn(o.HQ.Country)
		ni.Quotations = append(ni.Quotations, protocol.Quotation{
			SpeakerName: speaker.Name(), SpeakerTitle: pick(g.r, tp.Speakers),
			SpeakerOrganization: o.Name, Quotation: fill(pick(g.r, tp.Quotes)),
		})
		ni.Entities = append(ni.Entities, protocol.Entity{Type: "person", Value: speaker.Name(), Relevance: g.relevance(0.3, 0.7)})
	}
	if len(tp.OtherQuotes) > 0 && g.r.IntN(2) == 0 {
		q := protocol.Quotation{SpeakerName: who.Name(), SpeakerTitle: rl.Title, SpeakerOrganization: o.Name, Quotation: fill(pick(g.r, tp.OtherQuotes))}
		if tp.Other {
			speaker := g.personIn(other.HQ.Country)
			q = protocol.Quotation{SpeakerName: speaker.Name(), SpeakerTitle: pick(g.r, execTitles), SpeakerOrganization: other.Name, Quotation: q.Quotation}
			ni.Entities = append(ni.Entities, protocol.Entity{Type: "person", Value: speaker.Name(), Relevance: g.relevance(0.25, 0.6)})
		}
		ni.Quotations = append(ni.Quotations, q)
	}
	loc := o.HQ.City
	if strings.Contains(text, office.City) {
		loc = office.City
	}
	ni.Entities = append(ni.Entities, protocol.Entity{Type: "location", Value: loc, Relevance: g.relevance(0.15, 0.55)})
	return ni
}

// relevance draws an entity relevance in [lo, hi] with two decimals.
func (g *generator) relevance(lo, hi float64) float64 {
	return math.Round((lo+g.r.Float64()*(hi-lo))*100) / 100
}
