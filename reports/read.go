package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/wstrigger/wstrigger/load"
)

// ReadAny reads a saved run of any kind and returns it as a CheckResult:
// a check result (kind wstrigger.check) as it is, a bare load result
// (kind wstrigger.load.result) as a check with only its load part, and a
// contract report (no kind, a "checks" list) as one with only its
// contract part. It refuses unknown kinds and newer schema versions.
func ReadAny(r io.Reader) (*CheckResult, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reports: reading a result: %w", err)
	}
	var head struct {
		SchemaVersion int    `json:"schemaVersion"`
		Kind          string `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("reports: reading a result: %w", err)
	}
	switch head.Kind {
	case CheckKind:
		return ReadCheck(bytes.NewReader(data))
	case load.ResultKind:
		l, err := ReadLoad(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return NewCheckResult(nil, l), nil
	case "":
		c, err := ReadContractJSON(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		return NewCheckResult(c, nil), nil
	}
	return nil, fmt.Errorf("reports: reading a result: unknown kind %q (want %q, %q or a contract report)", head.Kind, CheckKind, load.ResultKind)
}

// ReadLoad reads a load result (the --json file of "wstrigger load"),
// refusing other kinds and schema versions this build does not know.
func ReadLoad(r io.Reader) (*load.Result, error) {
	var l load.Result
	if err := json.NewDecoder(r).Decode(&l); err != nil {
		return nil, fmt.Errorf("reports: reading a load result: %w", err)
	}
	if l.Kind != load.ResultKind {
		return nil, fmt.Errorf("reports: reading a load result: kind %q, want %q", l.Kind, load.ResultKind)
	}
	if l.SchemaVersion < 1 || l.SchemaVersion > load.SchemaVersion {
		return nil, fmt.Errorf("reports: load result has schema version %d; this build reads 1 to %d", l.SchemaVersion, load.SchemaVersion)
	}
	return &l, nil
}
