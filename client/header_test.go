package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestExtraHeadersReachTheServerAndStayOutOfErrors sends joins and
// pushes with extra headers to a gateway that refuses them, echoing
// every header value in its error body: the headers arrive, and the
// errors name the values of the sensitive ones as "***" only.
func TestExtraHeadersReachTheServerAndStayOutOfErrors(t *testing.T) {
	const key, bearer = "gw-key-5f1c9a2e", "Bearer tok-77d0e3b1"
	var mu sync.Mutex
	seen := map[string]http.Header{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"code":"unauthorized","message":"refused %s / %s / %s"}}`,
			r.Header.Get("X-Gateway-Key"), r.Header.Get("Authorization"), r.Header.Get("X-Env"))
	}))
	defer srv.Close()
	h := http.Header{}
	h.Set("X-Gateway-Key", key)
	h.Set("Authorization", bearer)
	h.Set("X-Env", "staging")
	c, err := client.New(srv.URL, protocol.Credentials{AccessToken: "token-a1b2c3", SecretKey: "secret-d4e5f6"}, &client.Options{Header: h})
	require.NoError(t, err)
	cases := []struct {
		name string
		path string
		call func() error
	}{
		{"join", protocol.JoinPath, func() error { _, err := c.Join(testContext(t), "{}"); return err }},
		{"push", protocol.PushPath, func() error { _, err := c.Push(testContext(t), "c2Vzc2lvbi1pZC0xMjM0NTY3OA", 1); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var he *client.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusUnauthorized, he.Status)
			assert.Contains(t, err.Error(), "refused *** / *** / staging", "the sensitive values are scrubbed, the others kept")
			assert.NotContains(t, err.Error(), key)
			assert.NotContains(t, err.Error(), "tok-77d0e3b1")
			mu.Lock()
			got := seen[tc.path]
			mu.Unlock()
			require.NotNil(t, got, "no request at %s", tc.path)
			assert.Equal(t, key, got.Get("X-Gateway-Key"))
			assert.Equal(t, bearer, got.Get("Authorization"))
			assert.Equal(t, "staging", got.Get("X-Env"))
			assert.Equal(t, "token-a1b2c3", got.Get(protocol.HeaderAccessToken), "the credentials go along")
		})
	}
}
