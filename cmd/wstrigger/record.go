package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

const recordHelp = `
Joins an implementation with a pattern and writes the triggers it receives
as a recording (JSON Lines of {"offsetMs":N,"event":{...}}), which the mock
server replays unchanged (wstrigger mock --recording FILE). It first
prints the target it records from (on stderr: standard output may be the
recording). It stops after --duration or --max-events, when the server
closes the session, or on Ctrl-C or SIGTERM; what was recorded until then
is kept (a recording is whole at any line).

The target and its credentials come from --target, --access-token and
--secret-key or, for a flag not given, from $WSTRIGGER_TARGET,
$WSTRIGGER_ACCESS_TOKEN and $WSTRIGGER_SECRET_KEY; a flag wins over the
environment.

Exit status: 0 when it stopped at --duration or --max-events, 1 when the
server ended the session, 2 when the flags are wrong or the join failed,
130 when interrupted (Ctrl-C, SIGTERM; the recording is kept).`

// recordOptions are the flags of "record".
type recordOptions struct {
	targetOptions
	Pattern   string
	Duration  time.Duration
	MaxEvents int
	Out       string
}

func runRecord(ctx context.Context, e *env, args []string) int {
	var o recordOptions
	fs := newFlagSet(e, "record", "record --target URL [flags]", recordHelp)
	o.register(fs, "record from, such as http://127.0.0.1:8080", false)
	fs.StringVar(&o.Pattern, "pattern", "{}", "subscription pattern, in either form")
	fs.DurationVar(&o.Duration, "duration", 0, "stop after this long (0: until Ctrl-C or the session ends)")
	fs.IntVar(&o.MaxEvents, "max-events", 0, "stop after this many triggers (0: no limit)")
	fs.StringVar(&o.Out, "out", "-", "recording file to write; - for standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger record: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail("unexpected argument %q", pos[0])
	}
	if o.resolveTarget(e) {
		return fail("--target (or $%s) is required", envTarget)
	}
	if o.Duration < 0 || o.MaxEvents < 0 {
		return fail("--duration and --max-events must not be negative")
	}
	if err := checkOutPath("--out", o.Out); err != nil {
		return fail("%v", err)
	}
	creds, err := o.resolve(e)
	if err != nil {
		return fail("%v", err)
	}
	if err := o.resolveGateway(e); err != nil {
		return fail("%v", err)
	}
	c, err := client.New(o.Target, creds, o.clientOptions())
	if err != nil {
		return fail("%v", err)
	}
	out, closeOut, err := openOut(o.Out, e.stdout)
	if err != nil {
		return fail("%v", err)
	}
	printTarget(e.stderr, o.Target, "")
	s, err := c.Join(ctx, o.Pattern)
	if err != nil {
		_ = closeOut(false)
		if ctx.Err() != nil {
			return interruptedBefore(e, "record")
		}
		return fail("%v", err)
	}
	defer s.Close()
	bw := bufio.NewWriter(out)
	st, recErr := client.Record(ctx, s, protocol.NewRecordingWriter(bw), &client.RecordOptions{Duration: o.Duration, MaxEvents: o.MaxEvents})
	flushErr := bw.Flush()
	if flushErr != nil {
		_ = closeOut(false)
		return fail("writing %s: %v", o.Out, flushErr)
	}
	if err := closeOut(true); err != nil {
		return fail("%v", err)
	}
	interrupted := recErr == nil && ctx.Err() != nil
	if interrupted {
		fmt.Fprint(e.stderr, "wstrigger record: interrupted: ")
	} else {
		fmt.Fprint(e.stderr, "wstrigger record: ")
	}
	fmt.Fprintf(e.stderr, "%d triggers recorded", st.Triggers)
	if st.Gaps > 0 {
		fmt.Fprintf(e.stderr, "; %d seq gaps, %d frames lost by the server", st.Gaps, st.Missing)
	}
	if interrupted && o.Out != "-" {
		fmt.Fprintf(e.stderr, ", kept in %s", o.Out)
	}
	fmt.Fprintln(e.stderr)
	switch {
	case recErr != nil:
		fmt.Fprintf(e.stderr, "wstrigger record: session ended: %v\n", recErr)
		return exitFail
	case interrupted:
		return exitInterrupted
	}
	return exitOK
}

// openOut opens the output named by a flag: "-" is w. A file is written
// beside its name and renamed over it when the close function commits
// it (keep=true); otherwise it is dropped and an earlier file of that
// name is left as it was.
func openOut(name string, w io.Writer) (io.Writer, func(keep bool) error, error) {
	if name == "-" || name == "" {
		return w, func(bool) error { return nil }, nil
	}
	name = followLink(name)
	f, tmp, err := createTemp(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func(keep bool) error {
		if !keep {
			return errors.Join(f.Close(), os.Remove(tmp))
		}
		err := commitTemp(f, tmp, name)
		if err != nil {
			_ = os.Remove(tmp)
		}
		return err
	}, nil
}
