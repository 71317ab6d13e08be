package metrics_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestEnginesLinkNoPrometheus holds the driver, the mock and what they
// stand on to exposing snapshots: only this package and cmd link
// prometheus/client_golang.
func TestEnginesLinkNoPrometheus(t *testing.T) {
	t.Parallel()
	const module = "github.com/wstrigger/wstrigger/"
	engines := []string{module + "load", module + "loadresult", module + "mockserver", module + "mockserver/mockapi", module + "client", module + "protocol", module + "reports"}
	deps := mocktest.Deps(t, engines...)
	require.Contains(t, deps, module+"load", "the listing works")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "github.com/prometheus/"), "the engines link %s", dep)
	}
}
