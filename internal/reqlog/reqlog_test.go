package reqlog_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/reqlog"
)

func TestLogCountsAndExcepts(t *testing.T) {
	t.Parallel()
	log := reqlog.New(http.NotFoundHandler())
	ts := httptest.NewServer(log)
	defer ts.Close()
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/a"}, {http.MethodGet, "/a"}, {http.MethodPost, "/b"}, {http.MethodGet, "/c?x=1"},
	} {
		r, err := http.NewRequest(req.method, ts.URL+req.path, nil)
		require.NoError(t, err)
		resp, err := ts.Client().Do(r)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	assert.Equal(t, map[string]int{"GET /a": 2, "POST /b": 1, "GET /c": 1}, log.Counts())
	assert.Equal(t, []string{"GET /c", "POST /b"}, log.Except("GET /a"))
	assert.Empty(t, log.Except("GET /a", "POST /b", "GET /c"))
}
