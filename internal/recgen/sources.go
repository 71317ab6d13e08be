package recgen

import (
	"slices"
	"strings"
)

// publication is a news outlet: where News Items appear and where mention
// triggers are found. Its Countries are its home market (none: global).
type publication struct {
	Name, Domain string
	Countries    []string
}

// Host is where the generated URLs of the publication point: a
// look-alike under example.com, so no URL leads to a real article.
func (p publication) Host() string {
	label, _, _ := strings.Cut(p.Domain, ".")
	return label + ".example.com"
}

// countryOrDefault is the home country of the publication's journalists:
// its first market, or the United States for a global outlet.
func (p publication) countryOrDefault() string {
	if len(p.Countries) == 0 {
		return "United States"
	}
	return p.Countries[0]
}

var publications = []publication{
	{"Reuters", "reuters.com", nil},
	{"Financial Times", "ft.com", nil},
	{"Bloomberg", "bloomberg.com", nil},
	{"The Wall Street Journal", "wsj.com", nil},
	{"CNBC", "cnbc.com", nil},
	{"TechCrunch", "techcrunch.com", nil},
	{"Handelsblatt", "handelsblatt.com", []string{"Germany", "Switzerland"}},
	{"Les Echos", "lesechos.fr", []string{"France"}},
	{"Expansión", "expansion.com", []string{"Spain"}},
	{"Il Sole 24 Ore", "ilsole24ore.com", []string{"Italy"}},
	{"Het Financieele Dagblad", "fd.nl", []string{"Netherlands"}},
	{"Børsen", "borsen.dk", []string{"Denmark"}},
	{"Dagens Industri", "di.se", []string{"Sweden", "Norway", "Finland"}},
	{"Puls Biznesu", "pb.pl", []string{"Poland"}},
	{"The Irish Times", "irishtimes.com", []string{"Ireland"}},
	{"Nikkei Asia", "nikkei.com", []string{"Japan"}},
	{"The Korea Herald", "koreaherald.com", []string{"South Korea"}},
	{"South China Morning Post", "scmp.com", []string{"China"}},
	{"The Straits Times", "straitstimes.com", []string{"Singapore"}},
	{"The Economic Times", "economictimes.indiatimes.com", []string{"India"}},
	{"Australian Financial Review", "afr.com", []string{"Australia"}},
	{"The Globe and Mail", "theglobeandmail.com", []string{"Canada"}},
	{"Valor Econômico", "valor.globo.com", []string{"Brazil"}},
	{"El Economista", "eleconomista.com.mx", []string{"Mexico", "Uruguay"}},
	{"Gulf News", "gulfnews.com", []string{"United Arab Emirates", "Saudi Arabia"}},
	{"Business Day", "businesslive.co.za", []string{"South Africa"}},
}

// publicationFor draws an outlet covering o: its home press half of the
// time, where it has one, else a global outlet.
func (g *generator) publicationFor(o *org) publication {
	var local, global []publication
	for _, p := range publications {
		switch {
		case len(p.Countries) == 0:
			global = append(global, p)
		case slices.Contains(p.Countries, o.HQ.Country):
			local = append(local, p)
		}
	}
	if len(local) > 0 && g.r.IntN(2) == 0 {
		return pick(g.r, local)
	}
	return pick(g.r, global)
}

// jobSource draws where a job change was found.
func (g *generator) jobSource(o *org) string {
	x := g.r.IntN(100)
	switch {
	case x < 55:
		return "linkedin.com"
	case x < 70 && (o.HQ.Country == "Germany" || o.HQ.Country == "Switzerland"):
		return "xing.com"
	case x < 80:
		return "company website"
	case x < 88:
		return pick(g.r, []string{"prnewswire.com", "businesswire.com"})
	default:
		return g.publicationFor(o).Domain
	}
}

// brandSources are where brands get mentioned besides the business press.
var brandSources = []string{
	"x.com", "reddit.com", "trustpilot.com", "youtube.com", "instagram.com",
	"theverge.com", "techcrunch.com", "producthunt.com",
}
