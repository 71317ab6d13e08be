package mockserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestLoadCredentials(t *testing.T) {
	t.Parallel()
	// pretty is a pretty-printed file whose second entry has a bad field
	// on its own line; %s is that field.
	const pretty = `[
  {
    "accessToken": "a",
    "secretKey": "b"
  },
  {
    "accessToken": "c",
    %s
  }
]`
	cases := []struct {
		name      string
		in        string
		want      []Credential
		err       string // a part of the message
		msg       string // the whole message, when set
		line, col int
		entry     int
	}{
		{name: "full", in: `[
  {"accessToken": "a", "secretKey": "b", "name": "team-a"},
  {"accessToken": "c", "secretKey": "d", "forbidden": true, "maxSessions": 3}
]`, want: []Credential{{AccessToken: "a", SecretKey: "b", Name: "team-a"}, {AccessToken: "c", SecretKey: "d", Forbidden: true, MaxSessions: 3}}},
		// An empty list is not "no credentials": it must not fall back to
		// the demo accounts.
		{name: "empty list", in: `[]`, msg: "no accounts: the list is empty"},
		{name: "empty list with spaces", in: "\n[\n]\n", msg: "no accounts: the list is empty"},
		{name: "not an array", in: `{"accessToken":"a"}`, err: "not a JSON array", line: 1, col: 1},
		{name: "not an array after blank lines", in: "\n\n  null", err: "not a JSON array", line: 3, col: 3},
		{name: "unknown field", in: "[\n{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n{\"accessToken\":\"c\",\"secret\":\"d\"}]",
			msg: `line 3:20: entry 2: field "secret": is unknown`, line: 3, col: 20, entry: 2},
		{name: "wrong type", in: "[\n  {\"accessToken\":\"a\",\"secretKey\":\"b\",\"maxSessions\":\"10\"}]", err: `field "maxSessions": wrong type`, line: 2, col: 38, entry: 1},
		// A field on line 2 of an entry that starts on line 1 is on line 2.
		{name: "field on line 2", in: "[{\"accessToken\":\"a\",\n  \"secretKey\":\"\"}]",
			msg: `line 2:3: entry 1: field "secretKey": is empty`, line: 2, col: 3, entry: 1},
		{name: "wrong type on line 3", in: "[{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n {\"accessToken\":\"c\",\n  \"maxSessions\": 1.5, \"secretKey\":\"d\"}]",
			err: `entry 2: field "maxSessions": wrong type`, line: 3, col: 3, entry: 2},
		{name: "pretty unknown field", in: fmt.Sprintf(pretty, `"secret": "d"`), msg: `line 8:5: entry 2: field "secret": is unknown`, line: 8, col: 5, entry: 2},
		{name: "pretty wrong type", in: fmt.Sprintf(pretty, `"secretKey": 7`), err: `entry 2: field "secretKey": wrong type`, line: 8, col: 5, entry: 2},
		{name: "pretty empty secret", in: fmt.Sprintf(pretty, `"secretKey": ""`), msg: `line 8:5: entry 2: field "secretKey": is empty`, line: 8, col: 5, entry: 2},
		{name: "pretty duplicate key, the last counts", in: fmt.Sprintf(pretty, `"secretKey": "x", "secretKey": ""`), err: `field "secretKey": is empty`, line: 8, col: 23, entry: 2},
		{name: "pretty negative limit", in: fmt.Sprintf(pretty, `"secretKey": "d", "maxSessions": -1`), err: `field "maxSessions": is negative`, line: 8, col: 23, entry: 2},
		{name: "field in another case", in: "[{\"accessToken\":\"a\",\n\"SECRETKEY\":\"\"}]", err: `field "secretKey": is empty`, line: 2, col: 1, entry: 1},
		{name: "empty secret", in: "[\n{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n\n  {\"accessToken\":\"c\",\"secretKey\":\"\"}]", err: `entry 2: field "secretKey": is empty`, line: 4, col: 22, entry: 2},
		// A missing field is reported where its entry starts.
		{name: "missing token", in: "[\n {\"secretKey\":\"s\"}]", msg: `line 2:2: entry 1: field "accessToken": is empty`, line: 2, col: 2, entry: 1},
		{name: "negative limit", in: `[{"accessToken":"a","secretKey":"s","maxSessions":-1}]`, err: "maxSessions", line: 1, col: 37, entry: 1},
		{name: "duplicate token", in: "[{\"accessToken\":\"top-secret-token\",\"secretKey\":\"s\"},\n{\"accessToken\":\"top-secret-token\",\"secretKey\":\"t\"}]", err: "same as entry 1", line: 2, col: 2, entry: 2},
		{name: "not a credential object", in: "[\n  \"top-secret-token\"]", err: "entry 1: not a credential object", line: 2, col: 3, entry: 1},
		{name: "not JSON", in: `[{"accessToken":`, err: "not JSON", line: 1, col: 2, entry: 1},
		{name: "syntax error", in: "[{\"accessToken\":\"a\",\"secretKey\":\"b\"},\n  {\"accessToken\" \"top-secret-token\"}]", err: "entry 2: not JSON", line: 2, col: 18, entry: 2},
		{name: "unclosed", in: `[{"accessToken":"a","secretKey":"b"}`, err: "not closed"},
		{name: "data after the array", in: "[{\"accessToken\":\"a\",\"secretKey\":\"b\"}]\n[]", err: "data after the array", line: 2, col: 1},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := LoadCredentials(strings.NewReader(tt.in))
			if tt.err == "" && tt.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			require.Error(t, err)
			assert.Nil(t, got)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
			assert.ErrorContains(t, err, tt.err)
			var cerr *CredentialsError
			require.ErrorAs(t, err, &cerr)
			if tt.line > 0 {
				assert.Equal(t, tt.line, cerr.Line, "line: "+err.Error())
				assert.Equal(t, tt.col, cerr.Column, "column: "+err.Error())
			}
			assert.Equal(t, tt.entry, cerr.Entry, err.Error())
			assert.NotContains(t, err.Error(), "top-secret-token")
		})
	}
	_, err := LoadCredentials(iotest.ErrReader(errors.New("boom")))
	assert.ErrorContains(t, err, "boom")
}

// TestLoadCredentialsFile checks that the errors of a file name it, with
// the position, as in FILE:LINE:COLUMN.
func TestLoadCredentialsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(t *testing.T, name, text string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	cases := []struct {
		name, in string
		msg      string // %s is the file's path
	}{
		{"empty.json", "[]\n", "%s: no accounts: the list is empty"},
		{"bad.json", "[\n  {\"accessToken\": \"a\",\n   \"secretKey\": \"\"}\n]", `%s:3:4: entry 1: field "secretKey": is empty`},
		{"good.json", `[{"accessToken":"a","secretKey":"b"}]`, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := write(t, tt.name, tt.in)
			creds, err := LoadCredentialsFile(path)
			if tt.msg == "" {
				require.NoError(t, err)
				assert.Len(t, creds, 1)
				return
			}
			require.EqualError(t, err, fmt.Sprintf(tt.msg, path))
			var cerr *CredentialsError
			require.ErrorAs(t, err, &cerr)
			assert.Equal(t, path, cerr.File)
		})
	}
	_, err := LoadCredentialsFile(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// TestNewCredentials checks that only nil Options.Credentials mean the
// demo accounts: an explicitly empty list is an error, not the demo
// accounts.
func TestNewCredentials(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		creds []Credential
		err   string
	}{
		{name: "nil is the demo accounts", creds: nil},
		{name: "empty non-nil", creds: []Credential{}, err: "Credentials is empty but not nil"},
		{name: "empty with capacity", creds: make([]Credential, 0, 3), err: "Credentials is empty but not nil"},
		{name: "bad entry", creds: []Credential{{AccessToken: "a", SecretKey: "b"}, {AccessToken: "c"}}, err: `Credentials: entry 2: field "secretKey": is empty`},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err == "" {
				srv := startServer(t, &Options{Credentials: tt.creds})
				assert.Equal(t, DefaultCredentials(), srv.Credentials())
				return
			}
			srv, err := New(&Options{Credentials: tt.creds, Recording: []protocol.RecordingLine{}})
			require.ErrorContains(t, err, tt.err)
			assert.Nil(t, srv)
		})
	}
}

// TestCustomCredentials replaces the defaults with a list of one's own.
func TestCustomCredentials(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	srv := startServer(t, nil)
	assert.Equal(t, DefaultCredentials(), srv.Credentials())
	names := map[string]bool{}
	for _, c := range srv.Credentials() {
		names[c.Name] = c.Forbidden
	}
	assert.Equal(t, map[string]bool{"demo": false, "other": false, "forbidden": true}, names)
}

func TestCredentialNeverPrinted(t *testing.T) {
	t.Parallel()
	c := Credential{AccessToken: "tok-123456", SecretKey: "sec-123456", Name: "n"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "cred", c)
	assert.NotContains(t, b.String(), "123456")
	assert.NotContains(t, fmt.Sprint(srvLike(c)), "123456")
}

// srvLike is what a server keeps of a credential.
func srvLike(c Credential) accounts { return newAccounts([]Credential{c}, 1) }
