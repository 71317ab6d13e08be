package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/recgen"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRun(t *testing.T) {
	want := func(opts recgen.Options) []byte {
		var b bytes.Buffer
		require.NoError(t, recgen.Write(&b, opts))
		return b.Bytes()
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		want     []byte // in the output file, or on stdout without -o
		toFile   bool
		inStderr string
	}{
		{"defaults to a file", nil, exitOK, want(recgen.Options{}), true, ""},
		{"flags to a file", []string{"-seed", "7", "-events", "50", "-duration", "2m"}, exitOK,
			want(recgen.Options{Seed: 7, Events: 50, Duration: 2 * time.Minute}), true, ""},
		{"to stdout", []string{"-events", "5", "-o", "-"}, exitOK, want(recgen.Options{Events: 5}), false, ""},
		{"help", []string{"-h"}, exitOK, nil, false, "usage: recgen"},
		{"unknown flag", []string{"-x"}, exitUsage, nil, false, "flag provided but not defined"},
		{"zero events", []string{"-events", "0"}, exitUsage, nil, false, "-events must be positive"},
		{"negative duration", []string{"-duration", "-1s"}, exitUsage, nil, false, "-duration must be positive"},
		{"argument", []string{"extra"}, exitUsage, nil, false, `unexpected argument "extra"`},
		{"missing directory", []string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir.jsonl")}, exitFail, nil, false, "recgen:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rec.jsonl")
			args := c.args
			if c.toFile {
				args = append(args, "-o", out)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			assert.Equal(t, c.code, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), c.inStderr)
			switch {
			case c.toFile:
				got, err := os.ReadFile(out)
				require.NoError(t, err)
				assert.Equal(t, c.want, got)
				assert.Empty(t, stdout.String())
				entries, err := os.ReadDir(filepath.Dir(out))
				require.NoError(t, err)
				assert.Len(t, entries, 1, "no temporary file left behind")
			case c.want != nil:
				assert.Equal(t, c.want, stdout.Bytes())
			}
		})
	}
}
