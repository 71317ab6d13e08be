package main

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// metricsOn finds the --metrics-addr URL a command printed on stderr.
var metricsOn = regexp.MustCompile(`metrics on (http://\S+/metrics)`)

// scrapeNames scrapes url and returns the metric names with their
// series' label sets as text; an error means the server did not answer.
func scrapeNames(ctx context.Context, url string) (map[string][]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			out[name] = append(out[name], m.String())
		}
	}
	return out, nil
}

// TestLoadMetricsAddr runs "load --metrics-addr 127.0.0.1:0" and scrapes
// the driver's metrics, labelled with the shard, and the embedded mock's,
// while it runs.
func TestLoadMetricsAddr(t *testing.T) {
	t.Parallel()
	out, errOut := &mocktest.Buffer{}, &mocktest.Buffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" }}
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"load", "--metrics-addr", "127.0.0.1:0", "--subscriptions", "4",
			"--push-rate", "50", "--duration", "3s", "--quiet"}, e)
	}()
	var url string
	var got map[string][]string
	deadline := time.After(60 * time.Second)
	for got["wstrigger_driver_pushes_sent_total"] == nil || got["wstrigger_mock_sessions_open"] == nil {
		select {
		case code := <-done:
			t.Fatalf("ended (%d) before its metrics were scraped\nstderr:\n%s", code, errOut.String())
		case <-deadline:
			t.Fatalf("no metrics\nstderr:\n%s", errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if m := metricsOn.FindStringSubmatch(errOut.String()); m != nil {
			url = m[1]
			var err error
			got, err = scrapeNames(t.Context(), url)
			require.NoError(t, err)
		}
	}
	assert.Contains(t, got["wstrigger_driver_pushes_sent_total"][0], `value:"0/1"`, "the shard label")
	assert.Contains(t, got, "process_cpu_seconds_total")
	assert.Equal(t, exitOK, <-done, errOut.String())
	_, err := scrapeNames(t.Context(), url)
	assert.Error(t, err, "the metrics server stops with the command")
}

// TestMockMetricsAddr runs "mock --metrics-addr 127.0.0.1:0" and scrapes it.
func TestMockMetricsAddr(t *testing.T) {
	t.Parallel()
	_, stderr := startMockCommand(t, "--metrics-addr", "127.0.0.1:0")
	m := metricsOn.FindStringSubmatch(stderr.String())
	require.NotNil(t, m, stderr.String())
	got, err := scrapeNames(t.Context(), m[1])
	require.NoError(t, err)
	for _, name := range []string{"wstrigger_mock_sessions_open", "wstrigger_mock_joins_total", "wstrigger_mock_frames_sent_total", "process_cpu_seconds_total", "go_goroutines"} {
		assert.Contains(t, got, name)
	}
}

// TestMetricsAddrUnusable: an address that cannot be listened on is a
// usage error, said before anything runs.
func TestMetricsAddrUnusable(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() }) // after the parallel cases
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"load, address in use", []string{"load", "--metrics-addr", busy.Addr().String()}, "address already in use"},
		{"load, no port", []string{"load", "--metrics-addr", "127.0.0.1"}, "missing port"},
		{"mock, address in use", []string{"mock", "--addr", "127.0.0.1:0", "--metrics-addr", busy.Addr().String()}, "address already in use"},
		{"mock, bad port", []string{"mock", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:99999"}, "invalid port"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// a case that wrongly starts the command must not hang the test
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, errOut := &mocktest.Buffer{}, &mocktest.Buffer{}
			assert.Equal(t, exitUsage, run(ctx, tc.args, demoEnv(out, errOut)))
			assert.Contains(t, errOut.String(), "--metrics-addr "+tc.args[len(tc.args)-1]+": ")
			assert.Contains(t, errOut.String(), tc.stderr)
			assert.Empty(t, out.String(), "nothing ran")
		})
	}
}
