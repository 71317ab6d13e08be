package reports_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/contractreport"
	"github.com/wstrigger/wstrigger/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sampleReport is a contract run with a pass, a MUST failure with
// evidence, a SHOULD failure, a skip, and partial coverage.
func sampleReport() *contractreport.Report {
	started := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	results := []contractreport.Result{
		{
			Check:    contractreport.Check{ID: "HS-001", Title: "101 with Upgrade, Connection and Sec-WebSocket-Accept", Group: "handshake", Level: contractreport.LevelMust, Section: "docs/protocol.md §3"},
			Status:   contractreport.StatusPass,
			Duration: 12 * time.Millisecond,
			Evidence: []contractreport.Evidence{{Step: "join with valid credentials", Request: "GET /api/v1/websocket?pattern=%7B%7D\nX-API-AccessToken: ***", Status: 101}},
		},
		{
			Check:  contractreport.Check{ID: "AUTH-003", Title: "wrong secret key on the join gets 401 | unauthorized", Group: "auth", Level: contractreport.LevelMust, Section: "docs/protocol.md §2", SpecRef: "openapi.yaml#/paths/~1api~1v1~1websocket/get/responses/401"},
			Status: contractreport.StatusFail,
			Reason: "got 403 forbidden, want 401 unauthorized",
			Evidence: []contractreport.Evidence{{
				Step:     "join with a wrong secret key",
				Request:  "GET /api/v1/websocket?pattern=%7B%7D\nX-API-AccessToken: ***\nX-API-SecretKey: ***",
				Status:   403,
				Response: "HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{\"error\":{\"code\":\"forbidden\",\"message\":\"<no>\"}}",
				Reproduce: `curl -si -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' ` +
					`-H "X-API-AccessToken: $WSTRIGGER_ACCESS_TOKEN" -H 'X-API-SecretKey: wrong-secret' 'http://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D'`,
			}},
			Duration: 3 * time.Millisecond,
		},
		{
			Check:    contractreport.Check{ID: "SES-004", Title: "heartbeat is announced", Group: "session", Level: contractreport.LevelShould, Section: "docs/protocol.md §3.1"},
			Status:   contractreport.StatusFail,
			Reason:   "heartbeat 0",
			Duration: time.Millisecond,
			Evidence: []contractreport.Evidence{{Step: "join", Frames: []string{`{"type":"session","session":"***","pattern":{},"heartbeat":0}`},
				Reproduce: `websocat -H "X-API-AccessToken: $WSTRIGGER_ACCESS_TOKEN" -H "X-API-SecretKey: $WSTRIGGER_SECRET_KEY" 'ws://127.0.0.1:8080/api/v1/websocket?pattern=%7B%7D'`}},
		},
		{
			Check:    contractreport.Check{ID: "ISO-002", Title: "a push to another tenant's session gets 404", Group: "isolation", Level: contractreport.LevelMust, Section: "docs/protocol.md §4"},
			Status:   contractreport.StatusSkip,
			Reason:   "no second tenant: set --other-access-token and --other-secret-key",
			Cause:    "no second tenant",
			Duration: 0,
		},
	}
	return &contractreport.Report{
		SchemaVersion: contractreport.SchemaVersion,
		Target:        "http://127.0.0.1:8080",
		Started:       started,
		Duration:      1500 * time.Millisecond,
		Results:       results,
		Coverage: contractreport.Coverage{
			Operations: []contractreport.OperationCoverage{
				{ID: "joinWebsocket", Method: "GET", Path: "/api/v1/websocket", Statuses: []contractreport.StatusCoverage{
					{Status: 101, Exercised: true, Declared: true, Seen: 3}, {Status: 401, Exercised: true, Declared: true, Seen: 1},
					{Status: 503, Declared: true}, {Status: 500, Exercised: true, Seen: 1},
				}},
			},
			Messages:   []contractreport.MessageCoverage{{Type: "session", Seen: 3, Declared: true}, {Type: "trigger", Declared: true}},
			CloseCodes: []contractreport.CloseCodeCoverage{{Code: 1000, Seen: 2, Declared: true}, {Code: 4008, Declared: true}},
		},
		Summary: contractreport.Summary{Total: 4, Passed: 1, Failed: 2, Skipped: 1, MustFailed: 1, MustSkipped: 1},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./reports -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test ./reports -update", path)
}

// TestContractWritersGolden runs every writer at once on one report, as
// TestCheckWritersGolden does.
func TestContractWritersGolden(t *testing.T) {
	t.Parallel()
	shared := sampleReport()
	writers := []struct {
		name  string
		write func(w *bytes.Buffer, r *contractreport.Report) error
	}{
		{"contract.txt", func(w *bytes.Buffer, r *contractreport.Report) error { return reports.ContractText(w, r) }},
		{"contract.md", func(w *bytes.Buffer, r *contractreport.Report) error { return reports.ContractMarkdown(w, r) }},
		{"contract.junit.xml", func(w *bytes.Buffer, r *contractreport.Report) error { return reports.ContractJUnit(w, r) }},
		{"contract.json", func(w *bytes.Buffer, r *contractreport.Report) error { return reports.ContractJSON(w, r) }},
	}
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, wr.write(&buf, shared))
			golden(t, wr.name, buf.Bytes())
		})
	}
}

func TestContractJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, reports.ContractJUnit(&buf, sampleReport()))
	suites, err := junit.Ingest(buf.Bytes())
	require.NoError(t, err)
	require.Len(t, suites, 4)
	byName := map[string]junit.Test{}
	for _, s := range suites {
		for _, tc := range s.Tests {
			byName[tc.Name] = tc
		}
	}
	require.Len(t, byName, 4)
	assert.Equal(t, junit.StatusPassed, byName["HS-001: 101 with Upgrade, Connection and Sec-WebSocket-Accept"].Status)
	failed := byName["AUTH-003: wrong secret key on the join gets 401 | unauthorized"]
	assert.Equal(t, junit.StatusFailed, failed.Status)
	assert.Contains(t, failed.Message, "want 401")
	assert.Equal(t, junit.StatusSkipped, byName["ISO-002: a push to another tenant's session gets 404"].Status)
}

func TestContractJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	want := sampleReport()
	require.NoError(t, reports.ContractJSON(&buf, want))
	got, err := reports.ReadContractJSON(&buf)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	for _, bad := range []string{`{"schemaVersion":99}`, `{"schemaVersion":0}`, `not json`} {
		_, err := reports.ReadContractJSON(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, reports.ContractMarkdown(&buf, sampleReport()))
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "AUTH-003") {
			assert.Contains(t, line, `401 \| unauthorized`)
			assert.Equal(t, 7, strings.Count(line, "|")-strings.Count(line, `\|`), "6 columns: %s", line)
		}
	}
}
