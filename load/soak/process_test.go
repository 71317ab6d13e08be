package soak

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// mockProc is the "wstrigger mock" process the soak runs against.
type mockProc struct {
	cmd          *exec.Cmd
	url, metrics string
}

var (
	listeningRe = regexp.MustCompile(`listening on (http://\S+)`)
	metricsRe   = regexp.MustCompile(`metrics on (http://\S+)`)
)

// startMock builds the command and starts the mock, replaying the
// embedded recording in a loop, with its metrics served; it stops it
// with SIGTERM when the test ends.
func startMock(t *testing.T) *mockProc {
	t.Helper()
	var stdout, stderr mocktest.Buffer
	cmd := exec.Command(mocktest.Binary(t), "mock", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--quiet", "--loop")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // ends with the process, waited for in the cleanup
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			assert.NoError(t, err, "the mock's exit; its stderr:\n%s", stderr.String())
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("the mock did not stop within 30 s of SIGTERM")
		}
	})
	m := &mockProc{cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for m.url == "" || m.metrics == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the mock did not start within 30 s; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
		if s := listeningRe.FindStringSubmatch(stdout.String()); s != nil {
			m.url = s[1]
		}
		if s := metricsRe.FindStringSubmatch(stderr.String()); s != nil {
			m.metrics = s[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	return m
}

// control sends a control request, which must succeed.
func (m *mockProc) control(t *testing.T, hc *http.Client, method, path, body string) {
	t.Helper()
	require.NoError(t, m.send(hc, method, path, body))
}

// send sends a control request and returns an error unless it got 200.
func (m *mockProc) send(hc *http.Client, method, path, body string) error {
	req, err := http.NewRequest(method, m.url+mockapi.ControlPrefix+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	data, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	return nil
}

// quiet waits until the mock holds no session and both processes'
// goroutines have settled, and samples both processes.
func (m *mockProc) quiet(t *testing.T, hc *http.Client, at time.Duration) sample {
	t.Helper()
	waitFor(t, "the mock to hold no session", func() bool {
		st, err := mockapi.FetchStats(context.Background(), hc, m.url)
		return err == nil && st.OpenSessions == 0
	})
	// Closed connections end their goroutines shortly after the run, in
	// both processes (a session's writer returning, a push connection's
	// server side reading its EOF): wait until each count holds still
	// for a few polls.
	s := sample{at: at}
	settle(t, "the driver's goroutines", func() (int, error) { return runtime.NumGoroutine(), nil }, &s.driverGor)
	settle(t, "the mock's goroutines", func() (int, error) { return m.goroutines(hc) }, &s.mockGors)
	debug.FreeOSMemory()
	var err error
	s.driverRSS, err = rss("self")
	require.NoError(t, err)
	s.mockRSS, err = rss(strconv.Itoa(m.cmd.Process.Pid))
	require.NoError(t, err)
	return s
}

// settle polls count until it returns the same value 5 times running,
// and stores that value in out. A failed poll (a scrape that timed out
// on a busy machine) is logged and polled again, within waitFor's bound.
func settle(t *testing.T, what string, count func() (int, error), out *int) {
	t.Helper()
	last, still := -1, 0
	waitFor(t, what+" to settle", func() bool {
		n, err := count()
		if err != nil {
			t.Logf("%s: %v (polled again)", what, err)
			last, still = -1, 0
			return false
		}
		if n == last {
			still++
		} else {
			last, still = n, 0
		}
		return still >= 5
	})
	*out = last
}

// goroutines reads go_goroutines from the mock's metrics.
func (m *mockProc) goroutines(hc *http.Client) (int, error) {
	resp, err := hc.Get(m.metrics) // the URL the mock printed, /metrics included
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines in the metrics: %v", sc.Err())
}

// rss reads the resident memory of /proc/<pid>/status.
func rss(pid string) (uint64, error) {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(data) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%s/status", pid)
}

// waitFor polls cond until it holds, for at most 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Slope is the least-squares slope of ys over xs (0 for fewer than two
// distinct xs).
func Slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var sx, sy float64
	for i := range xs {
		sx, sy = sx+xs[i], sy+ys[i]
	}
	mx, my := sx/n, sy/n
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return 0
	}
	return sxy / sxx
}

// TestSlope holds the fit to known lines.
func TestSlope(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		xs, ys []float64
		want   float64
	}{
		{"flat", []float64{0, 1, 2, 3}, []float64{5, 5, 5, 5}, 0},
		{"line", []float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}, 2},
		{"noisy line", []float64{0, 1, 2, 3}, []float64{0, 2, 1, 3}, 0.8},
		{"falling", []float64{0, 2, 4}, []float64{9, 5, 1}, -2},
		{"one point", []float64{1}, []float64{4}, 0},
		{"same x", []float64{1, 1}, []float64{4, 6}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, Slope(tt.xs, tt.ys), 1e-9)
		})
	}
}
