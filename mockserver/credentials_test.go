package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadCredentials(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		want  []Credential
		err   string
		line  int
		entry int
	}{
		{name: "full", in: `[
  {"accessToken": "a", "secretKey": "b", "name": "team-a"},
  {"accessToken": "c", "secretKey": "d", "forbidden": true, "maxSessions": 3}
]`, want: []Credential{{AccessToken: "a", SecretKey: "b", Name: "team-a"}, {AccessToken: "c", SecretKey: "d", Forbidden: true, MaxSessions: 3}}},
		{name: "empty list", in: `[]`, want: nil},
		{name: "not an array", in: `{"accessToken":"a"}`, err: "not a JSON array", line: 1},
		{name: "unknown field", in: "[\n{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n{\"accessToken\":\"c\",\"secret\":\"d\"}]", err: `unknown field "secret"`, line: 3, entry: 2},
		{name: "wrong type", in: "[\n  {\"accessToken\":\"a\",\"secretKey\":\"b\",\"maxSessions\":\"10\"}]", err: `field "maxSessions": wrong type`, line: 2, entry: 1},
		{name: "empty secret", in: "[\n{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n\n  {\"accessToken\":\"c\",\"secretKey\":\"\"}]", err: `entry 2 field "secretKey": is empty`, line: 4, entry: 2},
		{name: "missing token", in: `[{"secretKey":"s"}]`, err: `field "accessToken": is empty`, line: 1, entry: 1},
		{name: "negative limit", in: `[{"accessToken":"a","secretKey":"s","maxSessions":-1}]`, err: "maxSessions", entry: 1},
		{name: "duplicate token", in: "[{\"accessToken\":\"top-secret-token\",\"secretKey\":\"s\"},\n{\"accessToken\":\"top-secret-token\",\"secretKey\":\"t\"}]", err: "same as entry 1", line: 2, entry: 2},
		{name: "not JSON", in: `[{"accessToken":`, err: "credentials", entry: 1},
		{name: "unclosed", in: `[{"accessToken":"a","secretKey":"b"}`, err: "not closed"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadCredentials(strings.NewReader(tt.in))
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.ErrorContains(t, err, tt.err)
			var cerr *CredentialsError
			require.ErrorAs(t, err, &cerr)
			if tt.line > 0 {
				assert.Equal(t, tt.line, cerr.Line, err.Error())
			}
			assert.Equal(t, tt.entry, cerr.Entry, err.Error())
			assert.NotContains(t, err.Error(), "top-secret-token")
		})
	}
	_, err := LoadCredentials(iotest.ErrReader(errors.New("boom")))
	assert.ErrorContains(t, err, "boom")
}

// TestCustomCredentials replaces the defaults with a list of one's own.
func TestCustomCredentials(t *testing.T) {
	creds, err := LoadCredentials(strings.NewReader(`[{"accessToken":"team-token","secretKey":"team-secret"}]`))
	require.NoError(t, err)
	srv := startServer(t, &Options{Credentials: creds})
	assert.Equal(t, creds, srv.Credentials())
	joinAs(t, srv, creds[0], "{}")
	_, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the demo credentials are gone")
	_ = resp.Body.Close()

	_, err = New(&Options{Credentials: []Credential{{AccessToken: "x"}}})
	assert.ErrorContains(t, err, "secretKey")
}

func TestDefaultCredentials(t *testing.T) {
	srv := startServer(t, nil)
	assert.Equal(t, DefaultCredentials(), srv.Credentials())
	names := map[string]bool{}
	for _, c := range srv.Credentials() {
		names[c.Name] = c.Forbidden
	}
	assert.Equal(t, map[string]bool{"demo": false, "other": false, "forbidden": true}, names)
}

func TestCredentialNeverPrinted(t *testing.T) {
	c := Credential{AccessToken: "tok-123456", SecretKey: "sec-123456", Name: "n"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "cred", c)
	assert.NotContains(t, b.String(), "123456")
	assert.NotContains(t, fmt.Sprint(srvLike(c)), "123456")
}

// srvLike is what a server keeps of a credential.
func srvLike(c Credential) accounts { return newAccounts([]Credential{c}, 1) }
