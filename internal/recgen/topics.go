package recgen

// topic is a kind of news story. Its texts hold placeholders in braces
// that newsItem fills in: {org}, {short}, {other}, {person}, {amount}, ...
type topic struct {
	Label    string   // the topic annotation
	Section  string   // the URL section
	Speakers []string // titles of who speaks for the organisation
	Other    bool     // the story involves a second organisation
	Person   bool     // the story is about a person ({person}, {title})

	Stories []story
	Quotes  []string
	// OtherQuotes are said by the second organisation (Other) or by the
	// person (Person).
	OtherQuotes []string
}

// story is a headline with a sub-headline and an abstract that fit it.
type story struct {
	Headline, Sub, Abstract string
}

var topics = []topic{
	{
		Label: "Earnings", Section: "markets", Speakers: []string{"Chief Financial Officer", "Chief Executive Officer"},
		Stories: []story{
			{"{short} beats expectations as {quarter} revenue rises {pct}%", "Demand for {tech} offset slower growth elsewhere",
				"{org} said revenue rose {pct}% in {quarter}, helped by demand for {tech}. The {city}-based company kept its outlook for the full year and plans to return {amount} to shareholders."},
			{"{short} reports {pct}% rise in {quarter} operating profit", "Management expects margins to improve through {year1}",
				"{org} reported a {pct}% increase in operating profit for {quarter}. Analysts had expected a smaller rise; the company pointed to cost discipline and strong demand in {country}."},
			{"{short} keeps full-year guidance after steady {quarter}", "Free cash flow came in at {amount}",
				"{org} confirmed its guidance for the year after a steady {quarter}, with free cash flow of {amount} and growth in {tech}."},
		},
		Quotes: []string{
			"We delivered a solid quarter, and our pipeline in {tech} has never been stronger.",
			"Our priority remains disciplined growth and a strong balance sheet.",
			"Customers are consolidating vendors, and that plays to our strengths.",
		},
	},
	{
		Label: "Partnerships", Section: "technology", Other: true, Speakers: []string{"Chief Executive Officer", "Chief Digital Officer"},
		Stories: []story{
			{"{short} and {other} sign multi-year {tech} partnership", "The agreement covers operations in {n2} countries",
				"{org} and {otherFull} have agreed a multi-year partnership on {tech} covering {n2} countries. The companies did not disclose financial terms; the first projects start in {place} early next year."},
			{"{short} teams up with {other} on {tech}", "Both companies will build a joint team in {place}",
				"{org} and {otherFull} will build a joint {tech} team in {place}, starting with about {n} people from both companies."},
			{"{short} picks {other} to accelerate {tech} roll-out", "The contract is among the largest of its kind in {country} this year",
				"{org} has selected {otherFull} to support its {tech} programme, one of the larger deals of its kind in {country} this year."},
		},
		Quotes: []string{
			"Working with {other} lets us move faster for our customers.",
			"This partnership brings together two teams who already know each other well.",
		},
		OtherQuotes: []string{
			"We are proud to support {short} on this journey.",
			"{short} is exactly the kind of partner we want to grow with.",
		},
	},
	{
		Label: "Mergers & Acquisitions", Section: "deals", Speakers: []string{"Chief Executive Officer", "Head of Strategy"},
		Stories: []story{
			{"{short} agrees to buy {place} {tech} start-up for {amount}", "The deal is expected to close in the first half of {year1}",
				"{org} has agreed to acquire a {place}-based {tech} start-up for {amount}, subject to regulatory approval. About {n} employees will join {short}."},
			{"{short} completes acquisition of {tech} specialist", "About {n} employees join the company",
				"{org} has completed its acquisition of a {tech} specialist, adding about {n} employees. The company said the deal should add to earnings within two years."},
			{"{short} expands {tech} portfolio with bolt-on deal", "The price was not disclosed",
				"{org} said the bolt-on acquisition strengthens its position in {tech}, an area where it expects double-digit growth until {year1}."},
		},
		Quotes: []string{
			"This team brings exactly the capabilities our customers have been asking for.",
			"Bolt-on deals like this one are how we plan to grow in {tech}.",
		},
	},
	{
		Label: "Expansion", Section: "business", Speakers: []string{"Chief Operating Officer", "Chief Executive Officer", "President"},
		Stories: []story{
			{"{short} to open {facility} in {place}", "The site is due to open in {year1}",
				"{org} will open a {facility} in {place} in {year1}, creating about {n} jobs over the next three years. The company said the site will serve customers across {region}."},
			{"{short} plans {n} new jobs at {place} {facility}", "Hiring starts this quarter",
				"{org} plans to hire {n} people for its {facility} in {place}, one of the largest hiring drives in the company's history."},
			{"{short} picks {place} for its next {facility}", "The investment totals {amount}",
				"{org} plans to invest {amount} in a new {facility} in {place}, its largest investment in the region to date."},
		},
		Quotes: []string{
			"{place} gives us access to great talent and to customers who are growing fast.",
			"We are investing where our customers are.",
		},
	},
	{
		Label: "Leadership", Section: "companies", Person: true, Speakers: []string{"Chief Executive Officer", "Chair of the Board"},
		Stories: []story{
			{"{short} names {person} as {title}", "{person} was previously {prev} at {other}",
				"{org} has appointed {person} as {title}, effective 1 January {year1}. {person} joins from {otherFull}, where the executive served as {prev}."},
			{"{short} appoints {person} {title}", "The appointment is part of a wider reshuffle",
				"{org} named {person} its new {title}, part of a wider reshuffle of the leadership team in {city}."},
			{"{person} to join {short} as {title}", "The appointment takes effect on 1 January {year1}",
				"{person}, currently {prev} at {otherFull}, will join {org} as {title} on 1 January {year1}."},
		},
		Quotes: []string{
			"{person} brings deep experience and a clear view of where the market is heading.",
			"I am delighted to welcome {person} to the team.",
		},
		OtherQuotes: []string{
			"I look forward to working with the team at {short}.",
			"{short} has a great platform, and I am excited to help it grow.",
		},
	},
	{
		Label: "Products", Section: "technology", Speakers: []string{"Chief Technology Officer", "Chief Commercial Officer", "Chief Executive Officer"},
		Stories: []story{
			{"{short} unveils {product}", "General availability is planned for early {year1}",
				"{org} unveiled {product} at an event in {place}, as competition in {tech} intensifies. General availability is planned for early {year1}."},
			{"{short} launches {product} for {segment}", "Early customers cut processing times by up to {pct}%",
				"{org} has launched {product}, aimed at {segment}. The company said early customers had cut processing times by up to {pct}%."},
			{"{short} rolls out {product} across {region}", "The roll-out follows a pilot in {place}",
				"{org} is rolling out {product} across {region} after a pilot with {segment} in {place}."},
		},
		Quotes: []string{
			"Our customers asked for something simpler, and this is it.",
			"We built this with our customers, not just for them.",
		},
	},
	{
		Label: "Sustainability", Section: "climate", Speakers: []string{"Chief Sustainability Officer", "Chief Executive Officer"},
		Stories: []story{
			{"{short} brings net-zero target forward to {yearFar}", "The target covers sites in {n2} countries",
				"{org} said it now aims to reach net-zero emissions across its operations by {yearFar}, five years earlier than planned. The target covers sites in {n2} countries."},
			{"{short} signs renewable power deal covering {pct}% of its electricity use", "Supply starts in {year1}",
				"{org} has signed a long-term power purchase agreement that will cover {pct}% of its electricity use from {year1}."},
			{"{short} cuts operational emissions by {pct}%", "Suppliers will be asked to set science-based targets",
				"{org} reported a {pct}% cut in operational emissions and said it will ask its largest suppliers to set science-based targets by {year1}."},
		},
		Quotes: []string{
			"Climate targets only matter if they change how we run the business every day.",
			"Our customers expect this from us, and so do our people.",
		},
	},
	{
		Label: "Digital Transformation", Section: "technology", Speakers: []string{"Chief Digital Officer", "Chief Technology Officer", "Chief Information Officer"},
		Stories: []story{
			{"{short} to invest {amount} in AI and cloud over {n2} years", "The programme will retrain about {n} employees",
				"{org} will invest {amount} in artificial intelligence and cloud infrastructure over the next {n2} years, the company said. About {n} employees will be retrained as part of the programme."},
			{"{short} bets on {tech} to modernise its operations", "Most of the spending goes to {tech}",
				"{org} is stepping up spending on {tech} as it modernises its operations, starting with its teams in {place}."},
			{"{short} moves core systems to the cloud", "The first phase is live in {place}",
				"{org} is moving its core systems to the cloud as part of a wider push into {tech}, with the first phase live in {place}."},
		},
		Quotes: []string{
			"AI will change how every team here works, so everyone gets trained.",
			"Modernising our platforms is what lets us serve customers faster.",
		},
	},
	{
		Label: "Restructuring", Section: "companies", Speakers: []string{"Chief Executive Officer", "Chief Operating Officer"},
		Stories: []story{
			{"{short} to simplify structure into {n2} business units", "The changes take effect in {year1}",
				"{org} will reorganise into {n2} business units to speed up decisions, the company said, with savings of {amount} a year reinvested in {tech}."},
			{"{short} launches efficiency programme to save {amount}", "Savings will be reinvested in {tech}",
				"{org} launched an efficiency programme aimed at saving {amount} by the end of {year1}, and plans to reinvest most of it in {tech}."},
			{"{short} reorganises its {tech} activities", "A single unit will be led from {city}",
				"{org} will bring its {tech} activities together in a single unit led from {city}, the company said."},
		},
		Quotes: []string{
			"A simpler structure puts us closer to our customers.",
			"We are making these changes from a position of strength.",
		},
	},
}

// vocabulary is what the stories of one sector talk about.
type vocabulary struct {
	techs, products, segments []string
}

// sectors holds the vocabulary of each sector; sectorOf maps industries
// to sectors.
var sectors = map[string]vocabulary{
	"finance": {
		techs:    []string{"digital payments", "fraud detection", "cloud migration", "generative AI", "cybersecurity", "wealth management software"},
		products: []string{"a real-time payments platform", "a fraud detection service", "an AI assistant for relationship managers", "a digital mortgage app", "an embedded finance offering"},
		segments: []string{"small businesses", "corporate clients", "retail customers", "fintech partners"},
	},
	"industry": {
		techs:    []string{"industrial automation", "battery technology", "predictive maintenance", "hydrogen", "supply-chain software", "grid technology"},
		products: []string{"a digital twin service for factories", "an energy management platform", "a predictive maintenance service", "a supply-chain visibility tool", "a battery-as-a-service model"},
		segments: []string{"manufacturers", "utilities", "logistics companies", "fleet operators"},
	},
	"tech": {
		techs:    []string{"generative AI", "cloud computing", "cybersecurity", "data analytics", "edge computing", "quantum computing"},
		products: []string{"an AI assistant for contract review", "a sovereign cloud offering", "a low-code automation suite", "a managed security service", "an observability platform"},
		segments: []string{"mid-sized businesses", "public-sector customers", "banks and insurers", "telecom operators"},
	},
	"consumer": {
		techs:    []string{"e-commerce", "personalised marketing", "sustainable packaging", "digital health", "supply-chain software", "retail analytics"},
		products: []string{"a direct-to-consumer subscription service", "a refill packaging range", "a remote patient monitoring service", "a loyalty app", "a demand forecasting tool"},
		segments: []string{"retailers", "hospitals", "young consumers", "pharmacies"},
	},
}

var sectorOf = map[string]string{
	"Banking": "finance", "Insurance": "finance",
	"Automotive": "industry", "Aerospace": "industry", "Industrial Manufacturing": "industry",
	"Industrial Machinery": "industry", "Industrial Conglomerate": "industry", "Conglomerate": "industry",
	"Chemicals": "industry", "Mining": "industry", "Energy": "industry", "Utilities": "industry",
	"Renewable Energy": "industry", "Shipping & Logistics": "industry",
	"Technology": "tech", "Software": "tech", "IT Services": "tech", "Electronics": "tech",
	"Semiconductors": "tech", "Telecommunications": "tech", "Networking": "tech",
	"Professional Services": "tech", "Technology Investment": "tech", "Video Games": "tech",
	"E-commerce": "consumer", "Food & Beverage": "consumer", "Consumer Goods": "consumer",
	"Retail": "consumer", "Pharmaceuticals": "consumer", "Health Technology": "consumer",
}

// facilities are sites an organisation opens.
var facilities = []string{
	"research centre", "data centre", "regional headquarters",
	"engineering hub", "logistics hub", "innovation lab",
}
