//go:build unix

package main

import (
	"cmp"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/mockserver"
)

// started is a wstrigger process and its output.
type started struct {
	cmd            *exec.Cmd
	stdout, stderr *mocktest.Buffer
	exited         chan struct{}
}

func startBinary(t *testing.T, bin string, args ...string) *started {
	t.Helper()
	p := &started{cmd: exec.Command(bin, args...), stdout: &mocktest.Buffer{}, stderr: &mocktest.Buffer{}, exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Env = append(os.Environ(), envTarget+"=", envAccessToken+"=", envSecretKey+"=")
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// startMock starts 'wstrigger mock' on a free port with args and returns
// it and its URL. A test may SIGSTOP it: it is sent SIGCONT before it is
// killed (cleanups run last first).
func startMock(t *testing.T, bin string, args ...string) (*started, string) {
	t.Helper()
	p := startBinary(t, bin, append([]string{"mock", "--addr", "127.0.0.1:0", "--quiet"}, args...)...)
	p.waitFor(t, "listening on ")
	t.Cleanup(func() { _ = p.cmd.Process.Signal(syscall.SIGCONT) })
	return p, regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(p.stdout.String())[1]
}

// waitFor waits until the process's output holds text.
func (p *started) waitFor(t *testing.T, text string) {
	t.Helper()
	require.Eventually(t, func() bool {
		return strings.Contains(p.stdout.String()+p.stderr.String(), text)
	}, 30*time.Second, 5*time.Millisecond, "waiting for %q\nstdout:\n%s\nstderr:\n%s", text, p.stdout.String(), p.stderr.String())
}

// interruptTwice sends SIGINT twice and returns the exit status and how
// long after the second signal the process ended. The process may have
// ended after the first already.
func (p *started) interruptTwice(t *testing.T, between func()) (int, time.Duration) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	between()
	second := time.Now()
	_ = p.cmd.Process.Signal(os.Interrupt) // "process already finished" is fine
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after the second signal\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode(), time.Since(second)
}

// TestSecondSignalQuitsAtOnce runs the built binary: a second Ctrl-C
// ends it with status 130 within a second, even while the first one's
// clean stop waits on a target that does not answer.
func TestSecondSignalQuitsAtOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := mocktest.Binary(t)

	t.Run("contract against a frozen target", func(t *testing.T) {
		target := frozenTarget(t)
		p := startBinary(t, bin, "contract", "--target", target, "--access-token", "tok-abcdef", "--secret-key", "sec-abcdef")
		p.waitFor(t, "target: "+target)
		code, took := p.interruptTwice(t, func() {})
		assert.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		assert.Less(t, took, time.Second)
		assert.Contains(t, p.stderr.String(), "interrupted (SIGINT): stopping")
	})

	t.Run("mock waiting on a session that never answers its close", func(t *testing.T) {
		p, url := startMock(t, bin, "--grace", "60s")
		h := http.Header{}
		h.Set("X-API-AccessToken", mockserver.DemoAccessToken)
		h.Set("X-API-SecretKey", mockserver.DemoSecretKey)
		conn, resp, err := websocket.DefaultDialer.Dial(strings.Replace(url, "http://", "ws://", 1)+"/api/v1/websocket?pattern=%7B%7D", h)
		require.NoError(t, err)
		resp.Body.Close()
		defer conn.Close() // never read: the mock's close handshake waits for --grace
		code, took := p.interruptTwice(t, func() { p.waitFor(t, "wstrigger mock: shutting down") })
		assert.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
		assert.Less(t, took, time.Second, "not the 60s --grace")
		assert.Contains(t, p.stderr.String(), "interrupted (SIGINT) again: quitting at once (status 130)")
	})
}

// TestLoadSecondSignalWritesWhatIsKnown: while the first Ctrl-C waits
// on a frozen target (a long push timeout, a 'wstrigger mock' process
// SIGSTOPped), a second one quits at once with status 130 and writes
// the figures so far to --json, marked interrupted (issue 15, item 6).
func TestLoadSecondSignalWritesWhatIsKnown(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, tc := range []struct{ name, json, said string }{
		{"to a file", filepath.Join(t.TempDir(), "run.json"), ""},
		{"to standard output", "-", "standard output"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secondSignalWrites(t, tc.json, cmp.Or(tc.said, tc.json))
		})
	}
}

func secondSignalWrites(t *testing.T, out, said string) {
	bin := mocktest.Binary(t)
	mock, url := startMock(t, bin)
	p := startBinary(t, bin, "load", "--target", url, "--access-token", mockserver.DemoAccessToken, "--secret-key", mockserver.DemoSecretKey,
		"--subscriptions", "640", "--connect-rate", "5000", "--push-rate", "100", "--duration", "60s", "--push-timeout", "60s", "--json", out)
	p.waitFor(t, " pushing ")
	require.NoError(t, mock.cmd.Process.Signal(syscall.SIGSTOP))
	code, took := p.interruptTwice(t, func() { p.waitFor(t, "stopping and writing what was done") })
	assert.Equal(t, exitInterrupted, code, "stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	assert.Less(t, took, 5*time.Second, "at once, not the closes against the frozen mock")
	assert.Contains(t, p.stderr.String(), "wrote the figures so far to "+said)
	var res load.Result
	if out == "-" {
		require.NoError(t, json.Unmarshal([]byte(p.stdout.String()), &res), "standard output holds the JSON alone")
	} else {
		readJSONFile(t, out, &res)
	}
	assert.True(t, res.Interrupted)
	assert.Positive(t, res.Pushes.Sent)
	assert.Equal(t, 640, res.Subscriptions.Requested)
	require.NotEmpty(t, res.Driver.Warnings)
	assert.Contains(t, res.Driver.Warnings[0], "written on a second Ctrl-C")
}

// TestLoadStopsWithinPushTimeoutOnAFrozenTarget runs the built binary
// against a 'wstrigger mock' process that is SIGSTOPped while the run
// pushes (issue 15, item 6): the first Ctrl-C ends the run within about
// the push timeout, not a close timeout per 64 sessions and the read of
// the mock's counters after it; the result is written, marked
// interrupted, with status 130.
func TestLoadStopsWithinPushTimeoutOnAFrozenTarget(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const pushTimeout = time.Second
	bin := mocktest.Binary(t)
	mock, url := startMock(t, bin)
	out := filepath.Join(t.TempDir(), "run.json")
	p := startBinary(t, bin, "load", "--target", url, "--access-token", mockserver.DemoAccessToken, "--secret-key", mockserver.DemoSecretKey,
		"--subscriptions", "640", "--connect-rate", "5000", "--push-rate", "100", "--duration", "60s", "--push-timeout", pushTimeout.String(), "--json", out)
	p.waitFor(t, " pushing ")
	require.NoError(t, mock.cmd.Process.Signal(syscall.SIGSTOP))
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	at := time.Now()
	select {
	case <-p.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60s after Ctrl-C\nstdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	}
	took := time.Since(at)
	t.Logf("stopped %v after Ctrl-C", took)
	assert.Equal(t, exitInterrupted, p.cmd.ProcessState.ExitCode(), "stdout:\n%s\nstderr:\n%s", p.stdout.String(), p.stderr.String())
	assert.Less(t, took, 4*pushTimeout, "the push timeout and some slack for a busy machine")
	var res load.Result
	readJSONFile(t, out, &res)
	assert.True(t, res.Interrupted)
	assert.Positive(t, res.Pushes.Sent)
}
