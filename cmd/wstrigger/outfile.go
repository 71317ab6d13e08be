package main

import (
	"errors"
	"fmt"
	"io"
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
	return nil
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
// was. The file is readable by all (0644), as reports are meant to be.
func writeFile(path string, write func(io.Writer) error) error {
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

// createTemp opens a temporary file beside path.
func createTemp(path string) (*os.File, string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return f, f.Name(), nil
}

// commitTemp closes the temporary file f and renames it over path.
func commitTemp(f *os.File, tmp, path string) error {
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return nil
}
