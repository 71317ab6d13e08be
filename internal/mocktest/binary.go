package mocktest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Binary builds the wstrigger command into a temporary folder of t and
// returns its path, for the tests that run it as processes: signals,
// shards of one run, the Kubernetes manifests' commands.
func Binary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wstrigger")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/wstrigger/wstrigger/cmd/wstrigger").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
