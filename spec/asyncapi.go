package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// asyncDoc is what the Go side needs from the AsyncAPI document: the frame
// messages with their resolved schemas and examples, and the close codes.
type asyncDoc struct {
	frames     map[string]*frameMessage // by frame type
	closeCodes []int
}

// frameMessage is one message of the AsyncAPI document.
type frameMessage struct {
	typ        string           // the frame's "type"
	name       string           // the message's key in its channel
	schemaName string           // the OpenAPI schema its payload refers to
	schema     *openapi3.Schema // that schema, resolved
	examples   []docExample
}

// docExample is one example found in a document, as JSON.
type docExample struct {
	where   string // where in the document, for test names and errors
	line    int
	payload []byte
}

// docError is a problem at a line of a spec document.
type docError struct {
	line int
	msg  string
}

func (e *docError) Error() string {
	if e.line == 0 {
		return e.msg
	}
	return fmt.Sprintf("line %d: %s", e.line, e.msg)
}

func errAt(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &docError{line: line, msg: fmt.Sprintf(format, args...)}
}

// openAPIFormats are the schemaFormat values of payloads written as
// OpenAPI 3.0 schemas.
var openAPIFormats = []string{
	"application/vnd.oai.openapi;version=3.0.0",
	"application/vnd.oai.openapi+json;version=3.0.0",
	"application/vnd.oai.openapi+yaml;version=3.0.0",
}

// parseAsyncAPI reads the AsyncAPI document. Each message payload must be
// a $ref to a schema of the OpenAPI document, written
// "./openapi.yaml#/components/schemas/Name", directly or inside a
// multi-format schema whose schemaFormat is OpenAPI 3.0. The frame type of
// a message is the single enum value of its schema's "type" property.
func parseAsyncAPI(data []byte, doc *openapi3.T) (*asyncDoc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &docError{msg: err.Error()}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errAt(&root, "not a YAML mapping")
	}
	top := root.Content[0]
	version := get(top, "asyncapi")
	if version == nil || !strings.HasPrefix(version.Value, "3.") {
		return nil, errAt(top, "asyncapi: want version 3.x")
	}
	channels := get(top, "channels")
	if channels == nil || channels.Kind != yaml.MappingNode || len(channels.Content) == 0 {
		return nil, errAt(top, "no channels")
	}
	out := &asyncDoc{frames: map[string]*frameMessage{}}
	for i := 0; i+1 < len(channels.Content); i += 2 {
		name, ch := channels.Content[i].Value, channels.Content[i+1]
		if err := out.addChannel(top, name, ch, doc); err != nil {
			return nil, err
		}
	}
	if len(out.frames) == 0 {
		return nil, errAt(channels, "no messages")
	}
	slices.Sort(out.closeCodes)
	out.closeCodes = slices.Compact(out.closeCodes)
	return out, nil
}

func (a *asyncDoc) addChannel(top *yaml.Node, name string, ch *yaml.Node, doc *openapi3.T) error {
	msgs := get(ch, "messages")
	if msgs != nil && msgs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(msgs.Content); i += 2 {
			key, ref := msgs.Content[i].Value, msgs.Content[i+1]
			msg, err := resolveLocal(top, ref)
			if err != nil {
				return err
			}
			fm, err := parseMessage(key, msg, doc)
			if err != nil {
				return err
			}
			if prev := a.frames[fm.typ]; prev != nil && prev.schema != fm.schema {
				return errAt(ref, "channel %s: message %s: frame type %q already belongs to message %s", name, key, fm.typ, prev.name)
			}
			a.frames[fm.typ] = fm
		}
	}
	if codes := get(ch, "x-close-codes"); codes != nil {
		if codes.Kind != yaml.SequenceNode {
			return errAt(codes, "channel %s: x-close-codes is not a list", name)
		}
		for _, c := range codes.Content {
			n, err := strconv.Atoi(scalar(get(c, "code")))
			if err != nil {
				return errAt(c, "channel %s: x-close-codes: entry without an integer code", name)
			}
			a.closeCodes = append(a.closeCodes, n)
		}
	}
	return nil
}

func parseMessage(key string, msg *yaml.Node, doc *openapi3.T) (*frameMessage, error) {
	payload := get(msg, "payload")
	if payload == nil {
		return nil, errAt(msg, "message %s: no payload", key)
	}
	schemaNode := payload
	if f := get(payload, "schemaFormat"); f != nil {
		if !slices.Contains(openAPIFormats, f.Value) {
			return nil, errAt(f, "message %s: schemaFormat %q: want an OpenAPI 3.0 format", key, f.Value)
		}
		schemaNode = get(payload, "schema")
	}
	refNode := get(schemaNode, "$ref")
	if refNode == nil {
		return nil, errAt(payload, "message %s: payload must be a $ref to a schema of %s", key, OpenAPIFile)
	}
	schemaName, schema, err := resolveOpenAPIRef(refNode.Value, doc)
	if err != nil {
		return nil, errAt(refNode, "message %s: %v", key, err)
	}
	typ, err := frameType(schema)
	if err != nil {
		return nil, errAt(refNode, "message %s: schema %s: %v", key, schemaName, err)
	}
	fm := &frameMessage{typ: typ, name: key, schemaName: schemaName, schema: schema}
	if exs := get(msg, "examples"); exs != nil {
		for i, ex := range exs.Content {
			p := get(ex, "payload")
			if p == nil {
				continue
			}
			js, err := yamlToJSON(p)
			if err != nil {
				return nil, errAt(ex, "message %s: example %d: %v", key, i, err)
			}
			where := fmt.Sprintf("%s message %s example %d", AsyncAPIFile, key, i)
			if n := scalar(get(ex, "name")); n != "" {
				where += " (" + n + ")"
			}
			if err := checkExample(schema, js); err != nil {
				return nil, errAt(ex, "message %s: example %d: %v", key, i, err)
			}
			fm.examples = append(fm.examples, docExample{where: where, line: p.Line, payload: js})
		}
	}
	return fm, nil
}

// checkExample validates a JSON example against schema.
func checkExample(schema *openapi3.Schema, js []byte) error {
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		return err
	}
	if err := schema.VisitJSON(v, schemaOpts...); err != nil {
		var texts []string
		for _, is := range schemaIssues(nil, "payload", err) {
			texts = append(texts, is.String())
		}
		return errors.New(strings.Join(texts, "; "))
	}
	return nil
}

// resolveOpenAPIRef resolves "./openapi.yaml#/components/schemas/Name".
func resolveOpenAPIRef(ref string, doc *openapi3.T) (string, *openapi3.Schema, error) {
	file, frag, ok := strings.Cut(ref, "#")
	if !ok || path.Clean(file) != OpenAPIFile {
		return "", nil, fmt.Errorf("$ref %q: want %s#/components/schemas/<name>", ref, OpenAPIFile)
	}
	name, ok := strings.CutPrefix(frag, "/components/schemas/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", nil, fmt.Errorf("$ref %q: want a schema under #/components/schemas/", ref)
	}
	name = unescapePointer(name)
	var sr *openapi3.SchemaRef
	if doc.Components != nil {
		sr = doc.Components.Schemas[name]
	}
	if sr == nil || sr.Value == nil {
		return "", nil, fmt.Errorf("$ref %q: %s has no schema %q", ref, OpenAPIFile, name)
	}
	return name, sr.Value, nil
}

// frameType returns the single enum value of the schema's "type" property.
func frameType(s *openapi3.Schema) (string, error) {
	p := s.Properties["type"]
	if p == nil || p.Value == nil || len(p.Value.Enum) != 1 {
		return "", fmt.Errorf(`property "type" must have exactly one enum value`)
	}
	t, ok := p.Value.Enum[0].(string)
	if !ok || t == "" {
		return "", fmt.Errorf(`property "type" must be a non-empty string`)
	}
	return t, nil
}

// resolveLocal follows local $refs ("#/a/b") from n, at most 8 deep.
func resolveLocal(top, n *yaml.Node) (*yaml.Node, error) {
	for range 8 {
		r := get(n, "$ref")
		if r == nil {
			return n, nil
		}
		frag, ok := strings.CutPrefix(r.Value, "#/")
		if !ok {
			return nil, errAt(r, "$ref %q: want a reference inside the document", r.Value)
		}
		cur := top
		for _, tok := range strings.Split(frag, "/") {
			cur = child(cur, unescapePointer(tok))
			if cur == nil {
				return nil, errAt(r, "$ref %q: not found", r.Value)
			}
		}
		n = cur
	}
	return nil, errAt(n, "$ref chain deeper than 8")
}

func unescapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// child is get for mappings and an index for sequences.
func child(n *yaml.Node, tok string) *yaml.Node {
	n = deref(n)
	if n != nil && n.Kind == yaml.SequenceNode {
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(n.Content) {
			return nil
		}
		return deref(n.Content[i])
	}
	return get(n, tok)
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// yamlToJSON writes a YAML node as JSON, keeping the order of keys. Only
// the core schema's tags are accepted; timestamps stay strings.
func yamlToJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, n, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	n = deref(n)
	if n == nil {
		b.WriteString("null")
		return nil
	}
	if depth > 64 {
		return fmt.Errorf("line %d: nested deeper than 64", n.Line)
	}
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		return writeScalar(b, n)
	default:
		return fmt.Errorf("line %d: unsupported YAML node", n.Line)
	}
	return nil
}

func writeScalar(b *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		b.WriteString("null")
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return err
		}
		b.WriteString(strconv.FormatBool(v))
	case "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		b.Write(js)
	default: // !!str, !!timestamp, !!binary: keep the text
		js, _ := json.Marshal(n.Value)
		b.Write(js)
	}
	return nil
}
