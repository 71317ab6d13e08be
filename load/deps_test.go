package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestLinksNoMock holds the driver to loading a target it is given: it
// never links the mock (a calibration's target, like any target, is
// the caller's), nor the OpenAPI documents.
func TestLinksNoMock(t *testing.T) {
	t.Parallel()
	const module = "github.com/wstrigger/wstrigger/"
	deps := mocktest.Deps(t, module+"load")
	require.Contains(t, deps, module+"loadresult", "the listing works")
	for _, banned := range []string{module + "mockserver", module + "spec", "github.com/getkin/kin-openapi/openapi3"} {
		assert.NotContains(t, deps, banned)
	}
}
