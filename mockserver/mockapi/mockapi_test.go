package mockapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

func TestIdentifies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header http.Header
		want   bool
	}{
		{"no header", http.Header{}, false},
		{"stats", http.Header{mockapi.Header: {"stats"}}, true},
		{"among other tokens, any case", http.Header{mockapi.Header: {"replay, STATS"}}, true},
		{"other tokens only", http.Header{mockapi.Header: {"replay"}}, false},
		{"another header", http.Header{"X-Mock": {"stats"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, mockapi.Identifies(tc.header))
		})
	}
}

// TestFetchStats reads the counters and refuses what is not them; no
// error names the base URL (it may carry a secret in a query).
func TestFetchStats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		err    string
	}{
		{"the counters", http.StatusOK, `{"joins":3,"framesSent":{"push":2},"pushes":{"202":2}}`, ""},
		{"not found", http.StatusNotFound, `{}`, "GET /_mock/stats: 404 Not Found"},
		{"not JSON", http.StatusOK, `<html>`, "GET /_mock/stats: invalid character"},
		{"not the counters", http.StatusOK, `{"joins":3}`, "not the mock's counters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				assert.Equal(t, mockapi.StatsPath, r.URL.Path)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer ts.Close()
			st, err := mockapi.FetchStats(context.Background(), ts.Client(), ts.URL)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), ts.URL)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, uint64(3), st.Joins)
			assert.Equal(t, uint64(2), st.Pushes[http.StatusAccepted], "status keys decode as numbers")
		})
	}
}

func TestFetchStatsUnreachableNamesNoSecret(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.NotFoundHandler())
	base := ts.URL + "/prefix?token=s3cret-value"
	ts.Close()
	_, err := mockapi.FetchStats(context.Background(), nil, base)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-value")
}
