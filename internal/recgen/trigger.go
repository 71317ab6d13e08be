package recgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// generator draws events from one random sequence; it numbers them in the
// order drawn.
type generator struct {
	r       *rand.Rand
	startMs int64 // Options.Start in ms since the epoch
	nST     int   // Sales Triggers drawn so far
	nNI     int   // News Items drawn so far
	eid     int64 // the last News Item eid
}

// orgInfo is an organisation as orgFromInfo and orgToInfo describe it.
type orgInfo struct {
	Name     string `json:"name"`
	City     string `json:"city"`
	Country  string `json:"country"`
	Industry string `json:"industry"`
}

func infoOf(o *org) json.RawMessage {
	return marshal(orgInfo{Name: o.Name, City: o.HQ.City, Country: o.HQ.Country, Industry: o.Industry})
}

func locOf(p place) protocol.Location {
	return protocol.Location{Country: p.Country, State: p.State, City: p.City, Region: p.Region}
}

func typeName(typ string) string {
	for _, tt := range protocol.TriggerTypes {
		if tt.Type == typ {
			return tt.Name
		}
	}
	return typ
}

// salesTrigger draws a Sales Trigger of type typ about o, offsetMs after
// the start.
func (g *generator) salesTrigger(typ string, o *org, offsetMs int64) protocol.SalesTrigger {
	at := g.startMs + offsetMs
	t := time.UnixMilli(at).UTC()
	g.nST++
	st := protocol.SalesTrigger{
		Kind:     protocol.KindSalesTrigger,
		ID:       fmt.Sprintf("st-%s-%04d", t.Format(idLayout), g.nST),
		At:       at,
		Date:     t.Format(dateLayout),
		Type:     typ,
		TypeName: typeName(typ),
		Org:      o.Name,
		Loc:      locOf(o.HQ),
	}
	switch typ {
	case protocol.TypeJobJoin, protocol.TypeJobLeave:
		st.Source = g.jobSource(o)
		st.Employee = g.employee(o, g.workplace(o), pick(g.r, roles).Title)
		st.Employee.URL = g.profileURL(st.Employee.Name)
	case protocol.TypeJobMove:
		old := g.otherOrg(o)
		rl := pick(g.r, roles)
		st.Source = g.jobSource(o)
		st.Employee = g.employee(o, g.workplace(o), rl.Title)
		st.Employee.OldJobTitle = rl.Previous
		st.Employee.OldOrganisation = old.Name
		st.Employee.URL = g.profileURL(st.Employee.Name)
		st.OrgFromInfo, st.OrgToInfo = infoOf(old), infoOf(o)
	case protocol.TypeLocationMove:
		from := g.workplace(o)
		to := g.office(from, g.r.IntN(2) == 0)
		st.Source = pick(g.r, []string{"linkedin.com", "linkedin.com", "company website"})
		st.Employee = g.employee(o, from, pick(g.r, roles).Title)
		st.Employee.Country, st.Employee.City = to.Country, to.City
		st.Loc = locOf(to)
	case protocol.TypePersonMention:
		st.Source = g.publicationFor(o).Domain
		if g.r.IntN(2) == 0 {
			st.Employee = g.employee(o, o.HQ, pick(g.r, execTitles))
		} else {
			st.Employee = g.employee(o, g.workplace(o), pick(g.r, roles).Title)
		}
	case protocol.TypeQuote:
		st.Source = g.publicationFor(o).Domain
		st.Employee = g.employee(o, o.HQ, pick(g.r, execTitles))
	case protocol.TypeArticle:
		st.Source = g.publicationFor(o).Domain
	case protocol.TypeBrand:
		st.Source = pick(g.r, brandSources)
		if g.r.IntN(4) == 0 {
			st.Source = g.publicationFor(o).Domain
		}
	}
	return st
}

// employee draws a person with title at o, working at wp.
func (g *generator) employee(o *org, wp place, title string) *protocol.Employee {
	p := g.personIn(wp.Country)
	return &protocol.Employee{
		Name:         p.Name(),
		FirstName:    p.First,
		LastName:     p.Last,
		Title:        title,
		Organisation: o.Name,
		Country:      wp.Country,
		City:         wp.City,
	}
}

// profileURL makes up the address of a profile page of name.
func (g *generator) profileURL(name string) string {
	return fmt.Sprintf("https://profiles.example.com/in/%s-%04x", slug(name, 6), g.r.IntN(1<<16))
}
