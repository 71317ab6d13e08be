package pattern

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Realistic events of docs/protocol.md section 7.
const (
	salesJobJoin = `{
		"kind":"sales-trigger","id":"st-1001","at":1718000000000,"date":"10.06.2024",
		"type":"job-join","typeName":"Job Join","org":"IBM","source":"linkedin",
		"loc":{"country":"US","state":"NY","city":"Armonk","region":"North America"},
		"employee":{"name":"Ann Smith","first_name":"Ann","last_name":"Smith",
			"title":"Chief Marketing Officer","old_job_title":"VP Marketing",
			"organisation":"IBM","old_organisation":"Oracle","country":"US",
			"city":"New York","url":"https://example.com/people/ann-smith"},
		"orgFromInfo":{"name":"Oracle"},"orgToInfo":{"name":"IBM"}}`

	salesArticle = `{
		"kind":"sales-trigger","id":"st-1002","at":1718000360000,"date":"10.06.2024",
		"type":"310","typeName":"Article Mentions","org":"Deutsche Bank","source":"handelsblatt",
		"loc":{"country":"DE","state":"HE","city":"Frankfurt","region":"Europe"}}`

	newsItem = `{
		"kind":"news-item","uid":"n-77","eid":12345,"headline":"IBM acquires HashiCorp",
		"subHeadline":"The deal closes in 2025","abstract":"IBM buys HashiCorp for $6.4bn.",
		"url":"https://news.example.com/ibm-hashicorp","date":"2024-04-24",
		"author":"Jane Roe","source":"Reuters",
		"annotations":[{"kind":"topic","label":"M&A"},{"kind":"industry","label":"Software"}],
		"entities":[
			{"type":"org","value":"IBM","relevance":0.92},
			{"type":"org","value":"HashiCorp","relevance":0.88},
			{"type":"person","value":"Arvind Krishna","relevance":0.41}],
		"quotations":[{"speakerName":"Arvind Krishna","speakerTitle":"CEO",
			"speakerOrganization":"IBM","quotation":"A natural fit."}]}`
)

// decodeFloat decodes like json.Unmarshal into any (numbers as float64).
func decodeFloat(t testing.TB, s string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

// decodeNumber decodes with UseNumber (numbers as json.Number).
func decodeNumber(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

// decoders run a test with both kinds of number in events.
var decoders = []struct {
	name   string
	decode func(testing.TB, string) any
}{
	{"float64", decodeFloat},
	{"json.Number", decodeNumber},
}
