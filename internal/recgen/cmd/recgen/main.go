// Command recgen writes the mock server's default recording, or another
// recording of the same kind (see package recgen):
//
//	go run ./internal/recgen/cmd/recgen -o mockserver/recordings/default.jsonl
//	go run ./internal/recgen/cmd/recgen -seed 7 -events 2000 -duration 30m -o big.jsonl
//
// Without -o, or with -o -, it writes to standard output.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wstrigger/wstrigger/internal/recgen"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // the recording could not be written
	exitUsage = 2 // a bad flag
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, writes the recording and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("recgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts recgen.Options
	var out string
	fs.Int64Var(&opts.Seed, "seed", 0, "random seed (0 is the committed default recording)")
	fs.IntVar(&opts.Events, "events", recgen.DefaultEvents, "number of events")
	fs.DurationVar(&opts.Duration, "duration", recgen.DefaultDuration, "span from the first to the last event")
	fs.StringVar(&out, "o", "-", "output file, - for standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: recgen [-seed N] [-events N] [-duration D] [-o FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "recgen: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	case opts.Events <= 0:
		fmt.Fprintln(stderr, "recgen: -events must be positive")
		return exitUsage
	case opts.Duration <= 0:
		fmt.Fprintln(stderr, "recgen: -duration must be positive")
		return exitUsage
	}
	if err := write(out, stdout, opts); err != nil {
		fmt.Fprintf(stderr, "recgen: %v\n", err)
		return exitFail
	}
	return exitOK
}

// write writes the recording to the file out, or to stdout for "-". A
// file is written whole or not at all.
func write(out string, stdout io.Writer, opts recgen.Options) error {
	if out == "-" {
		return recgen.Write(stdout, opts)
	}
	var buf bytes.Buffer
	if err := recgen.Write(&buf, opts); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".recgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
