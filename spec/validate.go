package spec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/wstrigger/wstrigger/protocol"
)

// schemaOpts keep values out of schema error messages and collect every
// problem rather than the first.
var schemaOpts = []openapi3.SchemaValidationOption{
	openapi3.MultiErrors(),
	openapi3.DisableSchemaErrorDetails(),
}

// ValidateResponse checks a response to req against the operation the
// OpenAPI document declares for req's method and path. Routing uses the
// path alone, so a server on any scheme, host and port is matched. A
// method the path does not declare may only be answered with 405, which is
// checked against the 405 response of the path's declared operation.
//
// It reports, as a *ValidationError: an undeclared operation or status
// (ErrUndeclared), a missing or wrong header such as Allow on 405 or
// Retry-After on 429 (ErrHeader), an undeclared content type
// (ErrContentType), a body that is not JSON (ErrMalformed), and a body
// that violates the status's schema, such as an error code the status
// cannot carry (ErrSchema). Headers are checked before the body; after a
// header issue the body is not checked.
func (s *Spec) ValidateResponse(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	if req == nil || req.URL == nil {
		return errors.New("spec: ValidateResponse: no request")
	}
	verr := &ValidationError{Subject: fmt.Sprintf("response %d to %s %s", status, req.Method, req.URL.Path)}
	secrets := append(protocol.RequestSecrets(req), bodySessions(body)...)
	route, declared, issue := s.route(req)
	if issue != nil {
		verr.Issues = append(verr.Issues, *issue)
		return verr.done(secrets)
	}
	resp := route.Operation.Responses.Status(status)
	switch {
	case !declared && status != http.StatusMethodNotAllowed:
		verr.Issues = append(verr.Issues, Issue{Where: "method", Err: ErrUndeclared,
			Reason: fmt.Sprintf("%s is not declared for %s; only a 405 may answer it", req.Method, route.Path)})
	case resp == nil:
		verr.Issues = append(verr.Issues, Issue{Where: "status", Err: ErrUndeclared,
			Reason: fmt.Sprintf("%d is not declared for %s (declared: %s)", status, route.Operation.OperationID, statusList(route.Operation))})
	}
	if len(verr.Issues) > 0 {
		return verr.done(secrets)
	}

	kreq := req
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: schemaOpts}
	if req.Method == http.MethodHead {
		// kin-openapi skips HEAD responses; check their status and
		// headers as if for GET, without a body.
		kreq = req.Clone(ctx)
		kreq.Method = http.MethodGet
		opts.ExcludeResponseBody = true
	}
	header = canonicalHeader(header)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: kreq, PathParams: map[string]string{}, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	input.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil {
		verr.Issues = responseIssues(err, header)
	}
	return verr.done(secrets)
}

// ValidateRequest checks a request against the operation the OpenAPI
// document declares for its method and path: parameters, headers (such as
// the WebSocket upgrade headers of the join), credentials (one complete
// set that the operation accepts must be present; their values are not
// checked) and body. It reads req.Body and replaces it with an equivalent
// reader. Issues are reported as for ValidateResponse, plus ErrParameter
// and ErrSecurity.
func (s *Spec) ValidateRequest(ctx context.Context, req *http.Request) error {
	if req == nil || req.URL == nil {
		return errors.New("spec: ValidateRequest: no request")
	}
	verr := &ValidationError{Subject: fmt.Sprintf("request %s %s", req.Method, req.URL.Path)}
	secrets := protocol.RequestSecrets(req)
	route, declared, issue := s.route(req)
	switch {
	case issue != nil:
		verr.Issues = append(verr.Issues, *issue)
	case !declared:
		verr.Issues = append(verr.Issues, Issue{Where: "method", Err: ErrUndeclared,
			Reason: fmt.Sprintf("%s is not declared for %s", req.Method, route.Path)})
	}
	if len(verr.Issues) > 0 {
		return verr.done(secrets)
	}
	// Validate a copy whose header keys are canonical: clients such as
	// gorilla/websocket set "Sec-WebSocket-Key" literally, which
	// Header.Get does not find. The copy's body replaces the original's.
	kreq := *req
	kreq.Header = canonicalHeader(req.Header)
	defer func() { req.Body, req.GetBody = kreq.Body, kreq.GetBody }()
	input := &openapi3filter.RequestValidationInput{
		Request:    &kreq,
		PathParams: map[string]string{},
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:              true,
			AuthenticationFunc:      credentialPresent,
			SchemaValidationOptions: schemaOpts,
		},
	}
	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		verr.Issues = requestIssues(nil, err)
	}
	return verr.done(secrets)
}

// ValidateFrame checks one text frame from the server against the schema
// of the AsyncAPI message its "type" selects. It reports a frame that is
// not a UTF-8 JSON object (ErrMalformed), an unknown or missing type
// (ErrUndeclared, ErrSchema) and every departure from the message's
// schema (ErrSchema), such as a missing seq or a session id of the wrong
// shape.
func (s *Spec) ValidateFrame(data []byte) error {
	verr := &ValidationError{Subject: "frame"}
	var v any
	if !utf8.Valid(data) {
		verr.Issues = append(verr.Issues, Issue{Where: "frame", Reason: "not UTF-8", Err: ErrMalformed})
		return verr
	}
	if err := json.Unmarshal(data, &v); err != nil {
		verr.Issues = append(verr.Issues, Issue{Where: "frame", Reason: "not JSON: " + err.Error(), Err: ErrMalformed})
		return verr
	}
	obj, ok := v.(map[string]any)
	if !ok {
		verr.Issues = append(verr.Issues, Issue{Where: "frame", Reason: "not a JSON object", Err: ErrMalformed})
		return verr
	}
	var secrets []string
	if id, ok := obj["session"].(string); ok {
		secrets = append(secrets, id)
	}
	raw, has := obj["type"]
	typ, isString := raw.(string)
	fm := s.frames[typ]
	switch {
	case !has:
		verr.Issues = append(verr.Issues, Issue{Where: "frame", Reason: `property "type" is missing`, Err: ErrSchema})
	case !isString:
		verr.Issues = append(verr.Issues, Issue{Where: "frame/type", Reason: "not a string", Err: ErrSchema})
	case fm == nil:
		verr.Issues = append(verr.Issues, Issue{Where: "frame/type", Err: ErrUndeclared,
			Reason: fmt.Sprintf("unknown frame type %s (declared: %s)", quoteShort(typ), strings.Join(s.types, ", "))})
	default:
		verr.Subject = typ + " frame"
		if err := fm.schema.VisitJSON(v, schemaOpts...); err != nil {
			verr.Issues = schemaIssues(nil, "frame", err)
		}
	}
	return verr.done(secrets)
}

// route finds the operation for req's path, on the path alone. declared
// is false when the path has no operation for req's method; the route
// then holds the path's operation that declares a 405 answer. issue is set
// when no operation matches.
func (s *Spec) route(req *http.Request) (route *routers.Route, declared bool, issue *Issue) {
	p := req.URL.Path
	if p == "" {
		p = "/"
	}
	item := s.doc.Paths.Find(p)
	if item == nil {
		return nil, false, &Issue{Where: "path", Err: ErrUndeclared, Reason: fmt.Sprintf("no operation is declared for %s", quoteShort(p))}
	}
	op := item.GetOperation(req.Method)
	declared = op != nil
	if op == nil {
		methods := item.Operations()
		names := make([]string, 0, len(methods))
		for m := range methods {
			names = append(names, m)
		}
		sort.Strings(names)
		for _, m := range names {
			if methods[m].Responses.Status(http.StatusMethodNotAllowed) != nil {
				op = methods[m]
				break
			}
		}
		if op == nil {
			return nil, false, &Issue{Where: "method", Err: ErrUndeclared, Reason: fmt.Sprintf("%s is not declared for %s", req.Method, p)}
		}
	}
	return &routers.Route{Spec: s.doc, Path: p, PathItem: item, Method: req.Method, Operation: op}, declared, nil
}

func statusList(op *openapi3.Operation) string {
	var sts []int
	for k := range op.Responses.Map() {
		if n, err := strconv.Atoi(k); err == nil {
			sts = append(sts, n)
		}
	}
	sort.Ints(sts)
	parts := make([]string, len(sts))
	for i, n := range sts {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// credentialPresent is the kin-openapi AuthenticationFunc of
// ValidateRequest: a security scheme is met when its header or query
// parameter is present and not empty. Values are never checked or shown.
func credentialPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	sc, r := in.SecurityScheme, in.RequestValidationInput.Request
	var v string
	switch sc.In {
	case "header":
		v = r.Header.Get(sc.Name)
	case "query":
		v = r.URL.Query().Get(sc.Name)
	}
	if v == "" {
		return fmt.Errorf("%s %s missing", sc.In, sc.Name)
	}
	return nil
}

// canonicalHeader returns a copy of h with canonical keys, merging keys
// that differ only in spelling.
func canonicalHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		out[ck] = append(out[ck], vs...)
	}
	return out
}

// bodySessions returns the session id of a push response body, if any.
func bodySessions(body []byte) []string {
	var v struct {
		Session string `json:"session"`
	}
	if json.Unmarshal(body, &v) != nil || v.Session == "" {
		return nil
	}
	return []string{v.Session}
}

// quoteShort quotes s, cut to 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "..."
	}
	return strconv.Quote(s)
}
