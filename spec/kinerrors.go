package spec

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// This file turns the errors of kin-openapi's openapi3filter into Issues.
// Their Error texts may carry request values (a ParseError prints the
// value it failed on), so issues are built from their fields instead.

// quotedName finds the first quoted name in a kin-openapi reason, such as
// the header in `response header "Allow" missing`.
var quotedName = regexp.MustCompile(`"([^"]*)"`)

func responseIssues(err error, header http.Header) []Issue {
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		return []Issue{{Where: "response", Reason: safeText(err), Err: ErrSchema}}
	}
	switch {
	case strings.Contains(re.Reason, "Content-Type"):
		return []Issue{{Where: "content type", Err: ErrContentType,
			Reason: fmt.Sprintf("%s is not declared for this status", quoteShort(header.Get("Content-Type")))}}
	case strings.HasPrefix(re.Reason, "response header "), strings.HasPrefix(re.Reason, "unable to decode header "):
		where := "header"
		if m := quotedName.FindStringSubmatch(re.Reason); m != nil {
			where += " " + m[1]
		}
		if strings.HasSuffix(re.Reason, " missing") {
			return []Issue{{Where: where, Reason: "required but missing", Err: ErrHeader}}
		}
		return asHeaderIssues(schemaOrText(nil, where, re.Err))
	case strings.HasPrefix(re.Reason, "failed to decode response body"):
		return []Issue{{Where: "body", Reason: "not JSON: " + safeText(re.Err), Err: ErrMalformed}}
	case strings.HasPrefix(re.Reason, "response body doesn't match schema"):
		return schemaIssues(nil, "body", re.Err)
	}
	return []Issue{{Where: "response", Reason: re.Reason, Err: ErrSchema}}
}

func requestIssues(out []Issue, err error) []Issue {
	var (
		me  openapi3.MultiError
		re  *openapi3filter.RequestError
		sec *openapi3filter.SecurityRequirementsError
	)
	switch {
	case errors.As(err, &me) && isMulti(err):
		for _, e := range me {
			out = requestIssues(out, e)
		}
		return out
	case errors.As(err, &sec):
		var missing []string
		for _, e := range sec.Errors {
			missing = append(missing, safeText(e))
		}
		return append(out, Issue{Where: "security", Err: ErrSecurity,
			Reason: "no accepted set of credentials is complete: " + strings.Join(missing, "; ")})
	case errors.As(err, &re) && re.Parameter != nil:
		where := re.Parameter.In + " " + re.Parameter.Name
		if re.Parameter.In == openapi3.ParameterInHeader {
			return append(out, asHeaderIssues(schemaOrText(nil, where, re.Err))...)
		}
		issues := schemaOrText(nil, where, re.Err)
		for i := range issues {
			issues[i].Err = ErrParameter
		}
		if re.Err == nil {
			issues = []Issue{{Where: where, Reason: re.Reason, Err: ErrParameter}}
		}
		return append(out, issues...)
	case errors.As(err, &re) && re.RequestBody != nil:
		switch {
		case strings.Contains(re.Reason, "Content-Type"):
			return append(out, Issue{Where: "content type", Reason: "not declared for this request", Err: ErrContentType})
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			return append(out, Issue{Where: "body", Reason: "required but missing", Err: ErrMalformed})
		case strings.HasPrefix(re.Reason, "failed to decode"):
			return append(out, Issue{Where: "body", Reason: "not JSON: " + safeText(re.Err), Err: ErrMalformed})
		}
		return schemaOrText(out, "body", re.Err)
	case errors.As(err, &re):
		return append(out, Issue{Where: "request", Reason: re.Reason, Err: ErrSchema})
	}
	return append(out, Issue{Where: "request", Reason: safeText(err), Err: ErrSchema})
}

// isMulti reports whether err itself (not an error inside it) is a
// MultiError.
func isMulti(err error) bool {
	_, ok := err.(openapi3.MultiError)
	return ok
}

// schemaOrText makes schema issues of err when it holds schema errors,
// and one issue with its safe text otherwise.
func schemaOrText(out []Issue, where string, err error) []Issue {
	if err == nil {
		return append(out, Issue{Where: where, Reason: "invalid", Err: ErrSchema})
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if me, ok := err.(openapi3.MultiError); ok {
			return schemaIssues(out, where, me)
		}
		return schemaIssues(out, where, se)
	}
	return append(out, Issue{Where: where, Reason: safeText(err), Err: ErrSchema})
}

func asHeaderIssues(issues []Issue) []Issue {
	for i := range issues {
		issues[i].Err = ErrHeader
	}
	return issues
}

// safeText describes err without the values kin-openapi's ParseError and
// SchemaError would print.
func safeText(err error) string {
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		parts := []string{}
		if pe.Reason != "" {
			parts = append(parts, pe.Reason)
		}
		if pe.Cause != nil {
			parts = append(parts, safeText(pe.Cause))
		}
		if len(parts) == 0 {
			return "cannot parse"
		}
		return strings.Join(parts, ": ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if se.Reason != "" {
			return se.Reason
		}
		return "does not match the schema's " + se.SchemaField
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		if re.Err != nil {
			return safeText(re.Err)
		}
		return re.Reason
	}
	return err.Error()
}
