package recgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Date formats of events.
const (
	dateLayout = "02.01.2006" // `date`: dd.MM.yyyy
	idLayout   = "20060102"   // the date in a Sales Trigger id
)

// folds spells letters outside ASCII in ASCII, for URL slugs.
var folds = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ą': "a", 'æ': "ae",
	'ç': "c", 'ć': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ę': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ł': "l", 'ñ': "n", 'ń': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ý': "y", 'ÿ': "y",
	'ś': "s", 'ß': "ss", 'ź': "z", 'ż': "z",
}

// slug turns text into a lower-case, hyphenated ASCII path segment of at
// most maxWords words.
func slug(text string, maxWords int) string {
	var b strings.Builder
	words, inWord := 0, false
	for _, c := range strings.ToLower(text) {
		var s string
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			s = string(c)
		case folds[c] != "":
			s = folds[c]
		case c == '\'' || c == '’':
			continue // "L'Oréal" → "loreal"
		}
		if s == "" {
			inWord = false
			continue
		}
		if !inWord {
			if words == maxWords {
				break
			}
			if words > 0 {
				b.WriteByte('-')
			}
			words++
			inWord = true
		}
		b.WriteString(s)
	}
	return b.String()
}

// currencies prefixes amounts by the country of the organisation, with a
// rough exchange rate from millions of US dollars.
var currencies = map[string]struct {
	sym  string
	rate float64
}{
	"United States": {"$", 1}, "Canada": {"C$", 1.4}, "Mexico": {"MXN ", 18},
	"Uruguay": {"US$", 1}, "Brazil": {"R$", 5}, "United Kingdom": {"£", 0.8},
	"Ireland": {"€", 0.9}, "Germany": {"€", 0.9}, "France": {"€", 0.9},
	"Spain": {"€", 0.9}, "Italy": {"€", 0.9}, "Netherlands": {"€", 0.9},
	"Finland": {"€", 0.9}, "Switzerland": {"CHF ", 0.9}, "Denmark": {"DKK ", 7},
	"Sweden": {"SEK ", 10}, "Norway": {"NOK ", 10}, "Poland": {"PLN ", 4},
	"Japan": {"¥", 150}, "South Korea": {"₩", 1400}, "China": {"CNY ", 7},
	"India": {"₹", 85}, "Singapore": {"S$", 1.3}, "Australia": {"A$", 1.5},
	"United Arab Emirates": {"AED ", 3.7}, "Saudi Arabia": {"SAR ", 3.75},
	"South Africa": {"R", 18},
}

// amountsUSD are deal and investment sizes, in millions of US dollars.
var amountsUSD = []float64{45, 80, 120, 250, 400, 600, 900, 1200, 2000, 3500}

// money draws an amount in the currency of country, as the press writes
// it: "€360m", "¥180bn", "₩4.9tn".
func (g *generator) money(country string) string {
	c, ok := currencies[country]
	if !ok {
		c = currencies["United States"]
	}
	m := pick(g.r, amountsUSD) * c.rate
	if m >= 1_000_000 {
		return c.sym + strconv.FormatFloat(roundTo(m/1_000_000, false), 'f', -1, 64) + "tn"
	}
	if m >= 1000 {
		return c.sym + strconv.FormatFloat(roundTo(m/1000, m/1000 >= 10), 'f', -1, 64) + "bn"
	}
	return c.sym + strconv.FormatFloat(roundTo(m, true), 'f', -1, 64) + "m"
}

// roundTo rounds x to a whole number, or to one decimal unless whole.
func roundTo(x float64, whole bool) float64 {
	if whole {
		return float64(int64(x + 0.5))
	}
	return float64(int64(x*10+0.5)) / 10
}

// grouped formats n with thousands separators: 1,200.
func grouped(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// lastQuarter names the quarter before the one of t: "Q3 2026" in
// November 2026.
func lastQuarter(t time.Time) string {
	q, y := (int(t.Month())-1)/3, t.Year()
	if q == 0 {
		q, y = 4, y-1
	}
	return fmt.Sprintf("Q%d %d", q, y)
}
