package contract

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReproduceNamesOnlyWhatItKnows: credentials become environment
// references, session ids $SESSION, and a request holding a near miss of
// a credential, raw or query-escaped, gets no reproducer at all.
func TestReproduceNamesOnlyWhatItKnows(t *testing.T) {
	t.Parallel()
	r := testRunner(t, nil)
	const session = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	r.red.AddSession(session)
	tok, sec := r.target.Credentials.AccessToken, r.target.Credentials.SecretKey
	cases := []struct {
		name  string
		query url.Values
		h     http.Header
		want  string // a part of the command; "" for none
	}{
		{"credentials in the query", url.Values{"accessToken": {tok}, "secretKey": {sec}}, nil, "accessToken=${WSTRIGGER_ACCESS_TOKEN}"},
		{"credentials as headers", nil, http.Header{"X-Api-Secretkey": {sec}}, `-H "X-Api-Secretkey: ${WSTRIGGER_SECRET_KEY}"`},
		{"a session id", url.Values{"session": {session}}, nil, "session=${SESSION}"},
		{"a near miss in upper case", url.Values{"accessToken": {"TOKEN-ABC"}}, nil, ""},
		{"a near miss with spaces, query-escaped", url.Values{"accessToken": {" " + tok + " "}}, nil, ""},
		{"a near miss with a tab, query-escaped", url.Values{"accessToken": {"\t" + tok + "\n"}}, nil, ""},
		{"a near miss as a header", nil, http.Header{"X-Api-Accesstoken": {tok + " x"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse("http://127.0.0.1:1/api/v1/websocket?" + tc.query.Encode())
			require.NoError(t, err)
			got := r.reproduceHTTP(http.MethodGet, u, tc.h, nil)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tc.want)
			assert.NotContains(t, got, tok)
			assert.NotContains(t, got, sec)
		})
	}
}

// TestReproduceCheckKeepsTheOrigins: the command that runs a failed check
// again gives the run's origins, quoted for the shell, as the flags that
// set them.
func TestReproduceCheckKeepsTheOrigins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts *Options
		want []string
		not  string
	}{
		{"none", nil, nil, "origin"},
		{"both", &Options{Origin: "http://[::1]:5173/", ForbiddenOrigin: "HTTPS://Evil.example"},
			[]string{"--origin 'http://[::1]:5173'", "--forbidden-origin 'https://evil.example'"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := testRunner(t, tc.opts).reproduceCheck("CORS-005")
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			if tc.not != "" {
				assert.NotContains(t, got, tc.not)
			}
		})
	}
}
