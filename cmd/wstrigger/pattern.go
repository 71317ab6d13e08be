package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

const patternHelp = `
Reads events, one JSON value a line (an event object, or a recording line
{"offsetMs":...,"event":{...}}), from FILE or standard input, and says for
each whether PATTERN matches it and, when it does not, the first field that
failed and why. PATTERN takes either form of the pattern language:
  '{"type":["job-join","job-leave"],"org":["IBM"]}'   JSON form
  'type=job-join|job-leave;org=IBM'                   compact rule form

Exit status: 0 when at least one event matched, 1 when none did, 2 when the
pattern is invalid, the file cannot be read, or a line is not an event (the
other lines are still tested), 130 when interrupted (Ctrl-C, SIGTERM): it
stops before the next line, the lines tested so far printed (waiting for
input on a terminal, a second Ctrl-C quits at once).`

// patternOptions are the flags of "pattern test".
type patternOptions struct {
	JSON bool
}

func runPattern(ctx context.Context, e *env, args []string) int {
	var opts patternOptions
	fs := patternFlags(e, &opts)
	if len(args) == 0 || args[0] != "test" {
		fs.Usage()
		if len(args) > 0 && isHelp(args[0]) {
			return exitOK
		}
		fmt.Fprintln(e.stderr, "\nwstrigger pattern: expected the subcommand 'test'")
		return exitUsage
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) < 1 || len(pos) > 2 {
		fmt.Fprintf(e.stderr, "wstrigger pattern test: want PATTERN and at most one FILE, got %d arguments\n", len(pos))
		return exitUsage
	}
	p, err := pattern.Parse(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "wstrigger pattern test: invalid pattern: %v\n", err)
		return exitUsage
	}
	in, name := e.stdin, "standard input"
	if len(pos) == 2 {
		f, err := os.Open(pos[1])
		if err != nil {
			fmt.Fprintf(e.stderr, "wstrigger pattern test: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in, name = f, pos[1]
	}
	return testEvents(ctx, p, in, name, opts, e)
}

func patternFlags(e *env, opts *patternOptions) *flag.FlagSet {
	fs := newFlagSet(e, "pattern test", "pattern test [--json] PATTERN [FILE]", patternHelp)
	fs.BoolVar(&opts.JSON, "json", false, `print one JSON object per event: {"line":N,"match":true|false,"reason":"..."}`)
	return fs
}

// patternResult is one line of "pattern test --json".
type patternResult struct {
	Line   int    `json:"line"`
	Match  bool   `json:"match"`
	Reason string `json:"reason"`
	Error  string `json:"error,omitempty"`
}

// testEvents tests every line of in against p and writes one result a line.
func testEvents(ctx context.Context, p *pattern.Pattern, in io.Reader, name string, opts patternOptions, e *env) int {
	br := bufio.NewReaderSize(in, 64<<10)
	var matched, bad int
	enc := json.NewEncoder(e.stdout)
	for line := 1; ; line++ {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "wstrigger pattern test: interrupted before line %d of %s\n", line, name)
			return exitInterrupted
		}
		raw, tooLong, readErr := readLine(br, maxEventLine)
		if readErr != nil && readErr != io.EOF {
			fmt.Fprintf(e.stderr, "wstrigger pattern test: reading %s: %v\n", name, readErr)
			return exitUsage
		}
		if readErr == io.EOF && len(raw) == 0 && !tooLong {
			break
		}
		text := bytes.TrimSpace(raw)
		if len(text) == 0 && !tooLong {
			continue
		}
		res := patternResult{Line: line}
		event, err := decodeEventLine(text)
		if tooLong {
			err = fmt.Errorf("line longer than %d MiB, skipped", maxEventLine>>20)
		}
		if err != nil {
			bad++
			res.Error = err.Error()
			fmt.Fprintf(e.stderr, "%s:%d: %v\n", name, line, err)
		} else {
			res.Match, res.Reason = p.Explain(event)
		}
		if res.Match {
			matched++
		}
		switch {
		case opts.JSON:
			_ = enc.Encode(res)
		case res.Error != "":
		case res.Match:
			fmt.Fprintf(e.stdout, "line %d: match\n", line)
		default:
			fmt.Fprintf(e.stdout, "line %d: no match: %s\n", line, res.Reason)
		}
	}
	switch {
	case bad > 0:
		return exitUsage
	case matched > 0:
		return exitOK
	default:
		return exitFail
	}
}

// maxEventLine is the longest event line "pattern test" reads.
const maxEventLine = 16 << 20

// readLine reads one line of br, without its end of line ("\n" or
// "\r\n"). A line of more than max bytes is read to its end but dropped
// (tooLong), so that the next line is read next. err is io.EOF after the
// last line.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > max+2 { // room for "\r\n"
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if len(buf) > max {
			tooLong, buf = true, nil
		}
		return buf, tooLong, err
	}
}

// decodeEventLine decodes an event, or the event of a recording line.
func decodeEventLine(text []byte) (any, error) {
	v, err := protocol.DecodeValue(text)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("not JSON: %v", err)
	case err != nil: // one value, then more text
		return nil, errors.New("more than one JSON value on the line")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if ev, isRecording := obj["event"]; isRecording {
		if _, hasOffset := obj["offsetMs"]; hasOffset {
			if _, ok := ev.(map[string]any); !ok {
				return nil, errors.New(`recording line whose "event" is not an object`)
			}
			return ev, nil
		}
	}
	return obj, nil
}
