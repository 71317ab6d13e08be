package spec

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wstrigger/wstrigger/protocol"
	"go.yaml.in/yaml/v4"
)

// Spec is the loaded pair of documents: the OpenAPI document, validated
// by kin-openapi, and the AsyncAPI document, whose frame payloads are
// resolved to the OpenAPI document's schemas. A Spec is immutable once
// loaded; its methods may be called from many goroutines at once.
type Spec struct {
	doc        *openapi3.T
	ops        []Operation
	frames     map[string]*frameMessage // by frame type
	types      []string                 // sorted keys of frames
	closeCodes []int
}

// Operation is one HTTP operation the OpenAPI document declares.
type Operation struct {
	Method   string // upper case, such as "GET"
	Path     string // such as JoinPath
	ID       string // operationId, such as "joinWebsocket"
	Statuses []int  // declared response statuses, ascending
}

// Load reads openapi.yaml and asyncapi.yaml from the root of fsys,
// validates the OpenAPI document and resolves the AsyncAPI payloads to its
// schemas. Errors name the file and, where known, the line.
func Load(fsys fs.FS) (*Spec, error) {
	oData, err := fs.ReadFile(fsys, OpenAPIFile)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	aData, err := fs.ReadFile(fsys, AsyncAPIFile)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	doc, err := loadOpenAPI(oData)
	if err != nil {
		return nil, fmt.Errorf("spec: %s: %w", OpenAPIFile, err)
	}
	async, err := parseAsyncAPI(aData, doc)
	if err != nil {
		return nil, fmt.Errorf("spec: %s: %w", AsyncAPIFile, err)
	}
	s := &Spec{
		doc:        doc,
		ops:        operations(doc),
		frames:     async.frames,
		closeCodes: async.closeCodes,
	}
	for t := range s.frames {
		s.types = append(s.types, t)
	}
	sort.Strings(s.types)
	return s, nil
}

var loadDefault = sync.OnceValues(func() (*Spec, error) { return Load(embedded) })

// Default returns the Spec of the embedded documents. It is loaded on the
// first call and shared afterwards.
func Default() (*Spec, error) { return loadDefault() }

func loadOpenAPI(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromDataWithPath(data, &url.URL{Path: OpenAPIFile})
	if err != nil {
		return nil, err
	}
	// Examples are checked below, by checkOpenAPIExamples, whose errors
	// are short and name the line.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if err := checkOpenAPIExamples(doc, &root); err != nil {
		return nil, err
	}
	if !doc.IsOpenAPI30() {
		return nil, fmt.Errorf("openapi %q: want 3.0.x, whose schema rules validate the frames", doc.OpenAPI)
	}
	return doc, nil
}

func operations(doc *openapi3.T) []Operation {
	var ops []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{Method: method, Path: path, ID: op.OperationID}
			for key := range op.Responses.Map() {
				if st, err := strconv.Atoi(key); err == nil {
					o.Statuses = append(o.Statuses, st)
				}
			}
			sort.Ints(o.Statuses)
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// OpenAPI returns the loaded OpenAPI document. It is shared: callers must
// not modify it.
func (s *Spec) OpenAPI() *openapi3.T { return s.doc }

// Operations lists every operation the OpenAPI document declares, sorted
// by path and method. The caller owns the returned slice.
func (s *Spec) Operations() []Operation {
	out := make([]Operation, len(s.ops))
	for i, o := range s.ops {
		o.Statuses = slices.Clone(o.Statuses)
		out[i] = o
	}
	return out
}

// Operation returns the operation with the given operationId.
func (s *Spec) Operation(id string) (Operation, bool) {
	for _, o := range s.ops {
		if o.ID == id {
			o.Statuses = slices.Clone(o.Statuses)
			return o, true
		}
	}
	return Operation{}, false
}

// MessageTypes lists the frame types the AsyncAPI document declares
// (the values of a frame's "type"), sorted.
func (s *Spec) MessageTypes() []string { return slices.Clone(s.types) }

// CloseCodes lists the WebSocket close codes the AsyncAPI document
// declares (its x-close-codes), ascending.
func (s *Spec) CloseCodes() []int { return slices.Clone(s.closeCodes) }

// ErrorCodes returns the error codes the response of the given operation
// and status may carry, in the order the document lists them, or nil when
// the operation, the status or a constraint on error.code is missing.
func (s *Spec) ErrorCodes(operationID string, status int) []protocol.ErrorCode {
	op := s.operationByID(operationID)
	if op == nil {
		return nil
	}
	resp := op.Responses.Value(strconv.Itoa(status))
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	codes, ok := codeEnum(mt.Schema.Value, 0)
	if !ok {
		return nil
	}
	out := make([]protocol.ErrorCode, len(codes))
	for i, c := range codes {
		out[i] = protocol.ErrorCode(c)
	}
	return out
}

func (s *Spec) operationByID(id string) *openapi3.Operation {
	for _, item := range s.doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}

// codeEnum returns the values that the property error.code of an error
// body may take under schema s: the intersection of every enum that s and
// its allOf members put on it. ok is false if none constrains it.
func codeEnum(s *openapi3.Schema, depth int) (codes []string, ok bool) {
	if s == nil || depth > 8 {
		return nil, false
	}
	var sets [][]string
	if e := s.Properties["error"]; e != nil && e.Value != nil {
		if c := e.Value.Properties["code"]; c != nil {
			if set, ok := enumOf(c.Value, depth+1); ok {
				sets = append(sets, set)
			}
		}
	}
	for _, sub := range s.AllOf {
		if set, ok := codeEnum(sub.Value, depth+1); ok {
			sets = append(sets, set)
		}
	}
	return intersect(sets)
}

// enumOf returns the string values schema s admits through enum,
// including enums of its allOf members.
func enumOf(s *openapi3.Schema, depth int) ([]string, bool) {
	if s == nil || depth > 8 {
		return nil, false
	}
	var sets [][]string
	if len(s.Enum) > 0 {
		var set []string
		for _, v := range s.Enum {
			if str, ok := v.(string); ok {
				set = append(set, str)
			}
		}
		sets = append(sets, set)
	}
	for _, sub := range s.AllOf {
		if set, ok := enumOf(sub.Value, depth+1); ok {
			sets = append(sets, set)
		}
	}
	return intersect(sets)
}

// intersect returns the values common to all sets, in the order of the
// smallest set.
func intersect(sets [][]string) ([]string, bool) {
	if len(sets) == 0 {
		return nil, false
	}
	sort.SliceStable(sets, func(i, j int) bool { return len(sets[i]) < len(sets[j]) })
	var out []string
	for _, v := range sets[0] {
		in := true
		for _, other := range sets[1:] {
			if !slices.Contains(other, v) {
				in = false
				break
			}
		}
		if in {
			out = append(out, v)
		}
	}
	return out, true
}
