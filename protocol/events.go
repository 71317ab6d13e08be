package protocol

import "encoding/json"

// Event kinds (docs/protocol.md section 7).
const (
	KindSalesTrigger = "sales-trigger"
	KindNewsItem     = "news-item"
)

// Sales Trigger types.
const (
	TypeJobJoin       = "job-join"
	TypeJobLeave      = "job-leave"
	TypeJobMove       = "job-move"
	TypeLocationMove  = "location-move"
	TypePersonMention = "person-mention"
	TypeQuote         = "quote"
	TypeArticle       = "310" // Article Mentions
	TypeBrand         = "330" // Brand Mentions
)

// TriggerTypes lists every Sales Trigger type with its display name.
var TriggerTypes = []struct{ Type, Name string }{
	{TypeJobJoin, "Job Join"},
	{TypeJobLeave, "Job Leave"},
	{TypeJobMove, "Job Move"},
	{TypeLocationMove, "Location Move"},
	{TypePersonMention, "Person Mention"},
	{TypeQuote, "Quote"},
	{TypeArticle, "Article Mentions"},
	{TypeBrand, "Brand Mentions"},
}

// SalesTrigger is the event of a Sales Trigger. Implementations may add
// fields, which this type drops: decode into map[string]any for a lossless
// view.
type SalesTrigger struct {
	Kind        string          `json:"kind"`
	ID          string          `json:"id"`
	At          int64           `json:"at"`
	Date        string          `json:"date"`
	Type        string          `json:"type"`
	TypeName    string          `json:"typeName"`
	Org         string          `json:"org"`
	Source      string          `json:"source"`
	Loc         Location        `json:"loc"`
	Employee    *Employee       `json:"employee,omitempty"`
	OrgFromInfo json.RawMessage `json:"orgFromInfo,omitempty"`
	OrgToInfo   json.RawMessage `json:"orgToInfo,omitempty"`
}

// Location is where a Sales Trigger happened.
type Location struct {
	Country string `json:"country"`
	State   string `json:"state,omitempty"`
	City    string `json:"city,omitempty"`
	Region  string `json:"region,omitempty"`
}

// Employee is the person a Sales Trigger is about.
type Employee struct {
	Name            string `json:"name"`
	FirstName       string `json:"first_name,omitempty"`
	LastName        string `json:"last_name,omitempty"`
	Title           string `json:"title,omitempty"`
	OldJobTitle     string `json:"old_job_title,omitempty"`
	Organisation    string `json:"organisation,omitempty"`
	OldOrganisation string `json:"old_organisation,omitempty"`
	Country         string `json:"country,omitempty"`
	City            string `json:"city,omitempty"`
	URL             string `json:"url,omitempty"`
}

// NewsItem is the event of a News Item.
type NewsItem struct {
	Kind        string       `json:"kind"`
	UID         string       `json:"uid"`
	EID         string       `json:"eid"`
	Headline    string       `json:"headline"`
	SubHeadline string       `json:"subHeadline,omitempty"`
	Abstract    string       `json:"abstract,omitempty"`
	URL         string       `json:"url"`
	Date        string       `json:"date"`
	Author      string       `json:"author,omitempty"`
	Source      string       `json:"source"`
	Annotations []Annotation `json:"annotations,omitempty"`
	Entities    []Entity     `json:"entities,omitempty"`
	Quotations  []Quotation  `json:"quotations,omitempty"`
}

// Annotation labels a News Item.
type Annotation struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
}

// Entity is something a News Item mentions.
type Entity struct {
	Type      string  `json:"type"`
	Value     string  `json:"value"`
	Relevance float64 `json:"relevance"`
}

// Quotation is a quote in a News Item.
type Quotation struct {
	SpeakerName         string `json:"speakerName"`
	SpeakerTitle        string `json:"speakerTitle,omitempty"`
	SpeakerOrganization string `json:"speakerOrganization,omitempty"`
	Quotation           string `json:"quotation"`
}

// RecordingLine is one line of a recording (docs/protocol.md section 8).
type RecordingLine struct {
	OffsetMs int64           `json:"offsetMs"`
	Event    json.RawMessage `json:"event"`
}
