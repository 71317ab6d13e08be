package spec

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
	"go.yaml.in/yaml/v4"
)

// These tests keep the Go side (../protocol: errors.go, protocol.go, frames.go,
// events.go) and the YAML documents from drifting apart.

// constsOfFile returns the values of the constants declared in a Go file
// of this package whose type or name satisfies keep.
func constsOfFile(t *testing.T, file string, keep func(name, typ string) bool) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	require.NoError(t, err)
	out := map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ := ""
			if id, ok := vs.Type.(*ast.Ident); ok {
				typ = id.Name
			}
			for i, name := range vs.Names {
				if i >= len(vs.Values) || !keep(name.Name, typ) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
					v := lit.Value
					if s, err := strconv.Unquote(v); err == nil {
						v = s
					}
					out[name.Name] = v
				}
			}
		}
	}
	return out
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func TestErrorCodesMatchTheOpenAPIDocument(t *testing.T) {
	s := mustDefault(t)
	goCodes := sortedValues(constsOfFile(t, "../protocol/errors.go", func(_, typ string) bool { return typ == "ErrorCode" }))
	require.NotEmpty(t, goCodes)

	var yamlCodes []string
	for _, v := range s.OpenAPI().Components.Schemas["ErrorCode"].Value.Enum {
		yamlCodes = append(yamlCodes, v.(string))
	}
	sort.Strings(yamlCodes)
	assert.Equal(t, goCodes, yamlCodes, "ErrorCode constants of errors.go against the ErrorCode enum")

	var listed []string
	for _, c := range allCodes {
		listed = append(listed, string(c))
	}
	sort.Strings(listed)
	assert.Equal(t, goCodes, listed, "allCodes of protocol_test.go")

	// Every code is carried by some response.
	carried := map[protocol.ErrorCode]bool{}
	for _, op := range s.Operations() {
		for _, st := range op.Statuses {
			for _, c := range s.ErrorCodes(op.ID, st) {
				carried[c] = true
			}
		}
	}
	// Every code is carried by some response, but not_found: it answers
	// the paths that are neither endpoint, which the document does not
	// have (section 6).
	for _, c := range goCodes {
		assert.Equal(t, c != string(protocol.CodeNotFound), carried[protocol.ErrorCode(c)], "code %s carried by a response", c)
	}
}

func TestStatusesAndCodesFollowTheProtocolTables(t *testing.T) {
	s := mustDefault(t)
	for _, tc := range []struct {
		id   string
		rows []protocolRow
	}{{opJoin, joinRows}, {opPush, pushRows}, {opPreflight, preflightRows}} {
		op, ok := s.Operation(tc.id)
		require.True(t, ok, tc.id)
		want := map[int][]protocol.ErrorCode{}
		var statuses []int
		for _, r := range tc.rows {
			if _, seen := want[r.status]; !seen {
				statuses = append(statuses, r.status)
			}
			if r.code != "" {
				want[r.status] = append(want[r.status], r.code)
			} else {
				want[r.status] = nil
			}
		}
		sort.Ints(statuses)
		assert.Equal(t, statuses, op.Statuses, "%s statuses", tc.id)
		for _, st := range statuses {
			t.Run(fmt.Sprintf("%s/%d", tc.id, st), func(t *testing.T) {
				assert.ElementsMatch(t, want[st], s.ErrorCodes(tc.id, st))
			})
		}
	}
	assert.Nil(t, s.ErrorCodes("noSuchOperation", 400))
	assert.Nil(t, s.ErrorCodes(opJoin, 418))
}

func TestOperationsMatchProtocolConstants(t *testing.T) {
	s := mustDefault(t)
	assert.Equal(t, []Operation{
		{Method: "GET", Path: protocol.JoinPath, ID: opJoin, Statuses: []int{101, 400, 401, 403, 405, 426, 429, 500, 503}},
		{Method: "OPTIONS", Path: protocol.PushPath, ID: opPreflight, Statuses: []int{204, 403, 405, 500}},
		{Method: "POST", Path: protocol.PushPath, ID: opPush, Statuses: []int{202, 400, 401, 404, 405, 413, 415, 429, 500}},
	}, s.Operations())

	doc := s.OpenAPI()
	params := map[string]string{}
	for _, p := range doc.Components.Parameters {
		params[p.Value.In+" "+p.Value.Name] = p.Value.Name
	}
	for _, want := range []string{
		"query " + protocol.QueryPattern, "query " + protocol.QueryAccessToken, "query " + protocol.QuerySecretKey, "query " + protocol.QuerySession,
		"header " + protocol.HeaderAccessToken, "header " + protocol.HeaderSecretKey,
	} {
		assert.Contains(t, params, want)
	}
	schemes := map[string]bool{}
	for _, sc := range doc.Components.SecuritySchemes {
		schemes[sc.Value.In+" "+sc.Value.Name] = true
	}
	assert.Equal(t, map[string]bool{
		"header " + protocol.HeaderAccessToken: true, "header " + protocol.HeaderSecretKey: true,
		"query " + protocol.QueryAccessToken: true, "query " + protocol.QuerySecretKey: true,
	}, schemes)

	assert.Equal(t, protocol.SessionIDPattern.String(), doc.Components.Schemas["SessionId"].Value.Pattern)
	body := doc.Paths.Value(protocol.PushPath).Post.RequestBody.Value
	assert.Contains(t, body.Description, strconv.Itoa(protocol.MaxPushBody), "push body limit")
	assert.Contains(t, string(AsyncAPIYAML()), fmt.Sprintf("over %d KiB", protocol.MaxClientFrame>>10), "client frame limit")
}

func TestCloseCodesAreDocumented(t *testing.T) {
	s := mustDefault(t)
	consts := constsOfFile(t, "../protocol/protocol.go", func(name, _ string) bool {
		return strings.HasPrefix(name, "Close") && name != "CloseCodes"
	})
	var goCodes []int
	for _, v := range consts {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		goCodes = append(goCodes, n)
	}
	sort.Ints(goCodes)
	assert.Equal(t, goCodes, slices.Sorted(slices.Values(protocol.CloseCodes)), "Close* constants against CloseCodes")
	assert.Equal(t, goCodes, s.CloseCodes(), "CloseCodes against x-close-codes of %s", AsyncAPIFile)

	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(AsyncAPIYAML(), &root))
	desc := scalar(get(get(get(root.Content[0], "channels"), "join"), "description"))
	for _, c := range goCodes {
		assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`\| %d \| \S`, c)), desc, "close code %d in the channel's table", c)
		assert.True(t, protocol.KnownCloseCode(c))
	}
	assert.False(t, protocol.KnownCloseCode(1002))
}

func TestFrameAndEventNamesMatch(t *testing.T) {
	s := mustDefault(t)
	assert.Equal(t, []string{protocol.FramePush, protocol.FrameSession, protocol.FrameTrigger}, s.MessageTypes())

	schemas := s.OpenAPI().Components.Schemas
	var types []string
	for _, v := range schemas["TriggerType"].Value.Enum {
		types = append(types, v.(string))
	}
	var goTypes []string
	for _, tt := range protocol.TriggerTypes {
		goTypes = append(goTypes, tt.Type)
		assert.NotEmpty(t, tt.Name)
	}
	assert.Equal(t, goTypes, types, "TriggerTypes against the TriggerType enum")

	d := schemas["Event"].Value.Discriminator
	require.NotNil(t, d)
	assert.Equal(t, "kind", d.PropertyName)
	assert.ElementsMatch(t, []string{protocol.KindSalesTrigger, protocol.KindNewsItem}, sortedKeys(d.Mapping))
	assert.Equal(t, []any{protocol.KindSalesTrigger}, schemas["SalesTrigger"].Value.Properties["kind"].Value.Enum)
	assert.Equal(t, []any{protocol.KindNewsItem}, schemas["NewsItem"].Value.Properties["kind"].Value.Enum)
}

// TestSchemasAreUsed replaces spectral's oas3-unused-component, which
// cannot see the references of asyncapi.yaml: every schema must be
// referenced from one of the two documents.
func TestSchemasAreUsed(t *testing.T) {
	s := mustDefault(t)
	ref := regexp.MustCompile(`\$ref: '(?:\./openapi\.yaml)?#/components/schemas/([A-Za-z0-9_]+)'`)
	used := map[string]bool{}
	for _, doc := range [][]byte{OpenAPIYAML(), AsyncAPIYAML()} {
		for _, m := range ref.FindAllSubmatch(doc, -1) {
			used[string(m[1])] = true
		}
	}
	for _, name := range sortedKeys(s.OpenAPI().Components.Schemas) {
		assert.True(t, used[name], "schema %s is referenced nowhere", name)
	}
}

// jsonFields returns the JSON names of a struct type's fields and which
// of them are always written (no omitempty).
func jsonFields(t *testing.T, v any) (all, always []string) {
	t.Helper()
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		tag := rt.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}

func TestGoTypesMatchSchemaFields(t *testing.T) {
	s := mustDefault(t)
	schemas := s.OpenAPI().Components.Schemas
	cases := []struct {
		schema string
		value  any
	}{
		{"SalesTrigger", protocol.SalesTrigger{}},
		{"Location", protocol.Location{}},
		{"Employee", protocol.Employee{}},
		{"NewsItem", protocol.NewsItem{}},
		{"Annotation", protocol.Annotation{}},
		{"Entity", protocol.Entity{}},
		{"Quotation", protocol.Quotation{}},
		{"ErrorBody", protocol.ErrorBody{}},
		{"ErrorDetail", protocol.ErrorDetail{}},
		{"PushResponse", protocol.PushResponse{}},
	}
	for _, c := range cases {
		t.Run(c.schema, func(t *testing.T) {
			sc := schemas[c.schema].Value
			all, always := jsonFields(t, c.value)
			assert.Equal(t, sortedKeys(sc.Properties), all, "properties")
			required := slices.Sorted(slices.Values(sc.Required))
			assert.Equal(t, required, always, "required properties against fields without omitempty")
		})
	}
	t.Run("Frame", func(t *testing.T) {
		props := map[string]bool{}
		for _, name := range []string{"SessionFrame", "TriggerFrame", "PushFrame"} {
			for p := range schemas[name].Value.Properties {
				props[p] = true
			}
		}
		all, _ := jsonFields(t, protocol.Frame{})
		assert.Equal(t, sortedKeys(props), all)
	})
}

// visit validates a JSON value against a named schema of the document.
func visit(t *testing.T, s *Spec, schema string, v any) error {
	t.Helper()
	sr := s.OpenAPI().Components.Schemas[schema]
	require.NotNil(t, sr, schema)
	return sr.Value.VisitJSON(v, openapi3.MultiErrors())
}
