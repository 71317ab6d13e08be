package spec

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// exampleCase is one example of the OpenAPI document with the schema it
// must match. Load checks every one, so that a broken example is reported
// with its place and line rather than kin-openapi's dump of schema and
// value.
type exampleCase struct {
	path   []string // JSON pointer tokens of the example in the document
	label  string   // instead of path, where the example has no pointer
	value  any
	schema *openapi3.Schema
}

// where is the example's JSON pointer, such as
// "#/components/schemas/SessionFrame/example", or its label.
func (c exampleCase) where() string {
	if c.label != "" {
		return c.label
	}
	return "#" + pointer(c.path)
}

// check validates the example against its schema.
func (c exampleCase) check() error {
	if c.schema == nil {
		return errors.New("no schema to check the example against")
	}
	if err := c.schema.VisitJSON(c.value, schemaOpts...); err != nil {
		var texts []string
		for _, is := range schemaIssues(nil, "example", err) {
			texts = append(texts, is.String())
		}
		return errors.New(strings.Join(texts, "; "))
	}
	return nil
}

// checkOpenAPIExamples validates every example of doc; root is the YAML
// of the document, to name the line of a broken example.
func checkOpenAPIExamples(doc *openapi3.T, root *yaml.Node) error {
	for _, c := range openAPIExamples(doc) {
		if err := c.check(); err != nil {
			return &docError{line: lineOf(root, c.path), msg: fmt.Sprintf("%s: %v", c.where(), err)}
		}
	}
	return nil
}

// lineOf returns the line of the node at a JSON pointer (of its key, in
// a mapping), or 0.
func lineOf(root *yaml.Node, tokens []string) int {
	if root == nil || len(root.Content) == 0 {
		return 0
	}
	n, line := root.Content[0], 0
	for _, tok := range tokens {
		line = 0
		if m := deref(n); m != nil && m.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(m.Content); i += 2 {
				if m.Content[i].Value == tok {
					line = m.Content[i].Line
					break
				}
			}
		}
		if n = child(n, tok); n == nil {
			return 0
		}
		if line == 0 {
			line = n.Line
		}
	}
	return line
}

// openAPIExamples walks the OpenAPI document and returns every example
// with its schema: examples of schemas (including inline sub-schemas),
// parameters, headers and media types.
func openAPIExamples(doc *openapi3.T) []exampleCase {
	var w exampleWalker
	if c := doc.Components; c != nil {
		for _, name := range sortedKeys(c.Schemas) {
			w.schema(c.Schemas[name], "components", "schemas", name)
		}
		for _, name := range sortedKeys(c.Parameters) {
			w.parameter(c.Parameters[name].Value, "components", "parameters", name)
		}
		for _, name := range sortedKeys(c.Headers) {
			w.header(c.Headers[name].Value, "components", "headers", name)
		}
		for _, name := range sortedKeys(c.Responses) {
			w.response(c.Responses[name].Value, "components", "responses", name)
		}
		for _, name := range sortedKeys(c.RequestBodies) {
			w.content(c.RequestBodies[name].Value.Content, "components", "requestBodies", name)
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		ops := doc.Paths.Value(path).Operations()
		for _, method := range sortedKeys(ops) {
			op := ops[method]
			at := []string{"paths", path, strings.ToLower(method)}
			for i, p := range op.Parameters {
				if p.Ref == "" {
					w.parameter(p.Value, with(at, "parameters", fmt.Sprint(i))...)
				}
			}
			if rb := op.RequestBody; rb != nil && rb.Ref == "" {
				w.content(rb.Value.Content, with(at, "requestBody")...)
			}
			for _, st := range sortedKeys(op.Responses.Map()) {
				if r := op.Responses.Value(st); r.Ref == "" {
					w.response(r.Value, with(at, "responses", st)...)
				}
			}
		}
	}
	return w.cases
}

type exampleWalker struct{ cases []exampleCase }

// with returns a new slice: at followed by more.
func with(at []string, more ...string) []string {
	return append(append([]string(nil), at...), more...)
}

func (w *exampleWalker) add(value any, s *openapi3.SchemaRef, path ...string) {
	var schema *openapi3.Schema
	if s != nil {
		schema = s.Value
	}
	w.cases = append(w.cases, exampleCase{path: path, value: value, schema: schema})
}

// schema visits s and its inline sub-schemas; schemas reached through a
// $ref are visited under their own name.
func (w *exampleWalker) schema(s *openapi3.SchemaRef, at ...string) {
	if s == nil || s.Value == nil {
		return
	}
	v := s.Value
	if v.Example != nil {
		w.add(v.Example, s, with(at, "example")...)
	}
	inline := func(sub *openapi3.SchemaRef, more ...string) {
		if sub != nil && sub.Ref == "" {
			w.schema(sub, with(at, more...)...)
		}
	}
	for _, name := range sortedKeys(v.Properties) {
		inline(v.Properties[name], "properties", name)
	}
	inline(v.Items, "items")
	inline(v.Not, "not")
	inline(v.AdditionalProperties.Schema, "additionalProperties")
	for _, kw := range []struct {
		name string
		list openapi3.SchemaRefs
	}{{"allOf", v.AllOf}, {"oneOf", v.OneOf}, {"anyOf", v.AnyOf}} {
		for i, sub := range kw.list {
			inline(sub, kw.name, fmt.Sprint(i))
		}
	}
}

func (w *exampleWalker) parameter(p *openapi3.Parameter, at ...string) {
	w.examples(p.Example, p.Examples, p.Schema, at)
	if p.Schema != nil && p.Schema.Ref == "" {
		w.schema(p.Schema, with(at, "schema")...)
	}
}

func (w *exampleWalker) header(h *openapi3.Header, at ...string) {
	w.examples(h.Example, h.Examples, h.Schema, at)
	if h.Schema != nil && h.Schema.Ref == "" {
		w.schema(h.Schema, with(at, "schema")...)
	}
}

func (w *exampleWalker) response(r *openapi3.Response, at ...string) {
	for _, name := range sortedKeys(r.Headers) {
		if h := r.Headers[name]; h.Ref == "" {
			w.header(h.Value, with(at, "headers", name)...)
		}
	}
	w.content(r.Content, at...)
}

func (w *exampleWalker) content(c openapi3.Content, at ...string) {
	for _, mime := range sortedKeys(c) {
		mt := c[mime]
		path := with(at, "content", mime)
		w.examples(mt.Example, mt.Examples, mt.Schema, path)
		if mt.Schema != nil && mt.Schema.Ref == "" {
			w.schema(mt.Schema, with(path, "schema")...)
		}
	}
}

func (w *exampleWalker) examples(example any, examples openapi3.Examples, s *openapi3.SchemaRef, at []string) {
	if example != nil {
		w.add(example, s, with(at, "example")...)
	}
	for _, name := range sortedKeys(examples) {
		if ex := examples[name]; ex != nil && ex.Value != nil {
			w.add(ex.Value.Value, s, with(at, "examples", name, "value")...)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
