package spec

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wstrigger/wstrigger/protocol"
)

// Causes of a ValidationError, for errors.Is: a ValidationError matches
// the cause of each of its issues.
var (
	// ErrUndeclared: the documents declare no such operation, status or
	// frame type.
	ErrUndeclared = errors.New("not declared by the spec")
	// ErrHeader: a required header is missing or a header's value does
	// not match its schema.
	ErrHeader = errors.New("header does not match the spec")
	// ErrParameter: a query parameter is missing or does not match its
	// schema.
	ErrParameter = errors.New("parameter does not match the spec")
	// ErrSecurity: a request carries none of the credential sets its
	// operation accepts.
	ErrSecurity = errors.New("credentials do not match the spec")
	// ErrContentType: the content type is not one the document declares.
	ErrContentType = errors.New("content type does not match the spec")
	// ErrMalformed: a body or frame is not the JSON the document expects.
	ErrMalformed = errors.New("malformed JSON")
	// ErrSchema: a JSON value does not match its schema.
	ErrSchema = errors.New("value does not match its schema")
)

// ValidationError says how a response, a request or a frame departs from
// the spec documents. Its text never contains a credential or a session
// id: URLs are reduced to their path, values are left out of schema
// errors, and the request's credentials and session ids are replaced by
// "***" wherever they would appear.
type ValidationError struct {
	// Subject is what was validated, such as
	// "response 429 to POST /api/v1/websocket/session" or "push frame".
	Subject string
	// Issues lists what is wrong, at least one.
	Issues []Issue
}

// Issue is one departure from the spec.
type Issue struct {
	// Where locates the issue: "status", "method", "header Retry-After",
	// "query pattern", "content type", "security", or "body"/"frame"
	// followed by a JSON pointer, such as "body/error/code".
	Where string
	// Reason says what is wrong.
	Reason string
	// Err is the cause: ErrUndeclared, ErrHeader and so on.
	Err error
	// Rule is the schema keyword the value breaks, such as "type",
	// "required", "enum" or "pattern"; empty for issues that are not a
	// schema's.
	Rule string
	// Value is the offending value as JSON, cut to MaxIssueValue bytes,
	// with secrets redacted; empty when there is none (a missing
	// property) or it is not known.
	Value string
}

// MaxIssueValue bounds Issue.Value.
const MaxIssueValue = 120

func (i Issue) String() string { return i.Where + ": " + i.Reason }

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("spec: ")
	b.WriteString(e.Subject)
	b.WriteString(": ")
	for i, is := range e.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(is.String())
	}
	return b.String()
}

// Unwrap returns the distinct causes of the issues, so that errors.Is
// matches each of them.
func (e *ValidationError) Unwrap() []error {
	var out []error
	for _, is := range e.Issues {
		if is.Err != nil && !slices.Contains(out, is.Err) {
			out = append(out, is.Err)
		}
	}
	return out
}

// done replaces every secret in the issues' text by protocol.Redacted, sorts the
// issues by place so that the text is stable, and returns e, or nil if it
// has no issues.
func (e *ValidationError) done(secrets []string) error {
	if len(e.Issues) == 0 {
		return nil
	}
	sort.SliceStable(e.Issues, func(i, j int) bool { return e.Issues[i].Where < e.Issues[j].Where })
	var pairs []string
	for _, s := range secrets {
		if s != "" && s != protocol.Redacted {
			pairs = append(pairs, s, protocol.Redacted)
		}
	}
	if len(pairs) > 0 {
		r := strings.NewReplacer(pairs...)
		e.Subject = r.Replace(e.Subject)
		for i := range e.Issues {
			e.Issues[i].Where = r.Replace(e.Issues[i].Where)
			e.Issues[i].Reason = r.Replace(e.Issues[i].Reason)
			e.Issues[i].Value = r.Replace(e.Issues[i].Value)
		}
	}
	return e
}

// schemaIssues turns an error of openapi3.Schema.VisitJSON into issues
// located under prefix ("body", "frame"). It descends into allOf members
// and into the one oneOf member a discriminator chose, so that the issue
// names the innermost field.
func schemaIssues(out []Issue, prefix string, err error) []Issue {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			out = schemaIssues(out, prefix, x)
		}
		return out
	case *openapi3.SchemaError:
		nested := nestedErrors(e)
		if len(nested) > 0 && (e.SchemaField == "allOf" || len(nested) == 1) {
			for _, x := range nested {
				out = schemaIssues(out, prefix, x)
			}
			return out
		}
		reason := e.Reason
		if reason == "" {
			reason = "does not match the schema's " + e.SchemaField
		}
		return append(out, Issue{Where: prefix + pointer(e.JSONPointer()), Reason: reason, Err: ErrSchema,
			Rule: e.SchemaField, Value: issueValue(e)})
	}
	return append(out, Issue{Where: prefix, Reason: err.Error(), Err: ErrSchema})
}

// nestedErrors returns the member errors of a failed allOf or oneOf.
// kin-openapi keeps them in Origin as "doesn't match schema due to: %w".
func nestedErrors(e *openapi3.SchemaError) []error {
	if e.Origin == nil {
		return nil
	}
	u := errors.Unwrap(e.Origin)
	for range 2 {
		if me, ok := u.(openapi3.MultiError); ok {
			return me
		}
		w, ok := u.(interface{ Unwrap() error })
		if !ok {
			return nil
		}
		u = w.Unwrap()
	}
	return nil
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// issueValue is the offending value of a schema error as JSON, cut to
// MaxIssueValue bytes; "" for a missing property, whose value the error
// holds as the parent object.
func issueValue(e *openapi3.SchemaError) string {
	if e.SchemaField == "required" {
		return ""
	}
	b, err := json.Marshal(e.Value)
	if err != nil {
		return ""
	}
	if len(b) > MaxIssueValue {
		cut := MaxIssueValue
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return string(b[:cut]) + "…"
	}
	return string(b)
}
