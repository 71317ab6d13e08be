package recgen

// culture is a naming custom: first and last names common in a group of
// countries.
type culture struct {
	first, last []string
}

var cultures = map[string]culture{
	"english": {
		first: []string{"Emily", "Michael", "Sarah", "David", "Olivia", "Daniel", "Hannah", "Christopher", "Laura", "Matthew", "Rachel", "Andrew", "Zoë", "Liam", "Chloe", "Siobhán", "Marcus", "Grace", "Nathan", "Renée"},
		last:  []string{"Smith", "Johnson", "Carter", "O'Brien", "Walker", "Bennett", "Hughes", "Thompson", "Nguyen", "Patel", "Murphy", "Campbell", "Reid", "Foster", "Mitchell", "Okafor", "Brennan", "Whitfield"},
	},
	"german": {
		first: []string{"Jürgen", "Katrin", "Lukas", "Anja", "Matthias", "Jörg", "Sabine", "Florian", "Lena", "Björn", "Annika", "Maximilian", "Jana", "Günther", "Tobias", "Svenja", "Moritz", "Ursula"},
		last:  []string{"Müller", "Schmidt", "Weiß", "Becker", "Hoffmann", "Schäfer", "Krüger", "Wagner", "Fischer", "Köhler", "Zimmermann", "Braun", "Vogel", "Lehmann", "Hartmann", "Dörr"},
	},
	"french": {
		first: []string{"Élodie", "Stéphane", "Camille", "François", "Amélie", "Hélène", "Julien", "Céline", "Thibault", "Manon", "Jérôme", "Océane", "Benoît", "Gaëlle"},
		last:  []string{"Dubois", "Lefèvre", "Moreau", "Girard", "Lambert", "Rousseau", "Bonnet", "Fournier", "Mercier", "Chevalier", "Durand", "Gauthier", "Marchand", "Perrin"},
	},
	"spanish": {
		first: []string{"José", "María", "Javier", "Lucía", "Álvaro", "Inés", "Sofía", "Alejandro", "Nuria", "Andrés", "Begoña", "Íñigo", "Carmen", "Raúl"},
		last:  []string{"García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Jiménez", "Muñoz", "Ibáñez", "Castillo", "Ortega", "Navarro"},
	},
	"italian": {
		first: []string{"Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Lorenzo", "Federica", "Matteo", "Elisa", "Niccolò", "Martina", "Davide"},
		last:  []string{"Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Esposito"},
	},
	"portuguese": {
		first: []string{"João", "Ana", "Luís", "Beatriz", "Gonçalo", "Mariana", "Thiago", "Letícia", "Rafael", "Camila", "Sérgio", "Fernanda"},
		last:  []string{"Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Gonçalves", "Araújo", "Barbosa", "Cardoso"},
	},
	"dutch": {
		first: []string{"Sanne", "Pieter", "Femke", "Joost", "Anouk", "Bram", "Lotte", "Maarten", "Eline", "Thijs", "Noor", "Sjoerd"},
		last:  []string{"de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "van den Berg", "Dekker", "Hendriks"},
	},
	"nordic": {
		first: []string{"Søren", "Mette", "Lars", "Ingrid", "Anders", "Freja", "Magnus", "Astrid", "Mikkel", "Sigrid", "Åsa", "Bjørn", "Linnéa", "Jukka", "Aino", "Henrik"},
		last:  []string{"Jensen", "Nielsen", "Andersson", "Johansson", "Larsen", "Hansen", "Lindqvist", "Berg", "Sørensen", "Kjær", "Eriksson", "Virtanen", "Nyström", "Holm", "Korhonen", "Lindgren"},
	},
	"polish": {
		first: []string{"Łukasz", "Agnieszka", "Krzysztof", "Małgorzata", "Paweł", "Katarzyna", "Tomasz", "Zofia", "Michał", "Joanna", "Bartłomiej", "Ewa"},
		last:  []string{"Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek", "Dudek", "Pawlak", "Sikora", "Baran"},
	},
	"japanese": {
		first: []string{"Haruto", "Yui", "Takeshi", "Aiko", "Kenji", "Sakura", "Hiroshi", "Yuki", "Daisuke", "Mei", "Shōta", "Naoko"},
		last:  []string{"Tanaka", "Suzuki", "Takahashi", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Saitō", "Katō", "Morita", "Ogawa"},
	},
	"korean": {
		first: []string{"Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Soo-jin", "Jae-won", "Yu-na", "Sung-min", "Eun-ji"},
		last:  []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Han", "Shin"},
	},
	"chinese": {
		first: []string{"Wei", "Jing", "Hao", "Xin", "Yu", "Mei", "Jun", "Lei", "Yan", "Zhiwei", "Xiaoling", "Tao"},
		last:  []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Tan", "Lim"},
	},
	"indian": {
		first: []string{"Priya", "Arjun", "Ananya", "Rahul", "Deepika", "Vikram", "Kavya", "Rohan", "Sneha", "Aditya", "Lakshmi", "Sanjay"},
		last:  []string{"Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Rao", "Banerjee", "Krishnan", "Desai", "Kulkarni"},
	},
	"arabic": {
		first: []string{"Omar", "Layla", "Khalid", "Fatima", "Yousef", "Noura", "Ahmed", "Mariam", "Tariq", "Aisha", "Hamad", "Reem"},
		last:  []string{"Al Mansouri", "Al Hashimi", "Haddad", "Al Qahtani", "Al Falasi", "Saleh", "Nasser", "Al Harbi", "Al Otaibi", "Khoury"},
	},
	"southafrican": {
		first: []string{"Thabo", "Naledi", "Pieter", "Anneke", "Sipho", "Lerato", "Johan", "Zanele", "Themba", "Elize"},
		last:  []string{"Nkosi", "Dlamini", "van der Merwe", "Botha", "Mokoena", "Naidoo", "Pretorius", "Khumalo", "Mahlangu", "Steyn"},
	},
}

// cultureOf names the naming custom of each country in the catalogue.
var cultureOf = map[string]string{
	"United States":        "english",
	"United Kingdom":       "english",
	"Ireland":              "english",
	"Canada":               "english",
	"Australia":            "english",
	"Germany":              "german",
	"Switzerland":          "german",
	"France":               "french",
	"Spain":                "spanish",
	"Mexico":               "spanish",
	"Uruguay":              "spanish",
	"Italy":                "italian",
	"Brazil":               "portuguese",
	"Netherlands":          "dutch",
	"Denmark":              "nordic",
	"Sweden":               "nordic",
	"Norway":               "nordic",
	"Finland":              "nordic",
	"Poland":               "polish",
	"Japan":                "japanese",
	"South Korea":          "korean",
	"China":                "chinese",
	"Singapore":            "chinese",
	"India":                "indian",
	"United Arab Emirates": "arabic",
	"Saudi Arabia":         "arabic",
	"South Africa":         "southafrican",
}

// cultureNames lists the keys of cultures in a fixed order, for random
// draws (map order is random).
var cultureNames = []string{
	"english", "german", "french", "spanish", "italian", "portuguese", "dutch", "nordic",
	"polish", "japanese", "korean", "chinese", "indian", "arabic", "southafrican",
}

// person is someone events are about.
type person struct {
	First, Last string
}

func (p person) Name() string { return p.First + " " + p.Last }

// personIn draws a person working in country: named after its custom, or,
// one time in six, after another (an international workforce).
func (g *generator) personIn(country string) person {
	c, ok := cultureOf[country]
	if !ok || g.r.IntN(6) == 0 {
		c = pick(g.r, cultureNames)
	}
	cu := cultures[c]
	return person{First: pick(g.r, cu.first), Last: pick(g.r, cu.last)}
}

// role is a job title and a plausible previous one.
type role struct {
	Title, Previous string
}

var roles = []role{
	{"Chief Information Security Officer", "VP Security Engineering"},
	{"Chief Information Officer", "VP IT Infrastructure"},
	{"Chief Financial Officer", "Group Treasurer"},
	{"Chief Technology Officer", "VP Engineering"},
	{"Chief Data Officer", "Head of Data Platform"},
	{"VP Procurement", "Director of Strategic Sourcing"},
	{"Head of Data Platform", "Principal Data Engineer"},
	{"Head of Procurement", "Category Manager IT"},
	{"Director of Cloud Infrastructure", "Senior Manager Cloud Operations"},
	{"VP Sales EMEA", "Regional Sales Director"},
	{"Chief Marketing Officer", "VP Brand Marketing"},
	{"Head of Talent Acquisition", "Recruiting Lead"},
	{"Chief Human Resources Officer", "VP People"},
	{"General Counsel", "Deputy General Counsel"},
	{"Head of Sustainability", "ESG Reporting Manager"},
	{"Chief Operating Officer", "SVP Operations"},
	{"Head of AI", "Director of Machine Learning"},
	{"Director of Digital Transformation", "Transformation Programme Manager"},
	{"Head of Investor Relations", "Corporate Finance Manager"},
	{"Head of Supply Chain", "Logistics Director"},
	{"Chief Risk Officer", "Head of Credit Risk"},
	{"Country Manager", "Head of Enterprise Sales"},
	{"VP Customer Success", "Director of Account Management"},
	{"Head of IT Operations", "IT Service Delivery Manager"},
	{"Chief Executive Officer", "President, International"},
}

// execTitles are who speaks for an organisation in the press.
var execTitles = []string{
	"Chief Executive Officer", "Chief Financial Officer", "Chief Technology Officer",
	"Chief Operating Officer", "Chief Digital Officer", "Chief Sustainability Officer",
	"President", "Head of Strategy", "Chief Commercial Officer",
}
