package mocktest

import (
	"os/exec"
	"strings"
	"testing"
)

// Deps returns the packages that pkgs link, themselves included, as
// "go list -deps" lists them (test-only imports aside); it skips the
// test when there is no go command. It is how a test holds a package to
// what it may link.
func Deps(t testing.TB, pkgs ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies with")
	}
	out, err := exec.Command(goTool, append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("mocktest: go list -deps %v: %v", pkgs, err)
	}
	return strings.Fields(string(out))
}
