// Package ci_test lints the example workflows of examples/ci with
// actionlint, as a library: no shellcheck or pyflakes is run, so the
// test needs nothing but Go. It is a module of its own because
// actionlint v1.7.12 builds against go.yaml.in/yaml/v4 v4.0.0-rc.3, and
// the main module needs v4.0.0 (kin-openapi): run it with
// (cd examples/ci && go test ./...).
package ci_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// lint runs actionlint on content as the file at path, with every
// external checker off.
func lint(t *testing.T, path string, content []byte) []*actionlint.Error {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		Shellcheck: "", // empty: not run
		Pyflakes:   "",
	})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(path, content, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

func TestWorkflowsLint(t *testing.T) {
	files, err := filepath.Glob("*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("want the two example workflows, have %q", files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			content, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range lint(t, f, content) {
				t.Errorf("%s:%d:%d: %s [%s]", f, e.Line, e.Column, e.Message, e.Kind)
			}
		})
	}
}

// TestLintCatches holds the lint to failing: each case breaks the load
// workflow in one place.
func TestLintCatches(t *testing.T) {
	content, err := os.ReadFile("github-actions.yml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, old, new string }{
		{"unknown job in needs", "needs: start\n", "needs: begin\n"},
		{"unknown step output", "steps.start.outputs.start-at", "steps.begin.outputs.start-at"},
		{"unknown matrix key", "matrix.shard }}/", "matrix.part }}/"},
		{"bad cron", `cron: "17 3 * * 1"`, `cron: "17 3 * *"`},
		{"unknown job output", "needs.start.outputs.start-at", "needs.start.outputs.start"},
		{"unknown action input", "retention-days: 7", "keep-days: 7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(content), tc.old) {
				t.Fatalf("github-actions.yml has no %q", tc.old)
			}
			broken := strings.Replace(string(content), tc.old, tc.new, 1)
			if errs := lint(t, "github-actions.yml", []byte(broken)); len(errs) == 0 {
				t.Errorf("actionlint found nothing wrong after %q → %q", tc.old, tc.new)
			}
		})
	}
}
