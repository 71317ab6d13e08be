package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/internal/reqlog"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// startLoggedMock serves a real mock's handler behind a requestLog.
func startLoggedMock(t *testing.T, opts *mockserver.Options) (url string, log *reqlog.Log) {
	t.Helper()
	srv := mocktest.Start(t, opts)
	log = reqlog.New(srv.Handler())
	ts := httptest.NewServer(log)
	t.Cleanup(ts.Close)
	return ts.URL, log
}

// TestLoadReadsCountersOnlyWhenInvited runs "wstrigger load" against
// targets that log every request: a target that does not invite it
// (a mock without its control API: it sends no mockapi header) gets
// joins and pushes only, and no reconciliation; a "wstrigger mock" that
// invites it is reconciled, with two reads of its counters.
func TestLoadReadsCountersOnlyWhenInvited(t *testing.T) {
	t.Parallel()
	const join, push, stats = reqlog.Join, reqlog.Push, reqlog.MockStats
	cases := []struct {
		name  string
		opts  mockserver.Options
		stats int  // reads of the counters expected
		mock  bool // a reconciliation is printed
	}{
		{name: "not invited", opts: mockserver.Options{NoControl: true, Recording: []protocol.RecordingLine{}}},
		{name: "invited", opts: mockserver.Options{Recording: []protocol.RecordingLine{}}, stats: 2, mock: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, log := startLoggedMock(t, &tc.opts)
			code, stdout, stderr := runCmd(t, "", "load", "--target", url, "--access-token", mockserver.DemoAccessToken, "--secret-key", mockserver.DemoSecretKey,
				"--subscriptions", "4", "--push-rate", "40", "--duration", "300ms", "--quiet")
			require.Equal(t, exitOK, code, stdout+stderr)
			got := log.Counts()
			assert.Positive(t, got[join], "%v", got)
			assert.Positive(t, got[push], "%v", got)
			assert.Empty(t, log.Except(join, push, stats), "requests outside the API")
			assert.Equal(t, tc.stats, got[stats], "%v", got)
			if tc.mock {
				assert.Contains(t, stdout, "Mock stats     matches")
			} else {
				assert.NotContains(t, stdout, "Mock stats")
			}
		})
	}
}

// TestLoadReconcilesMockCommand: a "wstrigger mock" started by the
// command (control API on by default) invites the reconciliation; with
// --no-control it does not.
func TestLoadReconcilesMockCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		mock bool
	}{
		{"mock", nil, true},
		{"mock --no-control", []string{"--no-control"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url, _ := startMockCommand(t, append([]string{"--quiet"}, tc.args...)...)
			code, stdout, stderr := runCmd(t, "", "load", "--target", url, "--access-token", mockserver.DemoAccessToken, "--secret-key", mockserver.DemoSecretKey,
				"--subscriptions", "4", "--push-rate", "40", "--duration", "300ms", "--quiet")
			require.Equal(t, exitOK, code, stdout+stderr)
			assert.Equal(t, tc.mock, strings.Contains(stdout, "\nMock stats "), stdout)
		})
	}
}
