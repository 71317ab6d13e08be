package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/reports"
)

// validResult is one well-formed entry of a contract report's results.
const validResult = `{"id":"HS-001","level":"MUST","status":"pass"}`

// contractDoc is a contract report with results as its results list.
func contractDoc(results string) string {
	return `{"schemaVersion":1,"target":"http://127.0.0.1:8080","results":` + results + `,"summary":{"total":1,"passed":1}}`
}

func TestReadAnyRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr []string
	}{
		{name: "check with neither part", in: `{"schemaVersion":1,"kind":"wstrigger.check","contract":null,"load":null}`, wantErr: []string{"neither a contract nor a load part"}},
		// Not contract reports, though they have no kind.
		{name: "version only", in: `{"schemaVersion":1}`, wantErr: []string{`not a contract report: no "results"`}},
		{name: "empty results without summary", in: `{"schemaVersion":1,"results":[]}`, wantErr: []string{`not a contract report: no "summary"`}},
		{name: "no summary", in: `{"schemaVersion":1,"target":"t","results":[` + validResult + `]}`, wantErr: []string{`not a contract report: no "summary"`}},
		{name: "no target", in: `{"schemaVersion":1,"results":[` + validResult + `],"summary":{}}`, wantErr: []string{`not a contract report: no "target"`}},
		{name: "null summary", in: `{"schemaVersion":1,"target":"t","results":[` + validResult + `],"summary":null}`, wantErr: []string{`no "summary"`}},
		{name: "null result", in: contractDoc(`[null]`), wantErr: []string{"result 1: is null"}},
		{name: "result without id", in: contractDoc(`[{"level":"MUST","status":"pass"}]`), wantErr: []string{`result 1: no "id"`}},
		{name: "result without level", in: contractDoc(`[` + validResult + `,{"id":"X-1","status":"pass"}]`), wantErr: []string{`result 2: X-1 has no "level"`}},
		{name: "result without status", in: contractDoc(`[{"id":"X-1","level":"MUST"}]`), wantErr: []string{`result 1: X-1 has no "status"`}},
		{name: "result with unknown status", in: contractDoc(`[{"id":"X-1","level":"MUST","status":"ok"}]`), wantErr: []string{`X-1 has status "ok", want "pass", "fail" or "skip"`}},
		{name: "results not an array", in: contractDoc(`{}`), wantErr: []string{`line 1, column`, `"results" is an object, want an array`}},
		{name: "newer contract", in: `{"schemaVersion":99}`, wantErr: []string{"schema version 99"}},

		// Not wstrigger results at all.
		{name: "foreign object", in: `{"foo":1}`, wantErr: []string{"not a wstrigger result", `no "kind"`}},
		{name: "null", in: `null`, wantErr: []string{"not a wstrigger result"}},
		{name: "array", in: `[1,2,3]`, wantErr: []string{"not a JSON object"}},
		{name: "string", in: `"hello"`, wantErr: []string{"not a JSON object"}},
		{name: "empty", in: "", wantErr: []string{"empty input"}},
		{name: "kind not a string", in: `{"kind":1}`, wantErr: []string{`"kind" is not a string`}},

		// Broken JSON, with where.
		{name: "truncated", in: "{\n  \"schemaVersion\": 1,\n  \"results\": [", wantErr: []string{"line 3, column 15: unexpected end of JSON input"}},
		{name: "truncated with newline", in: "{\n  \"a\": 1,\n", wantErr: []string{"line 2, column 10: unexpected end of JSON input"}},
		{name: "bad character", in: "{\n  \"a\": x\n}", wantErr: []string{"line 2, column 8: invalid character 'x'"}},
		{name: "trailing data", in: "{}\n{}", wantErr: []string{"line 2, column 1: invalid character '{' after top-level value"}},

		// Load results.
		{name: "load without meta", in: `{"schemaVersion":1,"kind":"wstrigger.load.result","config":{}}`, wantErr: []string{`not a load result: no "meta"`}},
		{name: "load without config", in: `{"schemaVersion":1,"kind":"wstrigger.load.result","meta":{}}`, wantErr: []string{`not a load result: no "config"`}},
		{name: "load with null config", in: `{"schemaVersion":1,"kind":"wstrigger.load.result","meta":{},"config":null}`, wantErr: []string{`no "config"`}},
		{name: "load with config not an object", in: `{"schemaVersion":1,"kind":"wstrigger.load.result","meta":{},"config":[]}`, wantErr: []string{`"config" is an array, want an object`}},
		{name: "load without version", in: `{"kind":"wstrigger.load.result","meta":{},"config":{}}`, wantErr: []string{"schema version 0"}},
		{name: "load with wrong type", in: `{"schemaVersion":1,"kind":"wstrigger.load.result","meta":{},"config":{"workers":"x"}}`, wantErr: []string{`"config.workers" is a string, want a number`}},

		// Check results: their parts are checked as the bare kinds are.
		{name: "check with bad contract part", in: `{"schemaVersion":1,"kind":"wstrigger.check","contract":` + contractDoc(`[null]`) + `}`, wantErr: []string{"contract part", "result 1: is null"}},
		{name: "check with bad load part", in: `{"schemaVersion":1,"kind":"wstrigger.check","load":{"schemaVersion":1,"kind":"wstrigger.load.result","meta":{}}}`, wantErr: []string{"load part", `no "config"`}},
		{name: "truncated check", in: "{\"schemaVersion\":1,\"kind\":\"wstrigger.check\",\n\"contract\":", wantErr: []string{"line 2, column 12: unexpected end of JSON input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reports.ReadAny(strings.NewReader(tt.in))
			require.Error(t, err, "read as %+v", got)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "Go value", "no Go internals")
			assert.NotContains(t, err.Error(), "Go struct", "no Go internals")
		})
	}
}

func TestReadContractJSONRejectsBadInput(t *testing.T) {
	for _, tt := range []struct{ in, wantErr string }{
		{`{"schemaVersion":1}`, `no "results"`},
		{contractDoc(`[null]`), "result 1: is null"},
		{`[1,2,3]`, "not a JSON object"},
		{"{\n\"schemaVersion\":", "line 2, column 17: unexpected end of JSON input"},
	} {
		_, err := reports.ReadContractJSON(strings.NewReader(tt.in))
		require.Error(t, err, tt.in)
		assert.Contains(t, err.Error(), tt.wantErr, tt.in)
	}
}

func TestReadAnyReadsGoodInput(t *testing.T) {
	check := sampleCheck(t)
	var loadJSON bytes.Buffer
	require.NoError(t, json.NewEncoder(&loadJSON).Encode(check.Load))
	minimal := contractDoc(`[{"id":"A-1","level":"SHOULD","status":"skip"},{"id":"A-2","level":"MUST","status":"fail"}]`)

	tests := []struct {
		name         string
		in           string
		wantContract bool
		wantLoad     bool
	}{
		{name: "golden check.json", in: readTestdata(t, "check.json"), wantContract: true, wantLoad: true},
		{name: "golden contract.json", in: readTestdata(t, "contract.json"), wantContract: true},
		{name: "bare load", in: loadJSON.String(), wantLoad: true},
		{name: "minimal contract", in: minimal, wantContract: true},
		{name: "a run that selected no check", in: contractDoc(`[]`), wantContract: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reports.ReadAny(strings.NewReader(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.wantContract, got.Contract != nil)
			assert.Equal(t, tt.wantLoad, got.Load != nil)
		})
	}

	t.Run("golden contract.json as written", func(t *testing.T) {
		got, err := reports.ReadContractJSON(strings.NewReader(readTestdata(t, "contract.json")))
		require.NoError(t, err)
		assert.Equal(t, sampleReport(), got)
	})
}

// readTestdata returns the text of a file under testdata.
func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(data)
}
