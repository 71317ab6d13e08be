package recgen

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSlug(t *testing.T) {
	cases := []struct {
		name, in string
		words    int
		want     string
	}{
		{"plain", "Siemens to open data centre in Berlin", 9, "siemens-to-open-data-centre-in-berlin"},
		{"cut to words", "Siemens to open data centre in Berlin", 3, "siemens-to-open"},
		{"accents", "Nestlé names Zoë Müller as Head of Ørsted deals", 9, "nestle-names-zoe-muller-as-head-of-orsted-deals"},
		{"polish", "Łukasz Wójcik joins PKO BP", 9, "lukasz-wojcik-joins-pko-bp"},
		{"apostrophe", "L'Oréal cuts emissions by 12%", 9, "loreal-cuts-emissions-by-12"},
		{"punctuation runs", "P&G -- and  A.P. Møller", 9, "p-g-and-a-p-moller"},
		{"ampersand", "Mergers & Acquisitions", 9, "mergers-acquisitions"},
		{"empty", "", 9, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, slug(c.in, c.words))
		})
	}
}

func TestGrouped(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{{0, "0"}, {40, "40"}, {999, "999"}, {1000, "1,000"}, {2490, "2,490"}, {1234567, "1,234,567"}}
	for _, c := range cases {
		assert.Equal(t, c.want, grouped(c.n))
	}
}

func TestLastQuarter(t *testing.T) {
	cases := []struct {
		month time.Month
		want  string
	}{
		{time.January, "Q4 2025"}, {time.March, "Q4 2025"}, {time.April, "Q1 2026"},
		{time.November, "Q3 2026"}, {time.December, "Q3 2026"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, lastQuarter(time.Date(2026, c.month, 15, 0, 0, 0, 0, time.UTC)), c.month.String())
	}
}

func TestMoney(t *testing.T) {
	g := &generator{r: rand.New(rand.NewPCG(1, 1))}
	cases := []struct{ country, pattern string }{
		{"United States", `^\$\d+(\.\d)?(m|bn)$`},
		{"Germany", `^€\d+(\.\d)?(m|bn)$`},
		{"Japan", `^¥\d+(\.\d)?(m|bn)$`},
		{"South Korea", `^₩\d+(\.\d)?(bn|tn)$`},
		{"Denmark", `^DKK \d+(\.\d)?(m|bn)$`},
		{"Atlantis", `^\$\d+(\.\d)?(m|bn)$`},
	}
	for _, c := range cases {
		for range 50 {
			assert.Regexp(t, c.pattern, g.money(c.country), c.country)
		}
	}
}

func TestCatalogue(t *testing.T) {
	names := map[string]bool{}
	for _, o := range orgs {
		assert.False(t, names[o.Name], "duplicate %s", o.Name)
		names[o.Name] = true
		assert.NotEmpty(t, o.Short, o.Name)
		assert.Contains(t, sectors, sectorOf[o.Industry], "sector of %s (%s)", o.Name, o.Industry)
		assert.Contains(t, cultureOf, o.HQ.Country, "naming custom of %s", o.Name)
		assert.Contains(t, currencies, o.HQ.Country, "currency of %s", o.Name)
		assert.NotEmpty(t, o.HQ.City+o.HQ.State+o.HQ.Region, o.Name)
	}
	assert.GreaterOrEqual(t, len(orgs), 60)
	assert.Len(t, cultureNames, len(cultures))
	for _, c := range cultureNames {
		assert.Contains(t, cultures, c)
	}
	for _, p := range offices {
		assert.Contains(t, cultureOf, p.Country, p.City)
	}
}
