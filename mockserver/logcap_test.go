package mockserver

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogValue(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", maxLogValue-1) + "é" + strings.Repeat("b", 1000) // é straddles the cut
	cases := []struct {
		name, in, want string
	}{
		{"short", "abc", "abc"},
		{"exactly the limit", strings.Repeat("x", maxLogValue), strings.Repeat("x", maxLogValue)},
		{"over, cut on a character boundary", long, strings.Repeat("a", maxLogValue-1) + "…(1002 more bytes)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, logValue(tc.in))
		})
	}
}

// TestLongRequestsLogShortLines sends a join refused with a URL of
// 20 KB: its log line stays a few hundred bytes and says what was cut.
func TestLongRequestsLogShortLines(t *testing.T) {
	t.Parallel()
	var buf safeBuffer
	srv := startServer(t, &Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	c := httpClient(t)
	q := url.Values{"pattern": {"{}"}, "accessToken": {DemoAccessToken}, "secretKey": {"wrong-secret"}, "pad": {strings.Repeat("p", 20_000)}}
	resp, _ := do(t, c, upgradeRequest(t, http.MethodGet, srv.URL, q, nil))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	line := strings.TrimSpace(buf.String())
	require.NotEmpty(t, line)
	assert.Less(t, len(line), 2*maxLogValue+200, "a log line of %d bytes", len(line))
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &rec))
	assert.Contains(t, rec["url"], "more bytes)")
	assert.NotContains(t, line, "wrong-secret")
}
