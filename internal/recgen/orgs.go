package recgen

import (
	"math"
	"math/rand/v2"
	"sort"
)

// place is a city and where it lies.
type place struct {
	City, State, Country, Region string
}

// org is an organisation of the catalogue, with its headquarters.
type org struct {
	Name     string // as events carry it in `org`
	Short    string // as a headline calls it
	Industry string
	HQ       place
}

// Regions.
const (
	northAmerica = "North America"
	latinAmerica = "Latin America"
	europe       = "Europe"
	asiaPacific  = "Asia Pacific"
	middleEast   = "Middle East"
	africa       = "Africa"
)

// orgs is the catalogue, most frequent first: pickOrg draws rank k with a
// weight of 1/k (a Zipf-like skew), so the first few dominate.
var orgs = []org{
	{"IBM", "IBM", "Technology", place{"Armonk", "New York", "United States", northAmerica}},
	{"Siemens AG", "Siemens", "Industrial Manufacturing", place{"Munich", "Bavaria", "Germany", europe}},
	{"Deutsche Bank", "Deutsche Bank", "Banking", place{"Frankfurt am Main", "Hesse", "Germany", europe}},
	{"SAP SE", "SAP", "Software", place{"Walldorf", "Baden-Württemberg", "Germany", europe}},
	{"Accenture", "Accenture", "Professional Services", place{"Dublin", "Leinster", "Ireland", europe}},
	{"HSBC", "HSBC", "Banking", place{"London", "England", "United Kingdom", europe}},
	{"Nestlé", "Nestlé", "Food & Beverage", place{"Vevey", "Vaud", "Switzerland", europe}},
	{"Toyota Motor", "Toyota", "Automotive", place{"Toyota City", "Aichi", "Japan", asiaPacific}},
	{"Microsoft", "Microsoft", "Software", place{"Redmond", "Washington", "United States", northAmerica}},
	{"BNP Paribas", "BNP Paribas", "Banking", place{"Paris", "Île-de-France", "France", europe}},
	{"Infosys", "Infosys", "IT Services", place{"Bengaluru", "Karnataka", "India", asiaPacific}},
	{"Samsung Electronics", "Samsung", "Electronics", place{"Suwon", "Gyeonggi", "South Korea", asiaPacific}},
	{"Shopify", "Shopify", "E-commerce", place{"Ottawa", "Ontario", "Canada", northAmerica}},
	{"Unilever", "Unilever", "Consumer Goods", place{"London", "England", "United Kingdom", europe}},
	{"Banco Santander", "Santander", "Banking", place{"Boadilla del Monte", "Community of Madrid", "Spain", europe}},
	{"Ørsted", "Ørsted", "Renewable Energy", place{"Fredericia", "Region of Southern Denmark", "Denmark", europe}},
	{"Commonwealth Bank", "CommBank", "Banking", place{"Sydney", "New South Wales", "Australia", asiaPacific}},
	{"Allianz SE", "Allianz", "Insurance", place{"Munich", "Bavaria", "Germany", europe}},
	{"Volkswagen AG", "Volkswagen", "Automotive", place{"Wolfsburg", "Lower Saxony", "Germany", europe}},
	{"Salesforce", "Salesforce", "Software", place{"San Francisco", "California", "United States", northAmerica}},
	{"ASML Holding", "ASML", "Semiconductors", place{"Veldhoven", "North Brabant", "Netherlands", europe}},
	{"Tata Consultancy Services", "TCS", "IT Services", place{"Mumbai", "Maharashtra", "India", asiaPacific}},
	{"JPMorgan Chase", "JPMorgan", "Banking", place{"New York", "New York", "United States", northAmerica}},
	{"Novo Nordisk", "Novo Nordisk", "Pharmaceuticals", place{"Bagsværd", "Capital Region", "Denmark", europe}},
	{"BASF SE", "BASF", "Chemicals", place{"Ludwigshafen", "Rhineland-Palatinate", "Germany", europe}},
	{"Airbus SE", "Airbus", "Aerospace", place{"Blagnac", "Occitanie", "France", europe}},
	{"Sony Group", "Sony", "Electronics", place{"Tokyo", "Tokyo", "Japan", asiaPacific}},
	{"ING Group", "ING", "Banking", place{"Amsterdam", "North Holland", "Netherlands", europe}},
	{"Ericsson", "Ericsson", "Telecommunications", place{"Stockholm", "Stockholm County", "Sweden", europe}},
	{"Roche", "Roche", "Pharmaceuticals", place{"Basel", "Basel-Stadt", "Switzerland", europe}},
	{"TotalEnergies", "TotalEnergies", "Energy", place{"Courbevoie", "Île-de-France", "France", europe}},
	{"L'Oréal", "L'Oréal", "Consumer Goods", place{"Clichy", "Île-de-France", "France", europe}},
	{"Cisco Systems", "Cisco", "Networking", place{"San Jose", "California", "United States", northAmerica}},
	{"UBS Group", "UBS", "Banking", place{"Zurich", "Zurich", "Switzerland", europe}},
	{"Hitachi", "Hitachi", "Industrial Conglomerate", place{"Tokyo", "Tokyo", "Japan", asiaPacific}},
	{"DBS Bank", "DBS", "Banking", place{"Singapore", "Singapore", "Singapore", asiaPacific}},
	{"A.P. Møller - Maersk", "Maersk", "Shipping & Logistics", place{"Copenhagen", "Capital Region", "Denmark", europe}},
	{"Iberdrola", "Iberdrola", "Utilities", place{"Bilbao", "Basque Country", "Spain", europe}},
	{"Philips", "Philips", "Health Technology", place{"Amsterdam", "North Holland", "Netherlands", europe}},
	{"Royal Bank of Canada", "RBC", "Banking", place{"Toronto", "Ontario", "Canada", northAmerica}},
	{"AstraZeneca", "AstraZeneca", "Pharmaceuticals", place{"Cambridge", "England", "United Kingdom", europe}},
	{"Procter & Gamble", "P&G", "Consumer Goods", place{"Cincinnati", "Ohio", "United States", northAmerica}},
	{"Hyundai Motor Company", "Hyundai", "Automotive", place{"Seoul", "Seoul", "South Korea", asiaPacific}},
	{"Enel", "Enel", "Utilities", place{"Rome", "Lazio", "Italy", europe}},
	{"Nokia", "Nokia", "Telecommunications", place{"Espoo", "Uusimaa", "Finland", europe}},
	{"Volvo Group", "Volvo", "Automotive", place{"Gothenburg", "Västra Götaland", "Sweden", europe}},
	{"Equinor", "Equinor", "Energy", place{"Stavanger", "Rogaland", "Norway", europe}},
	{"Intesa Sanpaolo", "Intesa Sanpaolo", "Banking", place{"Turin", "Piedmont", "Italy", europe}},
	{"Inditex", "Inditex", "Retail", place{"Arteixo", "Galicia", "Spain", europe}},
	{"Barclays", "Barclays", "Banking", place{"London", "England", "United Kingdom", europe}},
	{"Mitsubishi UFJ Financial Group", "MUFG", "Banking", place{"Tokyo", "Tokyo", "Japan", asiaPacific}},
	{"Reliance Industries", "Reliance", "Conglomerate", place{"Mumbai", "Maharashtra", "India", asiaPacific}},
	{"Alibaba Group", "Alibaba", "E-commerce", place{"Hangzhou", "Zhejiang", "China", asiaPacific}},
	{"Tencent", "Tencent", "Technology", place{"Shenzhen", "Guangdong", "China", asiaPacific}},
	{"BHP", "BHP", "Mining", place{"Melbourne", "Victoria", "Australia", asiaPacific}},
	{"Petrobras", "Petrobras", "Energy", place{"Rio de Janeiro", "Rio de Janeiro", "Brazil", latinAmerica}},
	{"Itaú Unibanco", "Itaú", "Banking", place{"São Paulo", "São Paulo", "Brazil", latinAmerica}},
	{"PKO Bank Polski", "PKO BP", "Banking", place{"Warsaw", "Masovian", "Poland", europe}},
	{"CD Projekt", "CD Projekt", "Video Games", place{"Warsaw", "Masovian", "Poland", europe}},
	{"Caterpillar", "Caterpillar", "Industrial Machinery", place{"Irving", "Texas", "United States", northAmerica}},
	{"Rolls-Royce Holdings", "Rolls-Royce", "Aerospace", place{"London", "England", "United Kingdom", europe}},
	{"Zurich Insurance Group", "Zurich Insurance", "Insurance", place{"Zurich", "Zurich", "Switzerland", europe}},
	{"Emirates NBD", "Emirates NBD", "Banking", place{"Dubai", "Dubai", "United Arab Emirates", middleEast}},
	{"Saudi Aramco", "Aramco", "Energy", place{"Dhahran", "Eastern Province", "Saudi Arabia", middleEast}},
	{"Naspers", "Naspers", "Technology Investment", place{"Cape Town", "Western Cape", "South Africa", africa}},
	{"Grupo Bimbo", "Bimbo", "Food & Beverage", place{"Mexico City", "Mexico City", "Mexico", latinAmerica}},
	{"Mercado Libre", "Mercado Libre", "E-commerce", place{"Montevideo", "Montevideo", "Uruguay", latinAmerica}},
}

// offices are cities where organisations have offices besides their
// headquarters: where people work and move to.
var offices = []place{
	{"New York", "New York", "United States", northAmerica},
	{"San Francisco", "California", "United States", northAmerica},
	{"Chicago", "Illinois", "United States", northAmerica},
	{"Austin", "Texas", "United States", northAmerica},
	{"Toronto", "Ontario", "Canada", northAmerica},
	{"London", "England", "United Kingdom", europe},
	{"Dublin", "Leinster", "Ireland", europe},
	{"Paris", "Île-de-France", "France", europe},
	{"Frankfurt am Main", "Hesse", "Germany", europe},
	{"Berlin", "Berlin", "Germany", europe},
	{"Munich", "Bavaria", "Germany", europe},
	{"Amsterdam", "North Holland", "Netherlands", europe},
	{"Zurich", "Zurich", "Switzerland", europe},
	{"Madrid", "Community of Madrid", "Spain", europe},
	{"Milan", "Lombardy", "Italy", europe},
	{"Stockholm", "Stockholm County", "Sweden", europe},
	{"Copenhagen", "Capital Region", "Denmark", europe},
	{"Warsaw", "Masovian", "Poland", europe},
	{"Singapore", "Singapore", "Singapore", asiaPacific},
	{"Tokyo", "Tokyo", "Japan", asiaPacific},
	{"Seoul", "Seoul", "South Korea", asiaPacific},
	{"Shanghai", "Shanghai", "China", asiaPacific},
	{"Bengaluru", "Karnataka", "India", asiaPacific},
	{"Mumbai", "Maharashtra", "India", asiaPacific},
	{"Sydney", "New South Wales", "Australia", asiaPacific},
	{"São Paulo", "São Paulo", "Brazil", latinAmerica},
	{"Mexico City", "Mexico City", "Mexico", latinAmerica},
	{"Dubai", "Dubai", "United Arab Emirates", middleEast},
	{"Johannesburg", "Gauteng", "South Africa", africa},
}

// orgCumWeights holds the running sums of the weights 1/k of orgs.
var orgCumWeights = func() []float64 {
	cum := make([]float64, len(orgs))
	var sum float64
	for i := range orgs {
		sum += 1 / math.Pow(float64(i+1), 1.0)
		cum[i] = sum
	}
	return cum
}()

// pickOrg draws an organisation, frequent ones more often.
func (g *generator) pickOrg() *org {
	x := g.r.Float64() * orgCumWeights[len(orgCumWeights)-1]
	i := sort.SearchFloat64s(orgCumWeights, x)
	return &orgs[min(i, len(orgs)-1)]
}

// otherOrg draws an organisation other than o, preferring one of the same
// industry half of the time.
func (g *generator) otherOrg(o *org) *org {
	if g.r.IntN(2) == 0 {
		var same []*org
		for i := range orgs {
			if orgs[i].Industry == o.Industry && orgs[i].Name != o.Name {
				same = append(same, &orgs[i])
			}
		}
		if len(same) > 0 {
			return same[g.r.IntN(len(same))]
		}
	}
	for {
		if p := g.pickOrg(); p.Name != o.Name {
			return p
		}
	}
}

// workplace is where someone at o works: mostly the headquarters, else an
// office, in the same region two times out of three.
func (g *generator) workplace(o *org) place {
	if g.r.Float64() < 0.65 {
		return o.HQ
	}
	return g.office(o.HQ, g.r.IntN(3) > 0)
}

// office draws an office city other than not's, in not's region if
// sameRegion (and there is one).
func (g *generator) office(not place, sameRegion bool) place {
	var pool []place
	for _, p := range offices {
		if p.City != not.City && (!sameRegion || p.Region == not.Region) {
			pool = append(pool, p)
		}
	}
	if len(pool) == 0 {
		return g.office(not, false)
	}
	return pool[g.r.IntN(len(pool))]
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
