package pattern

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// jsonParser walks the tokens of a pattern in JSON form.
type jsonParser struct {
	dec *json.Decoder
	b   builder
}

// parseJSON parses s, which starts with "{", as a pattern in JSON form.
func parseJSON(s string) (*Pattern, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	jp := &jsonParser{dec: dec}
	if _, err := jp.token(nil); err != nil { // the opening brace
		return nil, err
	}
	if err := jp.object(nil); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, newError("", "unexpected data after the JSON object")
	}
	return jp.b.pattern()
}

// token reads the next token, turning syntax errors into *Error for path.
func (jp *jsonParser) token(path []string) (json.Token, error) {
	tok, err := jp.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, newError(strings.Join(path, "."), "invalid JSON: "+err.Error())
	}
	return tok, nil
}

// object parses the members of an object whose "{" has been read, up to
// and including its "}". prefix is the path of the object.
func (jp *jsonParser) object(prefix []string) error {
	seen := make(map[string]bool)
	for jp.dec.More() {
		tok, err := jp.token(prefix)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // the decoder only yields strings as keys
		segs, err := appendPath(prefix, key)
		if err != nil {
			return err
		}
		if seen[key] {
			return newError(strings.Join(segs, "."), "duplicate key")
		}
		seen[key] = true
		if err := jp.member(segs); err != nil {
			return err
		}
	}
	if len(seen) == 0 && len(prefix) > 0 {
		return newError(strings.Join(prefix, "."), "empty object: an object always means nesting, and nesting needs at least one field")
	}
	_, err := jp.token(prefix) // the closing brace
	return err
}

// member parses the value of the field at segs.
func (jp *jsonParser) member(segs []string) error {
	tok, err := jp.token(segs)
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return jp.object(segs)
	case json.Delim('['):
		ms, err := jp.array(segs)
		if err != nil {
			return err
		}
		return jp.b.add(segs, ms)
	}
	m, reason := newScalar(tok)
	if reason != "" {
		return newError(strings.Join(segs, "."), reason)
	}
	return jp.b.add(segs, []matcher{m})
}

// array parses the elements of an array leaf whose "[" has been read.
func (jp *jsonParser) array(segs []string) ([]matcher, error) {
	path := strings.Join(segs, ".")
	var ms []matcher
	for jp.dec.More() {
		tok, err := jp.token(segs)
		if err != nil {
			return nil, err
		}
		var m matcher
		var reason string
		switch tok {
		case json.Delim('['):
			return nil, newError(path, "array inside an array")
		case json.Delim('{'):
			m, err = jp.operator(segs)
			if err != nil {
				return nil, err
			}
		default:
			m, reason = newScalar(tok)
		}
		if reason != "" {
			return nil, newError(path, reason)
		}
		ms = append(ms, m)
	}
	if _, err := jp.token(segs); err != nil { // the closing bracket
		return nil, err
	}
	if len(ms) == 0 {
		return nil, newError(path, "empty array")
	}
	return ms, nil
}

// operator parses an operator object whose "{" has been read.
func (jp *jsonParser) operator(segs []string) (matcher, error) {
	path := strings.Join(segs, ".")
	if !jp.dec.More() {
		return matcher{}, newError(path, "empty operator object")
	}
	tok, err := jp.token(segs)
	if err != nil {
		return matcher{}, err
	}
	name, _ := tok.(string)
	if !knownOperator(name) {
		return matcher{}, newError(path, "unknown operator "+strconv.Quote(name))
	}
	var operand any
	if err := jp.dec.Decode(&operand); err != nil {
		return matcher{}, newError(path, "invalid JSON: "+err.Error())
	}
	m, reason := newOperator(name, operand)
	if reason != "" {
		return matcher{}, newError(path, reason)
	}
	if jp.dec.More() {
		return matcher{}, newError(path, "operator object has more than one key")
	}
	if _, err := jp.token(segs); err != nil { // the closing brace
		return matcher{}, err
	}
	return m, nil
}
