package metrics_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEnginesLinkNoPrometheus holds the driver, the mock and what they
// stand on to exposing snapshots: only this package and cmd link
// prometheus/client_golang.
func TestEnginesLinkNoPrometheus(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies with")
	}
	pkgs := []string{"load", "loadresult", "mockserver", "mockserver/mockapi", "client", "protocol", "reports"}
	args := []string{"list", "-deps"}
	for _, p := range pkgs {
		args = append(args, "github.com/wstrigger/wstrigger/"+p)
	}
	out, err := exec.Command(goTool, args...).Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/wstrigger/wstrigger/load", "the listing works")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "github.com/prometheus/"), "%v link %s", pkgs, dep)
	}
}
