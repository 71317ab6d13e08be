package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

const mockHelp = `
Runs the mock server: the whole protocol, replaying recorded triggers to
every session whose pattern matches, with faults on demand. It prints its
URL and the credentials it accepts, logs one line per join, close and
rejected request (no credential or session id in them), and on Ctrl-C or
SIGTERM closes every session with 1001, waits --grace for the handshakes
and prints its counters; a second Ctrl-C quits at once.

The control API under /_mock/ (off with --no-control) injects triggers
(POST /_mock/triggers), reads counters (GET /_mock/stats), reads or sets
faults (GET and PUT /_mock/faults) and ends every session at once, as a
restart would (POST /_mock/disconnect, optional body {"code":1012,
"reason":"..."}). It needs no credentials: keep the mock
on loopback.

--metrics-addr ADDR (such as :9090) serves Prometheus metrics at
http://ADDR/metrics: open sessions, frames sent by type, frames dropped,
closes by close code (4008: a slow consumer's queue overflowed), joins and
pushes by HTTP status and error code (the counters of /_mock/stats, which
a reset of them sets back to zero), and the process's CPU and memory.

Exit status: 0 when it shut down cleanly on Ctrl-C or SIGTERM (a signal
is how the mock is meant to stop: it judges nothing), 1 when sessions
were still open after --grace, 2 when the flags are wrong or --addr or
--metrics-addr cannot be listened on, 130 when a second signal cut the
shutdown short.`

// mockOptions are the flags of "mock"; they fill mockserver.Options.
type mockOptions struct {
	mockserver.Options
	CredentialsFile string
	RecordingFile   string
	Origins         string
	Quiet           bool
	LogFormat       string
	Grace           time.Duration
	Seed            uint64
	StallAfter      time.Duration
	RejectJoins     string
	RejectPushes    string
	MetricsAddr     string
}

func mockFlags(e *env, o *mockOptions) *flag.FlagSet {
	fs := newFlagSet(e, "mock", "mock [flags]", mockHelp)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.CredentialsFile, "credentials", "", `JSON file of accepted credentials, replacing the demo ones: [{"accessToken":..,"secretKey":..,"forbidden":false,"maxSessions":0,"name":..}]`)
	fs.IntVar(&o.MaxSessions, "max-sessions", mockserver.DefaultMaxSessions, "open sessions allowed per access token (then 429)")
	fs.StringVar(&o.Origins, "allowed-origins", "", "comma-separated Origin allow-list for browser joins and push preflights (default: any origin)")
	fs.DurationVar(&o.Heartbeat, "heartbeat", mockserver.DefaultHeartbeat, "ping interval; a session not answering within two is closed")
	fs.IntVar(&o.QueueSize, "queue-size", mockserver.DefaultQueueSize, "outbound frames queued per session before it is closed with 4008")
	fs.IntVar(&o.SendBuffer, "send-buffer", mockserver.DefaultSendBuffer, "kernel send buffer (SO_SNDBUF) of each session's connection, in bytes: what a client that stops reading can hold")
	fs.StringVar(&o.RecordingFile, "recording", "", "recording to replay (JSON Lines of {\"offsetMs\":N,\"event\":{...}}); default: the embedded one")
	fs.Float64Var(&o.Speed, "speed", 1, "replay speed: 1 real time, 2 twice as fast, 0 as fast as possible")
	fs.BoolVar(&o.Loop, "loop", false, "replay the recording again and again")
	fs.BoolVar(&o.NoControl, "no-control", false, "turn off the control API under /_mock/")
	fs.BoolVar(&o.Quiet, "quiet", false, "no log lines")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log line format: text or json")
	fs.DurationVar(&o.Grace, "grace", mockserver.DefaultCloseTimeout, "how long shutdown waits for close handshakes")
	fs.DurationVar(&o.Faults.Latency, "latency", 0, "fault: delay every frame by this much")
	fs.DurationVar(&o.Faults.Jitter, "jitter", 0, "fault: vary --latency by up to this much either way")
	fs.IntVar(&o.Faults.CloseAfterFrames, "close-after", 0, "fault: close each session after this many frames")
	fs.Float64Var(&o.Faults.CloseProbability, "close-probability", 0, "fault: close a session after a frame with this probability (0-1)")
	fs.IntVar(&o.Faults.CloseCode, "close-code", mockserver.DefaultFaultCloseCode, "fault: close code of --close-after and --close-probability")
	fs.BoolVar(&o.Faults.CloseReset, "close-reset", false, "fault: close abruptly (TCP reset, no close frame) instead")
	fs.StringVar(&o.RejectJoins, "reject-joins", "", "fault: reject a share of joins, SHARE[:STATUS] (e.g. 0.1:503; status 401, 403, 429 or 503)")
	fs.StringVar(&o.RejectPushes, "reject-pushes", "", "fault: reject a share of pushes, SHARE[:STATUS] (e.g. 0.1:429; status 401, 404 or 429)")
	fs.DurationVar(&o.Faults.Stall.Duration, "stall", 0, "fault: stop writing frames to every session for this long")
	fs.DurationVar(&o.StallAfter, "stall-after", 0, "fault: start --stall this long after start-up")
	fs.DurationVar(&o.Faults.Disconnect.Every, "disconnect-every", 0, "fault: end every open session at once this often (a reconnect storm), from start-up")
	fs.IntVar(&o.Faults.Disconnect.Code, "disconnect-code", mockserver.DefaultDisconnectCode, "fault: close code of --disconnect-every")
	fs.Uint64Var(&o.Seed, "seed", 0, "seed of the faults' random choices (0: random)")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", metricsAddrUsage)
	return fs
}

func runMock(ctx context.Context, e *env, args []string) int {
	var o mockOptions
	fs := mockFlags(e, &o)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "wstrigger mock: "+format+"\n", args...)
		return exitUsage
	}
	if len(pos) > 0 {
		return fail("unexpected argument %q", pos[0])
	}
	if err := o.complete(e); err != nil {
		return fail("%v", err)
	}
	ms, err := listenMetrics(e, o.MetricsAddr)
	if err != nil {
		return fail("%v", err)
	}
	defer closeMetrics(ms)
	srv, err := mockserver.New(&o.Options)
	if err != nil {
		return fail("%v", err)
	}
	if ms != nil {
		if err := errors.Join(metrics.RegisterProcess(ms.Registry), metrics.RegisterMock(ms.Registry, srv)); err != nil {
			srv.Close()
			return fail("%v", err)
		}
	}
	printBanner(e, srv, &o)
	trimCtx, stopTrim := context.WithCancel(ctx)
	var trims sync.WaitGroup
	trims.Go(func() { trimLoop(trimCtx, time.Second, func() uint64 { return srv.Stats().Joins }, debug.FreeOSMemory) })
	<-ctx.Done()
	stopTrim()
	trims.Wait()
	fmt.Fprintln(e.stderr, "wstrigger mock: shutting down")
	// Sessions get --grace each for their handshakes; the whole shutdown a
	// little more, so a peer that never answers ends as a normal timeout.
	grace, cancel := context.WithTimeout(context.Background(), o.Grace+time.Second)
	defer cancel()
	err = srv.Shutdown(grace)
	printStats(e, srv.Stats())
	if err != nil {
		fmt.Fprintf(e.stderr, "wstrigger mock: shutdown not clean: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(e.stderr, "wstrigger mock: stopped: every session closed")
	return exitOK
}

// complete turns the flags that need parsing or files into Options.
func (o *mockOptions) complete(e *env) error {
	if o.CredentialsFile != "" {
		var err error
		if o.Credentials, err = mockserver.LoadCredentialsFile(o.CredentialsFile); err != nil {
			return err
		}
	}
	if o.RecordingFile != "" {
		f, err := os.Open(o.RecordingFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if o.Recording, err = protocol.ReadRecording(f); err != nil {
			return fmt.Errorf("%s: %w", o.RecordingFile, err)
		}
		if o.Recording == nil {
			o.Recording = []protocol.RecordingLine{} // an empty file replays nothing
		}
	}
	for _, origin := range strings.Split(o.Origins, ",") {
		if origin = strings.TrimSpace(origin); origin != "" {
			o.AllowedOrigins = append(o.AllowedOrigins, origin)
		}
	}
	var err error
	if o.Faults.RejectJoins, err = parseRejection("--reject-joins", o.RejectJoins); err != nil {
		return err
	}
	if o.Faults.RejectPushes, err = parseRejection("--reject-pushes", o.RejectPushes); err != nil {
		return err
	}
	if o.Faults.Stall.Duration > 0 {
		o.Faults.Stall.Start = time.Now().Add(o.StallAfter)
	}
	if o.Seed != 0 {
		o.Rand = rand.NewPCG(o.Seed, o.Seed)
	}
	if o.Grace <= 0 {
		return fmt.Errorf("--grace must be positive")
	}
	if !(o.Speed >= 0) || math.IsInf(o.Speed, 0) {
		return fmt.Errorf("--speed %v: want 0 (as fast as possible) or a positive factor", o.Speed)
	}
	o.CloseTimeout = o.Grace
	switch {
	case o.LogFormat != "text" && o.LogFormat != "json":
		return fmt.Errorf("--log-format %q: want text or json", o.LogFormat)
	case o.Quiet:
	case o.LogFormat == "text":
		o.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	case o.LogFormat == "json":
		o.Logger = slog.New(slog.NewJSONHandler(e.stderr, nil))
	default:
		return fmt.Errorf("--log-format %q: want text or json", o.LogFormat)
	}
	return nil
}

// parseRejection parses SHARE[:STATUS].
func parseRejection(flagName, s string) (mockserver.Rejection, error) {
	if s == "" {
		return mockserver.Rejection{}, nil
	}
	shareText, statusText, hasStatus := strings.Cut(s, ":")
	share, err := strconv.ParseFloat(shareText, 64)
	if err != nil {
		return mockserver.Rejection{}, fmt.Errorf("%s %q: share %q is not a number", flagName, s, shareText)
	}
	r := mockserver.Rejection{Share: share}
	if hasStatus {
		if r.Status, err = strconv.Atoi(statusText); err != nil {
			return mockserver.Rejection{}, fmt.Errorf("%s %q: status %q is not a number", flagName, s, statusText)
		}
	}
	return r, nil
}

// printBanner says where the mock is and how to use it. The demo
// credentials are public and printed whole; credentials from a file are
// the user's own, so only their names are.
func printBanner(e *env, srv *mockserver.Server, o *mockOptions) {
	w := e.stdout
	fmt.Fprintf(w, "wstrigger mock listening on %s\n", srv.URL)
	fmt.Fprintf(w, "  join: %s%s?pattern=...   push: POST %s%s?session=ID\n",
		strings.Replace(srv.URL, "http://", "ws://", 1), protocol.JoinPath, srv.URL, protocol.PushPath)
	if o.CredentialsFile == "" {
		fmt.Fprintln(w, "  credentials (X-API-AccessToken / X-API-SecretKey):")
		for _, c := range srv.Credentials() {
			note := ""
			if c.Forbidden {
				note = "  (valid, but the account gets 403)"
			}
			fmt.Fprintf(w, "    %-10s %s / %s%s\n", c.Name, c.AccessToken, c.SecretKey, note)
		}
	} else {
		fmt.Fprintf(w, "  credentials: %d accounts from %s\n", len(srv.Credentials()), o.CredentialsFile)
	}
	recording := "embedded recording"
	if o.RecordingFile != "" {
		recording = o.RecordingFile
	}
	speed := fmt.Sprintf("at %gx", o.Speed)
	if o.Speed == 0 {
		speed = "as fast as possible"
	}
	loop := ""
	if o.Loop {
		loop = ", looped"
	}
	fmt.Fprintf(w, "  replaying %s %s%s, from the first join\n", recording, speed, loop)
	if !o.NoControl {
		fmt.Fprintf(w, "  control API: %s%s{stats,triggers,faults}\n", srv.URL, mockserver.ControlPrefix)
	}
}

func printStats(e *env, st mockserver.Stats) {
	fmt.Fprintf(e.stderr, "wstrigger mock: %d joins, %d triggers replayed, %d injected, %d deliveries, %d frames dropped\n",
		st.Joins, st.TriggersReplayed, st.TriggersInjected, st.Deliveries, st.Dropped)
}
