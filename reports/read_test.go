package reports_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/reports"
)

func TestReadAny(t *testing.T) {
	check := sampleCheck(t)
	var checkJSON, loadJSON, contractJSON bytes.Buffer
	require.NoError(t, reports.CheckJSON(&checkJSON, check))
	require.NoError(t, json.NewEncoder(&loadJSON).Encode(check.Load))
	require.NoError(t, reports.ContractJSON(&contractJSON, check.Contract))

	tests := []struct {
		name         string
		in           string
		wantContract bool
		wantLoad     bool
		wantErr      string
	}{
		{name: "check", in: checkJSON.String(), wantContract: true, wantLoad: true},
		{name: "bare load", in: loadJSON.String(), wantLoad: true},
		{name: "bare contract", in: contractJSON.String(), wantContract: true},
		{name: "not json", in: "hello", wantErr: "invalid character"},
		{name: "unknown kind", in: `{"schemaVersion":1,"kind":"wstrigger.other"}`, wantErr: `unknown kind "wstrigger.other"`},
		{name: "newer check", in: `{"schemaVersion":99,"kind":"wstrigger.check"}`, wantErr: "schema version 99"},
		{name: "newer load", in: `{"schemaVersion":99,"kind":"wstrigger.load.result"}`, wantErr: "schema version 99"},
		{name: "empty object", in: `{}`, wantErr: "not a wstrigger result"},
		{name: "contract without version", in: `{"schemaVersion":0,"target":"x","results":[{"id":"A","level":"MUST","status":"pass"}],"summary":{}}`, wantErr: "schema version 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reports.ReadAny(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, reports.CheckKind, got.Kind)
			assert.Equal(t, tt.wantContract, got.Contract != nil)
			assert.Equal(t, tt.wantLoad, got.Load != nil)
			if tt.wantLoad {
				assert.Equal(t, check.Load.Delivery, got.Load.Delivery)
			}
		})
	}
}
