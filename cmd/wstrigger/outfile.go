package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// checkOutPath says, before any work is done, whether path can be
// written as an output file: its folder exists and it is not a folder
// itself. flag names the option in the message. "" and "-" (standard
// output) always can.
func checkOutPath(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s: is a folder, want a file name", flag, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: folder %s: %w", flag, path, dir, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("%s %s: %s is not a folder", flag, path, dir)
	}
	// write a file there now, rather than learn after a long run that
	// the folder takes none (read-only, a pseudo file system)
	f, tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(tmp)
}

// unwrapPath drops the *PathError's own copy of the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sameFile reports whether out names one of the inputs: writing it would
// overwrite what is being read.
func sameFile(out string, inputs ...string) (string, bool) {
	oi, err := os.Stat(out)
	if err != nil {
		return "", false
	}
	for _, in := range inputs {
		if ii, err := os.Stat(in); err == nil && os.SameFile(oi, ii) {
			return in, true
		}
	}
	return "", false
}

// writeFile writes path through a temporary file in its folder, renamed
// over path once complete: a failed write leaves an earlier file as it
// was. A new file gets 0666 less the umask; a replaced one keeps its mode.
func writeFile(path string, write func(io.Writer) error) error {
	path = followLink(path)
	f, tmp, err := createTemp(path)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return commitTemp(f, tmp, path)
}

// followLink is the file a symbolic link at path points to, so that
// writing through it replaces that file rather than the link; path
// itself otherwise.
func followLink(path string) string {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return real
		}
	}
	return path
}

// createTemp opens a new temporary file beside path, created with mode
// 0666 less the process's umask, as os.Create would create path itself.
func createTemp(path string) (*os.File, string, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for range 100 {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d.tmp", base, rand.Uint32()))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
		}
		return f, tmp, nil
	}
	return nil, "", fmt.Errorf("writing %s: no free temporary name in %s", path, dir)
}

// commitTemp closes the temporary file f and renames it over path,
// keeping the mode of a file path already names.
func commitTemp(f *os.File, tmp, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		if err := f.Chmod(fi.Mode().Perm()); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}

// The output flags (contract --json, --junit and --markdown, load
// --json, check --json, record --out, report -o and merge's -o and
// --html) take "-" for standard output. The command's own text, which
// goes to standard output otherwise, then goes to standard error, so
// that standard output holds the output alone (JSON that parses).

// stdoutFor returns the env a command writes its text to and the writer
// of its outputs named "-": e and e.stdout, or, when one of paths is
// "-", an env whose stdout is e.stderr and e.stdout. flags name the
// paths' flags, for the error of two outputs on standard output.
func stdoutFor(e *env, flags []string, paths ...string) (*env, io.Writer, error) {
	var dash []string
	for i, p := range paths {
		if p == "-" {
			dash = append(dash, flags[i])
		}
	}
	switch len(dash) {
	case 0:
		return e, e.stdout, nil
	case 1:
		text := *e
		text.stdout = e.stderr
		return &text, e.stdout, nil
	}
	return e, e.stdout, fmt.Errorf("%s and %s both name standard output (-): give one of them a file", dash[0], dash[1])
}

// writeOutput writes the output a flag names: "-" is stdout, any other
// path a file written whole (writeFile).
func writeOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	return writeFile(path, write)
}
