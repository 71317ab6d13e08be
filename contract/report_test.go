package contract_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

func TestRunReport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		aggressive bool
	}{
		{"default", false},
		{"aggressive", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A small session limit and queue, so that the aggressive
			// checks reach them quickly.
			creds := mockserver.DefaultCredentials()
			creds[0].MaxSessions = 64
			srv := mocktest.Start(t, &mockserver.Options{Credentials: creds, QueueSize: 64, Speed: 10, Loop: true})
			target := mockTarget(srv.URL)
			var progress []string
			rep, err := contract.Run(t.Context(), target, &contract.Options{
				Observe: testObserve, Aggressive: tc.aggressive,
				Progress: func(r contract.Result) { progress = append(progress, r.ID) },
			})
			require.NoError(t, err)
			assert.True(t, rep.Passed())
			for _, r := range rep.Results {
				switch r.Status {
				case contract.StatusFail:
					t.Errorf("%s failed: %s", r.ID, r.Reason)
				case contract.StatusSkip:
					assert.NotEmpty(t, r.Reason, "%s skipped without a reason", r.ID)
				}
				if !tc.aggressive {
					assert.False(t, r.Aggressive, r.ID)
				}
			}
			assert.Len(t, progress, len(rep.Results))
			assert.Equal(t, rep.Summary.Total, len(rep.Results))
			if tc.aggressive {
				assert.Equal(t, len(contract.Checks()), len(rep.Results))
			}

			// Coverage lists every operation, status, message type and
			// close code of the spec.
			s, err := spec.Default()
			require.NoError(t, err)
			require.Len(t, rep.Coverage.Operations, len(s.Operations()))
			for i, op := range s.Operations() {
				oc := rep.Coverage.Operations[i]
				assert.Equal(t, op.ID, oc.ID)
				var declared []int
				for _, st := range oc.Statuses {
					if st.Declared {
						declared = append(declared, st.Status)
					}
				}
				assert.Equal(t, op.Statuses, declared, op.ID)
			}
			var types []string
			for _, m := range rep.Coverage.Messages {
				types = append(types, m.Type)
				assert.Positive(t, m.Seen, "message type %s never seen", m.Type)
			}
			assert.Equal(t, s.MessageTypes(), types)
			assert.Len(t, rep.Coverage.CloseCodes, len(s.CloseCodes()))

			// The JSON has its version and no secret.
			data, err := json.Marshal(rep)
			require.NoError(t, err)
			var shape map[string]any
			require.NoError(t, json.Unmarshal(data, &shape))
			assert.EqualValues(t, contract.SchemaVersion, shape["schemaVersion"])
			for _, k := range []string{"target", "started", "durationNs", "aggressive", "results", "coverage", "summary"} {
				assert.Contains(t, shape, k)
			}
			assertNoSecrets(t, string(data), target, srv.Server)
		})
	}
}

// assertNoSecrets fails if text holds a credential or a session id the
// mock issued. The mock's demo credentials are also the names of the
// flags that take them ("other-secret-key" is the value of Other's
// secret key and, after "--", a flag in a failed check's command to run
// it again), so the flags' names are taken out first.
func assertNoSecrets(t *testing.T, text string, target contract.Target, srv *mockserver.Server) {
	t.Helper()
	for _, flag := range []string{"--other-access-token", "--other-secret-key", "--forbidden-access-token", "--forbidden-secret-key"} {
		text = strings.ReplaceAll(text, flag+" ", "--FLAG ")
	}
	secrets := []string{target.Credentials.AccessToken, target.Credentials.SecretKey,
		target.Other.AccessToken, target.Other.SecretKey, target.Forbidden.AccessToken, target.Forbidden.SecretKey}
	for _, s := range secrets {
		assert.NotContains(t, text, s)
	}
	ids := sessionIDs(text)
	assert.Empty(t, ids, "session ids in the report")
}

// sessionIDs finds strings shaped like the mock's session ids next to
// "session" in text. A run right after a backslash is left out: its
// first letter ends an escape such as the \n between a request line
// ending in /session and a header name as long as an id
// (Access-Control-Request-Headers).
var sessionIDRE = regexp.MustCompile(`session[^A-Za-z0-9_-]{1,8}([A-Za-z0-9_-]{22,64})`)

func sessionIDs(text string) []string {
	var out []string
	for _, m := range sessionIDRE.FindAllStringSubmatchIndex(text, -1) {
		if text[m[2]-1] == '\\' {
			continue
		}
		out = append(out, text[m[2]:m[3]])
	}
	return out
}

func TestReportCarriesNoSessionID(t *testing.T) {
	t.Parallel()
	// Sessions opened outside the suite show what the mock's ids look
	// like; the report must not contain any of those it saw.
	srv := mocktest.Start(t, replaying(10))
	target := mockTarget(srv.URL)
	s, err := client.Join(t.Context(), srv.URL, target.Credentials, "{}")
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, sessionIDs(`{"session":"`+s.ID()+`"}`), 1, "the detector finds ids")
	rep, err := contract.Run(t.Context(), target, &contract.Options{Observe: testObserve, Run: regexp.MustCompile(`^(SESS|PUSH-00[12]|HS)`)})
	require.NoError(t, err)
	data, err := json.Marshal(rep)
	require.NoError(t, err)
	assertNoSecrets(t, string(data), target, srv.Server)
	assert.True(t, strings.Contains(string(data), "***"), "redaction marks are present")
}

func TestRunUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	rep, err := contract.Run(ctx, mockTarget("http://"+addr+"?accessToken=leak"), &contract.Options{Timeout: 2 * time.Second})
	require.Error(t, err)
	assert.Nil(t, rep)
	assert.True(t, errors.Is(err, contract.ErrUnreachable), "%v", err)
	assert.NotContains(t, err.Error(), mockserver.DemoSecretKey)
}

func TestRunBadOptions(t *testing.T) {
	t.Parallel()
	good := mockTarget("http://127.0.0.1:1")
	for _, tc := range []struct {
		name   string
		target contract.Target
		opts   *contract.Options
	}{
		{"no URL", contract.Target{Credentials: good.Credentials}, nil},
		{"bad scheme", contract.Target{URL: "ftp://x", Credentials: good.Credentials}, nil},
		{"no credentials", contract.Target{URL: good.URL}, nil},
		{"negative timeout", good, &contract.Options{Timeout: -time.Second}},
		{"negative observe", good, &contract.Options{Observe: -time.Second}},
		{"an origin with a path", good, &contract.Options{Origin: "https://crm.example.com/app"}},
		{"a refused origin without a scheme", good, &contract.Options{ForbiddenOrigin: "evil.example"}},
		{"one origin allowed and refused", good, &contract.Options{Origin: "https://crm.example.com", ForbiddenOrigin: "HTTPS://CRM.example.com/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := contract.Run(t.Context(), tc.target, tc.opts)
			require.Error(t, err)
			assert.Nil(t, rep)
			assert.ErrorIs(t, err, contract.ErrOptions)
			assert.False(t, errors.Is(err, contract.ErrUnreachable))
		})
	}
}

func TestTargetFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		contract.EnvTarget: "http://h:1", contract.EnvAccessToken: "a", contract.EnvSecretKey: "s",
		contract.EnvOtherAccessToken: "oa", contract.EnvOtherSecretKey: "os", contract.EnvForbiddenAccessToken: "fa",
	}
	tg, ok := contract.TargetFromEnv(func(k string) string { return env[k] })
	require.True(t, ok)
	assert.Equal(t, "http://h:1", tg.URL)
	assert.Equal(t, protocol.Credentials{AccessToken: "a", SecretKey: "s"}, tg.Credentials)
	require.NotNil(t, tg.Other)
	assert.Equal(t, "oa", tg.Other.AccessToken)
	assert.Nil(t, tg.Forbidden, "half a pair is no pair")
	_, ok = contract.TargetFromEnv(func(string) string { return "" })
	assert.False(t, ok)
}

func TestChecksCatalogue(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	idRE := regexp.MustCompile(`^[A-Z]+-\d{3}$`)
	for _, c := range contract.Checks() {
		assert.Regexp(t, idRE, c.ID)
		assert.False(t, ids[c.ID], "duplicate id %s", c.ID)
		ids[c.ID] = true
		assert.NotEmpty(t, c.Title, c.ID)
		assert.Contains(t, []contract.Level{contract.LevelMust, contract.LevelShould}, c.Level, c.ID)
		assert.Regexp(t, citationRE, c.Section, c.ID)
		assert.Equal(t, c.Group == "aggressive", c.Aggressive, c.ID)
	}
}

// TestRunOverAPipe runs checks of every kind but the oracle's through
// the kit's in-memory pipe: no socket, joins and hand-written handshakes
// through NetDialContext, plain requests through HTTPClient.
func TestRunOverAPipe(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, replaying(10))
	rep, err := contract.Run(t.Context(), mockTarget("http://pipe"), &contract.Options{
		Run:            regexp.MustCompile(`^(HS|AUTH|JOIN|SESS|PUSH|ISO|LIVE|SCHEMA)-`),
		NetDialContext: m.Pipe.DialContext,
		HTTPClient:     m.Pipe.Client(),
	})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Results)
	for _, res := range rep.Results {
		assert.NotEqual(t, contract.StatusFail, res.Status, "%s: %s", res.ID, res.Reason)
	}
	assert.True(t, rep.Passed())
	assert.Positive(t, m.Stats().Joins, "the joins reached the mock")
}
