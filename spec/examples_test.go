package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
)

// asyncAPIExamples returns the message examples (from the loaded Spec)
// and the examples of inline JSON schemas of the AsyncAPI document, such
// as those of the ws channel binding.
func asyncAPIExamples(t *testing.T, s *Spec, data []byte) []exampleCase {
	t.Helper()
	var cases []exampleCase
	for _, typ := range s.MessageTypes() {
		fm := s.frames[typ]
		for _, ex := range fm.examples {
			var v any
			require.NoError(t, json.Unmarshal(ex.payload, &v), ex.where)
			cases = append(cases, exampleCase{label: ex.where, value: v, schema: fm.schema})
		}
	}
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &root))
	walkYAML(root.Content[0], "#", func(at string, parent *yaml.Node, key string, val *yaml.Node) {
		if key != "examples" || get(parent, "payload") != nil || val.Kind != yaml.SequenceNode {
			return // message examples are covered above
		}
		schema := jsonSchemaOf(t, parent)
		for i, item := range val.Content {
			js, err := yamlToJSON(item)
			require.NoError(t, err)
			var v any
			require.NoError(t, json.Unmarshal(js, &v))
			cases = append(cases, exampleCase{label: fmt.Sprintf("%s %s/%d", AsyncAPIFile, at, i), value: v, schema: schema})
		}
	})
	return cases
}

// jsonSchemaOf reads a simple inline JSON schema of the AsyncAPI
// document (type, enum, minLength, pattern...) as an OpenAPI schema.
func jsonSchemaOf(t *testing.T, n *yaml.Node) *openapi3.Schema {
	t.Helper()
	js, err := yamlToJSON(n)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	delete(m, "examples")
	js, err = json.Marshal(m)
	require.NoError(t, err)
	var s openapi3.Schema
	require.NoError(t, json.Unmarshal(js, &s))
	return &s
}

// walkYAML calls fn for every key of every mapping under n, except inside
// example values, properties maps (whose keys are field names) and
// extensions.
func walkYAML(n *yaml.Node, at string, fn func(at string, parent *yaml.Node, key string, val *yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			path := at + "/" + key
			fn(path, n, key, val)
			switch {
			case key == "example" || key == "examples" || strings.HasPrefix(key, "x-"):
			case key == "properties" && val.Kind == yaml.MappingNode:
				for j := 0; j+1 < len(val.Content); j += 2 {
					walkYAML(val.Content[j+1], path+"/"+val.Content[j].Value, fn)
				}
			default:
				walkYAML(val, path, fn)
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkYAML(c, fmt.Sprintf("%s/%d", at, i), fn)
		}
	}
}

// countExamples counts the examples written in a document: one per
// "example" key, one per entry of an "examples" map or list.
func countExamples(t *testing.T, data []byte) int {
	t.Helper()
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &root))
	n := 0
	walkYAML(root.Content[0], "#", func(_ string, _ *yaml.Node, key string, val *yaml.Node) {
		switch {
		case key == "example":
			n++
		case key == "examples" && val.Kind == yaml.MappingNode:
			n += len(val.Content) / 2
		case key == "examples" && val.Kind == yaml.SequenceNode:
			n += len(val.Content)
		}
	})
	return n
}

func TestExamplesMatchTheirSchemas(t *testing.T) {
	s := mustDefault(t)
	oCases := openAPIExamples(s.OpenAPI())
	aCases := asyncAPIExamples(t, s, AsyncAPIYAML())

	// The walkers must find every example written in the documents, so
	// that a new example anywhere is checked.
	assert.Equal(t, countExamples(t, OpenAPIYAML()), len(oCases), "examples in %s found by the walker", OpenAPIFile)
	assert.Equal(t, countExamples(t, AsyncAPIYAML()), len(aCases), "examples in %s found by the walker", AsyncAPIFile)

	for _, c := range append(oCases, aCases...) {
		t.Run(c.where(), func(t *testing.T) {
			assert.NoError(t, c.check())
		})
	}
}

func TestEveryMessageAndResponseHasAnExample(t *testing.T) {
	s := mustDefault(t)
	for _, typ := range s.MessageTypes() {
		assert.NotEmpty(t, s.frames[typ].examples, "message for frame type %q", typ)
	}
	var w exampleWalker
	for _, op := range s.Operations() {
		item := s.OpenAPI().Paths.Value(op.Path)
		o := item.GetOperation(op.Method)
		for _, st := range op.Statuses {
			t.Run(fmt.Sprintf("%s/%d", op.ID, st), func(t *testing.T) {
				w.cases = nil
				w.response(o.Responses.Status(st).Value)
				assert.NotEmpty(t, w.cases, "response without an example (body or header)")
			})
		}
	}
}

// TestBrokenExamplesAreCaught proves that the checks can fail: an example
// that lost a required field is reported, both by the walkers of this
// file and by Load.
func TestBrokenExamplesAreCaught(t *testing.T) {
	t.Run("openapi schema example", func(t *testing.T) {
		broken := mustReplace(t, OpenAPIYAML(), "        heartbeat: 30\n    TriggerFrame:", "    TriggerFrame:")
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromDataWithPath(broken, &url.URL{Path: OpenAPIFile})
		require.NoError(t, err)
		var failed []string
		for _, c := range openAPIExamples(doc) {
			if err := c.check(); err != nil {
				failed = append(failed, c.where()+": "+err.Error())
			}
		}
		require.Len(t, failed, 1)
		assert.Contains(t, failed[0], "#/components/schemas/SessionFrame/example")
		assert.Contains(t, failed[0], `property "heartbeat" is missing`)
		assert.Error(t, doc.Validate(context.Background()), "kin-openapi validates schema examples too")

		// Load names the file, the line and the place.
		at := bytes.Index(broken, []byte("    SessionFrame:\n"))
		at += bytes.Index(broken[at:], []byte("      example:\n"))
		line := bytes.Count(broken[:at], []byte("\n")) + 1
		_, err = Load(fstest.MapFS{OpenAPIFile: {Data: broken}, AsyncAPIFile: {Data: AsyncAPIYAML()}})
		assert.EqualError(t, err, fmt.Sprintf(`spec: openapi.yaml: line %d: #/components/schemas/SessionFrame/example: example/heartbeat: property "heartbeat" is missing`, line))
	})
	t.Run("asyncapi message example", func(t *testing.T) {
		broken := mustReplace(t, AsyncAPIYAML(), "            type: push\n            seq: 8\n", "            type: push\n")
		_, err := Load(fstest.MapFS{OpenAPIFile: {Data: OpenAPIYAML()}, AsyncAPIFile: {Data: broken}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "asyncapi.yaml: line ")
		assert.Contains(t, err.Error(), `message push: example 1: payload/seq: property "seq" is missing`)
	})
	t.Run("asyncapi binding example", func(t *testing.T) {
		broken := mustReplace(t, AsyncAPIYAML(),
			"instead of the X-API-AccessToken header.\n              examples:\n                - at_7Kq2Vd9LmX4pRt8Wz3Bn\n",
			"instead of the X-API-AccessToken header.\n              examples:\n                - ''\n")
		s, err := Load(fstest.MapFS{OpenAPIFile: {Data: OpenAPIYAML()}, AsyncAPIFile: {Data: broken}})
		require.NoError(t, err)
		var failed []string
		for _, c := range asyncAPIExamples(t, s, broken) {
			if err := c.check(); err != nil {
				failed = append(failed, c.where()+": "+err.Error())
			}
		}
		require.Len(t, failed, 1)
		assert.Contains(t, failed[0], "accessToken/examples/0")
		assert.Contains(t, failed[0], "minimum string length is 1")
	})
}

func mustReplace(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	require.Equal(t, 1, bytes.Count(data, []byte(old)), "%q must occur once", old)
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}
