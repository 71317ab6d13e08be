package reports

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/wstrigger/wstrigger/contract"
)

// ContractJSON writes a contract run in its documented, versioned JSON
// shape (contract.SchemaVersion; see the contract package), indented.
func ContractJSON(w io.Writer, r *contract.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("reports: json: %w", err)
	}
	return nil
}

// ReadContractJSON reads a report written by ContractJSON, refusing one of
// a newer schema version than this build knows.
func ReadContractJSON(rd io.Reader) (*contract.Report, error) {
	var r contract.Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("reports: reading a contract report: %w", err)
	}
	if r.SchemaVersion < 1 || r.SchemaVersion > contract.SchemaVersion {
		return nil, fmt.Errorf("reports: contract report has schema version %d; this build reads 1 to %d", r.SchemaVersion, contract.SchemaVersion)
	}
	return &r, nil
}
