package main

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wstrigger/wstrigger/internal/mocktest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestWriteFileModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// a new file gets what os.Create would give it (0666 less the umask)
	ref := filepath.Join(dir, "ref")
	f, err := os.Create(ref)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	refInfo, err := os.Stat(ref)
	require.NoError(t, err)

	fresh := filepath.Join(dir, "fresh.json")
	require.NoError(t, writeFile(fresh, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }))
	fi, err := os.Stat(fresh)
	require.NoError(t, err)
	assert.Equal(t, refInfo.Mode().Perm(), fi.Mode().Perm())

	// a replaced file keeps its mode
	private := filepath.Join(dir, "private.jsonl")
	require.NoError(t, os.WriteFile(private, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(private, 0o600))
	require.NoError(t, writeFile(private, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }))
	fi, err = os.Stat(private)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	data, err := os.ReadFile(private)
	require.NoError(t, err)
	assert.Equal(t, "new", string(data))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "no temporary file left behind")

	// through a symbolic link, the file it points to is written
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(private, link))
	require.NoError(t, writeFile(link, func(w io.Writer) error { _, err := io.WriteString(w, "via link"); return err }))
	li, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, li.Mode()&os.ModeSymlink, "the link stays a link")
	data, err = os.ReadFile(private)
	require.NoError(t, err)
	assert.Equal(t, "via link", string(data))
}

func TestCheckOutPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path, want string
	}{
		{"stdout", "-", ""},
		{"none", "", ""},
		{"a new file", filepath.Join(dir, "x.json"), ""},
		{"a folder", dir, "is a folder"},
		{"a missing folder", filepath.Join(dir, "none", "x.json"), "folder " + filepath.Join(dir, "none")},
		{"a file as folder", filepath.Join(dir, "x.json", "y.json"), ""}, // filled in below
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.json"), nil, 0o644))
	tests[len(tests)-1].want = "is not a folder"
	if runtime.GOOS == "linux" {
		tests = append(tests, struct{ name, path, want string }{"a folder that takes no file", "/proc/wstrigger-test.json", "--json /proc/wstrigger-test.json"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkOutPath("--json", tt.path)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the probe leaves nothing behind")
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		lines []string // "!" marks a line too long
	}{
		{"lines", "ab\ncd\n", []string{"ab", "cd"}},
		{"CRLF at the limit", "abcd\r\nx\r\n", []string{"abcd", "x"}},
		{"over the limit", "abcde\nx\n", []string{"!", "x"}},
		{"last line without newline", "ab\ncd", []string{"ab", "cd"}},
		{"last line over the limit without newline", "ab\nabcde", []string{"ab", "!"}},
		{"empty lines", "\n\nab\n", []string{"", "", "ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16) // chunks smaller than a line, too
			var got []string
			for {
				line, tooLong, err := readLine(br, 4)
				if err == io.EOF && len(line) == 0 && !tooLong {
					break
				}
				if tooLong {
					got = append(got, "!")
				} else {
					got = append(got, string(line))
				}
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
			}
			assert.Equal(t, tt.lines, got)
		})
	}
}

// TestPreflightToleratesSomeRefusals: a target that refuses some joins
// at random (the mock's --reject-joins 0.5:401) is run against; one that
// refuses them all is not.
func TestPreflightToleratesSomeRefusals(t *testing.T) {
	t.Parallel()
	creds := protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey}
	for _, tt := range []struct {
		share float64
		fatal bool
	}{{0.5, false}, {1, true}} {
		srv := mocktest.Start(t, &mockserver.Options{Rand: rand.NewPCG(7, 7),
			Faults: mockserver.Faults{RejectJoins: mockserver.Rejection{Share: tt.share, Status: 401}}})
		_, err := preflightJoin(context.Background(), srv.URL, creds, nil)
		if tt.fatal {
			require.Error(t, err)
			assert.Contains(t, err.Error(), "refuses these credentials")
		} else {
			assert.NoError(t, err, "a share of %v refused", tt.share)
		}
	}
}
