package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/protocol"
)

// ReadAny reads a saved run of any kind and returns it as a CheckResult:
// a check result (kind wstrigger.check) as it is, a bare load result
// (kind wstrigger.load.result) as a check with only its load part, and a
// contract report (no kind, a "results" list) as one with only its
// contract part. It refuses unknown kinds, newer schema versions and
// documents missing the fields their kind requires. Errors do not name
// the file; the caller adds it.
func ReadAny(r io.Reader) (*CheckResult, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a result: %w", err)
	}
	obj, err := jsonObject(data)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a result: %w", err)
	}
	if obj == nil {
		return nil, errors.New("reports: not a wstrigger result: the document is null")
	}
	var kind string
	if raw, ok := obj["kind"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &kind); err != nil {
			return nil, errors.New(`reports: reading a result: "kind" is not a string`)
		}
	}
	switch kind {
	case CheckKind:
		var probe CheckResult
		if err := unmarshalAt(data, &probe); err != nil {
			return nil, fmt.Errorf("reports: reading check result: %w", err)
		}
		c, err := ReadCheck(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := checkCheckParts(obj); err != nil {
			return nil, err
		}
		return c, nil
	case loadresult.ResultKind:
		l, err := ReadLoad(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := checkLoadFields(obj); err != nil {
			return nil, fmt.Errorf("reports: not a load result: %w", err)
		}
		return NewCheckResult(nil, l), nil
	case "":
		if !hasAny(obj, contractFields...) {
			return nil, errors.New(`reports: not a wstrigger result: no "kind" and none of the contract report fields ("schemaVersion", "target", "results", "summary", "coverage")`)
		}
		c, err := ReadContractJSON(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return NewCheckResult(c, nil), nil
	}
	return nil, fmt.Errorf("reports: reading a result: unknown kind %q (want %q, %q or a contract report)", kind, CheckKind, loadresult.ResultKind)
}

// contractFields are the top-level fields of a contract report; a
// document without a kind and with none of them is not one.
var contractFields = []string{"schemaVersion", "target", "results", "summary", "coverage"}

// checkCheckParts sanity-checks the parts of a check result that
// ReadCheck does not: its contract part as a contract report and its
// load part as a load result, each when present.
func checkCheckParts(obj map[string]json.RawMessage) error {
	if raw, ok := obj["contract"]; ok && !isNull(raw) {
		part, err := jsonObject(raw)
		if err != nil || part == nil {
			return errors.New(`reports: reading check result: "contract" is not a JSON object`)
		}
		if err := checkContractFields(part); err != nil {
			return fmt.Errorf("reports: reading check result: its contract part: %w", err)
		}
	}
	if raw, ok := obj["load"]; ok && !isNull(raw) {
		part, err := jsonObject(raw)
		if err != nil || part == nil {
			return errors.New(`reports: reading check result: "load" is not a JSON object`)
		}
		if err := checkLoadFields(part); err != nil {
			return fmt.Errorf("reports: reading check result: its load part: %w", err)
		}
	}
	return nil
}

// checkLoadFields checks that a load result has its "meta" and "config"
// objects.
func checkLoadFields(obj map[string]json.RawMessage) error {
	for _, name := range []string{"meta", "config"} {
		raw, ok := obj[name]
		if !ok || isNull(raw) {
			return fmt.Errorf("no %q", name)
		}
		if o, err := jsonObject(raw); err != nil || o == nil {
			return fmt.Errorf("%q is not a JSON object", name)
		}
	}
	return nil
}

// ReadLoad reads a load result (the --json file of "wstrigger load"),
// refusing other kinds and schema versions this build does not know.
func ReadLoad(r io.Reader) (*loadresult.Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a load result: %w", err)
	}
	var l loadresult.Result
	if err := unmarshalAt(data, &l); err != nil {
		return nil, fmt.Errorf("reports: reading a load result: %w", err)
	}
	if l.Kind != loadresult.ResultKind {
		return nil, fmt.Errorf("reports: reading a load result: kind %q, want %q", l.Kind, loadresult.ResultKind)
	}
	if l.SchemaVersion < 1 || l.SchemaVersion > loadresult.SchemaVersion {
		return nil, fmt.Errorf("reports: load result has schema version %d; this build reads 1 to %d", l.SchemaVersion, loadresult.SchemaVersion)
	}
	return &l, nil
}

// jsonObject decodes data as a JSON object. It returns a nil map and no
// error for null, and an error saying where for anything else that is
// not an object.
func jsonObject(data []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty input, not JSON")
	}
	var obj map[string]json.RawMessage
	if err := unmarshalAt(data, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// unmarshalAt is json.Unmarshal with its errors told in JSON terms: a
// syntax error with its line and column, a value of the wrong type with
// its field, position and the JSON type wanted, not the Go one.
func unmarshalAt(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %s", position(data, se.Offset, errorAtEnd(se)), se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("not a JSON %s but %s %s", jsonType(te.Type), article(te.Value), te.Value)
		}
		return fmt.Errorf("%s: %q is %s %s, want %s %s", position(data, te.Offset, false), te.Field,
			article(te.Value), te.Value, article(jsonType(te.Type)), jsonType(te.Type))
	}
	return err
}

// errorAtEnd reports whether a syntax error is about the input ending
// early rather than about a byte found.
func errorAtEnd(se *json.SyntaxError) bool {
	return se.Error() == "unexpected end of JSON input"
}

// position tells where in data the decoder stopped after offset bytes,
// as "line L, column C" (both from 1, the column in characters). An
// error about a byte points at that byte, the last one read; the input
// ending early points just past its last non-blank character.
func position(data []byte, offset int64, atEnd bool) string {
	p := int(offset) - 1
	if atEnd {
		p = len(bytes.TrimRight(data, " \t\r\n"))
	}
	line, col := protocol.Position(data, int64(p))
	return fmt.Sprintf("line %d, column %d", line, col)
}

// jsonType names the JSON type a Go type decodes from.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Pointer:
		return jsonType(t.Elem())
	}
	return "value"
}

// article is "an" before a vowel, "a" otherwise.
func article(word string) string {
	if word != "" && bytes.ContainsAny([]byte{word[0]}, "aeiou") {
		return "an"
	}
	return "a"
}

// isNull reports whether a raw JSON value is null.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// hasAny reports whether obj has any of the fields names.
func hasAny(obj map[string]json.RawMessage, names ...string) bool {
	for _, n := range names {
		if _, ok := obj[n]; ok {
			return true
		}
	}
	return false
}
