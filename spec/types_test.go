package spec

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// Realistic values of the Go types, marshalled and validated against the
// schemas of the documents.

var jobMove = protocol.SalesTrigger{
	Kind:     protocol.KindSalesTrigger,
	ID:       "st-4be81f3a60",
	At:       1742288561000,
	Date:     "18.03.2025",
	Type:     protocol.TypeJobMove,
	TypeName: "Job Move",
	Org:      "Nordhavn Shipping A/S",
	Source:   "company website",
	Loc:      protocol.Location{Country: "Denmark", State: "Capital Region", City: "Copenhagen", Region: "Europe"},
	Employee: &protocol.Employee{
		Name: "Mads Thygesen", FirstName: "Mads", LastName: "Thygesen",
		Title: "Chief Financial Officer", OldJobTitle: "Group Treasurer",
		Organisation: "Nordhavn Shipping A/S", OldOrganisation: "Vestkyst Energi A/S",
		Country: "Denmark", City: "Copenhagen", URL: "https://profiles.example.com/in/mads-thygesen",
	},
	OrgFromInfo: json.RawMessage(`{"name":"Vestkyst Energi A/S","city":"Esbjerg","country":"Denmark"}`),
	OrgToInfo:   json.RawMessage(`{"name":"Nordhavn Shipping A/S","city":"Copenhagen","country":"Denmark"}`),
}

var brandMention = protocol.SalesTrigger{
	Kind: protocol.KindSalesTrigger, ID: "st-c58e2d0b17", At: 1742292333000, Date: "18.03.2025",
	Type: protocol.TypeBrand, TypeName: "Brand Mentions", Org: "Brightwater Analytics Ltd",
	Source: "Financial Review Weekly", Loc: protocol.Location{Country: "United Kingdom", City: "Manchester"},
}

var fleetOrder = protocol.NewsItem{
	Kind:        protocol.KindNewsItem,
	UID:         "ni-7d2f90c4a1e3",
	EID:         "5518204",
	Headline:    "Nordhavn Shipping orders six methanol-ready feeder vessels",
	SubHeadline: "The Copenhagen carrier expects delivery from 2027",
	Abstract:    "Nordhavn Shipping has signed for six 1,800 TEU feeder vessels that can run on green methanol.",
	URL:         "https://news.example.com/maritime/2025/03/18/nordhavn-orders-six-feeders",
	Date:        "18.03.2025",
	Author:      "Mette Lindqvist",
	Source:      "Maritime Gazette",
	Annotations: []protocol.Annotation{{Kind: "industry", Label: "Shipping"}},
	Entities:    []protocol.Entity{{Type: "organisation", Value: "Nordhavn Shipping A/S", Relevance: 0.94}},
	Quotations: []protocol.Quotation{{SpeakerName: "Anders Kjær", SpeakerTitle: "Chief Executive Officer",
		SpeakerOrganization: "Nordhavn Shipping A/S", Quotation: "These ships let us cut emissions on our Baltic routes."}},
}

func decodeAny(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestGoValuesMatchSchemas(t *testing.T) {
	s := mustDefault(t)
	cases := []struct {
		name   string
		schema string
		value  any
	}{
		{"job move", "SalesTrigger", jobMove},
		{"job move as event", "Event", jobMove},
		{"brand mention", "Event", brandMention},
		{"news item", "NewsItem", fleetOrder},
		{"news item as event", "Event", fleetOrder},
		{"minimal news item", "Event", protocol.NewsItem{Kind: protocol.KindNewsItem, UID: "ni-1", EID: "1", Headline: "Aurelia Health Systems opens Lyon hub", URL: "https://news.example.com/a", Date: "18.03.2025", Source: "Lyon Économie"}},
		{"push response", "PushResponse", protocol.PushResponse{Session: testSession, Seq: 7}},
	}
	for _, code := range allCodes {
		cases = append(cases, struct {
			name   string
			schema string
			value  any
		}{"error body " + string(code), "ErrorBody", json.RawMessage(protocol.NewErrorBody(code, "see docs/protocol.md"))})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.NoError(t, visit(t, s, c.schema, decodeAny(t, c.value)))
		})
	}
}

func TestGoEventsInFrames(t *testing.T) {
	s := mustDefault(t)
	for i, ev := range []any{jobMove, brandMention, fleetOrder} {
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		frame := protocol.AppendTriggerFrame(nil, uint64(i+1), b)
		assert.NoError(t, s.ValidateFrame(frame), "%s", frame)
	}
}
