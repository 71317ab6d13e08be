package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/wstrigger/wstrigger/contractreport"
)

// ContractJSON writes a contract run in its documented, versioned JSON
// shape (contractreport.SchemaVersion; see the contract package), indented.
func ContractJSON(w io.Writer, r *contractreport.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("reports: json: %w", err)
	}
	return nil
}

// ReadContractJSON reads a report written by ContractJSON, refusing one of
// a newer schema version than this build knows and one that is not a
// contract report: without a "target", a "summary" or a non-empty
// "results" list, or with a result lacking an id, a level or a status
// among pass, fail and skip.
func ReadContractJSON(rd io.Reader) (*contractreport.Report, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a contract report: %w", err)
	}
	obj, err := jsonObject(data)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a contract report: %w", err)
	}
	if obj == nil {
		return nil, errors.New("reports: not a contract report: the document is null")
	}
	var r contractreport.Report
	if err := unmarshalAt(data, &r); err != nil {
		return nil, fmt.Errorf("reports: reading a contract report: %w", err)
	}
	if err := checkContractFields(obj); err != nil {
		return nil, fmt.Errorf("reports: not a contract report: %w", err)
	}
	return &r, nil
}

// checkContractFields checks the fields a contract report, given as its
// top-level object, must have.
func checkContractFields(obj map[string]json.RawMessage) error {
	raw, ok := obj["schemaVersion"]
	if !ok || isNull(raw) {
		return errors.New(`no "schemaVersion"`)
	}
	var version int
	if err := json.Unmarshal(raw, &version); err != nil {
		return errors.New(`"schemaVersion" is not an integer`)
	}
	if version < 1 || version > contractreport.SchemaVersion {
		return fmt.Errorf("contract report has schema version %d; this build reads 1 to %d", version, contractreport.SchemaVersion)
	}
	raw, ok = obj["results"]
	if !ok || isNull(raw) {
		return errors.New(`no "results"`)
	}
	var results []json.RawMessage
	if err := json.Unmarshal(raw, &results); err != nil {
		return errors.New(`"results" is not an array`)
	}
	for i, raw := range results {
		if err := checkContractResult(raw); err != nil {
			return fmt.Errorf("result %d: %w", i+1, err)
		}
	}
	if raw, ok := obj["summary"]; !ok || isNull(raw) {
		return errors.New(`no "summary"`)
	} else if o, err := jsonObject(raw); err != nil || o == nil {
		return errors.New(`"summary" is not an object`)
	}
	var target string
	if raw, ok := obj["target"]; !ok || isNull(raw) {
		return errors.New(`no "target"`)
	} else if err := json.Unmarshal(raw, &target); err != nil {
		return errors.New(`"target" is not a string`)
	}
	if target == "" {
		return errors.New(`"target" is empty`)
	}
	return nil
}

// checkContractResult checks one entry of a contract report's results.
func checkContractResult(raw json.RawMessage) error {
	if isNull(raw) {
		return errors.New("is null")
	}
	var res contractreport.Result
	if err := json.Unmarshal(raw, &res); err != nil {
		return errors.New("is not a JSON object with an id, a level and a status")
	}
	if res.ID == "" {
		return errors.New(`no "id"`)
	}
	if res.Level == "" {
		return fmt.Errorf(`%s has no "level"`, res.ID)
	}
	switch res.Status {
	case contractreport.StatusPass, contractreport.StatusFail, contractreport.StatusSkip:
	case "":
		return fmt.Errorf(`%s has no "status"`, res.ID)
	default:
		return fmt.Errorf(`%s has status %q, want %q, %q or %q`, res.ID, res.Status, contractreport.StatusPass, contractreport.StatusFail, contractreport.StatusSkip)
	}
	return nil
}
