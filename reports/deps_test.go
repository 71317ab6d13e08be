package reports_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestDependsOnDataOnly holds reports to rendering plain data: it links
// none of the engines (the websocket client, the suite, the driver, the
// spec documents and their OpenAPI validators), and of this module only
// the result types, the protocol core and the protocol reference.
func TestDependsOnDataOnly(t *testing.T) {
	t.Parallel()
	deps := mocktest.Deps(t, ".")
	require.Contains(t, deps, "github.com/wstrigger/wstrigger/loadresult", "the listing works")

	const module = "github.com/wstrigger/wstrigger/"
	ours := []string{"reports", "loadresult", "contractreport", "protocol", "docs"}
	forbidden := []struct {
		name, prefix string
	}{
		{"websocket", "github.com/gorilla/"},
		{"OpenAPI", "github.com/getkin/"},
		{"errgroup", "golang.org/x/sync/"},
	}
	for _, dep := range deps {
		if rest, ok := strings.CutPrefix(dep, module); ok {
			assert.True(t, slices.Contains(ours, rest), "reports links %s: only %v of this module", dep, ours)
		}
		for _, f := range forbidden {
			assert.False(t, strings.HasPrefix(dep, f.prefix), "reports links a %s package: %s", f.name, dep)
		}
	}
}
