package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
)

// mockHandler is the handler of a mock server, to serve behind a test
// gateway.
func mockHandler(t *testing.T) http.Handler {
	t.Helper()
	srv, err := mockserver.New(&mockserver.Options{Speed: mockserver.DefaultSpeed})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv.Handler()
}

// demoVars are the demo credentials and more variables.
func demoVars(more map[string]string) map[string]string {
	vars := map[string]string{envAccessToken: mocktest.Demo.AccessToken, envSecretKey: mocktest.Demo.SecretKey}
	for k, v := range more {
		vars[k] = v
	}
	return vars
}

// short runs of the commands that talk to a target.
var (
	shortContract = []string{"contract", "--run", "^JOIN-00[12]$", "--quiet"}
	shortLoad     = []string{"load", "--subscriptions", "4", "--push-rate", "20", "--duration", "1s", "--quiet"}
	shortCheck    = []string{"check", "--run", "^JOIN-001$", "--subscriptions", "4", "--push-rate", "20", "--duration", "1s", "--quiet", "--slo", "delivered>=99%"} // no latency SLO: the machine may be busy
	shortRecord   = []string{"record", "--duration", "500ms", "--out", os.DevNull}
)

func TestTLSTarget(t *testing.T) {
	t.Parallel()
	ts := httptest.NewUnstartedServer(mockHandler(t))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600))
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	wss := "wss://" + strings.TrimPrefix(ts.URL, "https://")
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"contract without the CA", append(shortContract, "--target", ts.URL), exitUsage, "certificate"},
		{"contract with --ca-cert", append(shortContract, "--target", ts.URL, "--ca-cert", ca), exitOK, ""},
		{"contract with --insecure", append(shortContract, "--target", wss, "--insecure"), exitOK, "warning: --insecure: the target's TLS certificate is not verified"},
		{"load with --ca-cert", append(argsOf(shortLoad), "--target", ts.URL, "--ca-cert", ca, "--slo", "delivered>=99%"), exitOK, ""},
		{"load without the CA", append(shortLoad, "--target", ts.URL), exitUsage, "certificate"},
		{"check with --ca-cert", append(shortCheck, "--target", ts.URL, "--ca-cert", ca, "--out", filepath.Join(dir, "report")), exitOK, ""},
		{"record with --insecure", append(shortRecord, "--target", ts.URL, "--insecure"), exitOK, "triggers recorded"},
		{"record without the CA", append(shortRecord, "--target", ts.URL), exitUsage, "certificate"},
		{"a CA file that is not PEM", append(shortLoad, "--target", ts.URL, "--ca-cert", notPEM), exitUsage, "no PEM certificate"},
		{"a CA file that is not there", append(shortContract, "--target", ts.URL, "--ca-cert", filepath.Join(dir, "none.pem")), exitUsage, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runGatewayCase(t, tc.args, tc.code, tc.stderr)
		})
	}
}

// runGatewayCase runs a command line with the demo credentials and
// checks its status and standard error, which must not hold
// gatewayKey, nor its standard output.
func runGatewayCase(t *testing.T, args []string, wantCode int, wantStderr string) {
	t.Helper()
	code, stdout, stderr := runEnv(t, demoVars(nil), args...)
	assert.Equal(t, wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stderr, wantStderr)
	assert.NotContains(t, stdout+stderr, gatewayKey, "the key is printed")
}

// gatewayKey is the value of the header the test gateway wants.
const gatewayKey = "gw-9d8c7b6a5f4e"

// startGateway serves h behind a gateway that wants X-Gateway-Key on
// every request, joins and pushes alike, and refuses a request without
// it with 401. With echo, it also refuses every push with 502, naming
// the key it was given in the body: no output may repeat it.
func startGateway(t *testing.T, h http.Handler, echo bool) (url string, seen *atomic.Int64) {
	t.Helper()
	seen = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("X-Gateway-Key")
		switch {
		case got != gatewayKey:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"code":"unauthorized","message":"gateway: key %q refused"}}`, got)
			return
		case echo && r.Method == http.MethodPost:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Echo", got)
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, `{"error":{"code":"bad_gateway","message":"upstream down (key %s)"}}`, got)
			return
		}
		seen.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, seen
}

func TestHeaderThroughAGateway(t *testing.T) {
	t.Parallel()
	gw, seen := startGateway(t, mockHandler(t), false)
	header := []string{"--header", "X-Gateway-Key: " + gatewayKey, "--header", "X-Env: staging"}
	dir := t.TempDir()
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"contract", append(append(shortContract, "--target", gw), header...), exitOK, ""},
		{"load", append(append(argsOf(shortLoad), "--target", gw, "--slo", "delivered>=99%"), header...), exitOK, ""}, // pushes refused would fail it
		{"check", append(append(shortCheck, "--target", gw, "--out", filepath.Join(dir, "r")), header...), exitOK, ""},
		{"record", append(append(shortRecord, "--target", gw), header...), exitOK, "triggers recorded"},
		{"load without the header", append(shortLoad, "--target", gw), exitUsage, "refuses these credentials"},
		{"a header without a colon", append(shortLoad, "--target", gw, "--header", "X-Gateway-Key "+gatewayKey), exitUsage, "want 'Name: value'"},
		{"the protocol's credential", append(shortLoad, "--target", gw, "--header", "X-Api-AccessToken: "+gatewayKey), exitUsage, "give it with --access-token"},
		{"a header the client writes", append(shortContract, "--target", gw, "--header", "Upgrade: h2c"), exitUsage, "written by wstrigger itself"},
	}
	t.Run("commands", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				runGatewayCase(t, tc.args, tc.code, tc.stderr)
			})
		}
	})
	assert.Positive(t, seen.Load(), "requests with the key passed the gateway")
}

// TestHeaderValuesNeverReported runs every command through a gateway
// that names the key in its answers: no output, file or report holds
// it.
func TestHeaderValuesNeverReported(t *testing.T) {
	t.Parallel()
	gw, _ := startGateway(t, mockHandler(t), true)
	dir := t.TempDir()
	header := []string{"--target", gw, "--header", "X-Gateway-Key: " + gatewayKey}
	cases := []struct {
		name  string
		args  []string
		files []string
	}{
		{"contract", append([]string{"contract", "--run", "^PUSH-", "--quiet", "--json", filepath.Join(dir, "c.json"), "--junit", filepath.Join(dir, "c.xml"), "--markdown", filepath.Join(dir, "c.md")}, header...),
			[]string{"c.json", "c.xml", "c.md"}},
		{"load", append(append(argsOf(shortLoad), "--json", filepath.Join(dir, "l.json")), header...), []string{"l.json"}},
		{"check", append(append(argsOf(shortCheck), "--run", "^PUSH-00", "--out", filepath.Join(dir, "r")), header...),
			[]string{"r/results.json", "r/report.html", "r/report.md", "r/junit.xml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, stdout, stderr := runEnv(t, demoVars(nil), tc.args...)
			all := stdout + stderr
			for _, f := range tc.files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err, "stderr:\n%s", stderr)
				assert.NotContains(t, string(data), gatewayKey, f)
				all += string(data)
			}
			assert.Contains(t, all, "502", "the gateway's refusals are reported")
			assert.NotContains(t, all, gatewayKey)
		})
	}
}

// argsOf copies a command line, so that appends to it do not share.
func argsOf(args []string) []string { return append([]string(nil), args...) }

// forwardProxy is an HTTP proxy on loopback that sends every request
// and tunnel, whatever host it names, to addr, and counts them.
type forwardProxy struct {
	addr  string
	used  atomic.Int64
	mu    sync.Mutex
	conns []net.Conn
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.used.Add(1)
	if r.Method == http.MethodConnect {
		up, err := net.Dial("tcp", p.addr)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		down, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, up, down)
		p.mu.Unlock()
		_, _ = io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { _, _ = io.Copy(up, brw); up.Close() }()
		go func() { _, _ = io.Copy(down, up); down.Close() }()
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI, out.URL.Host = "", p.addr
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (p *forwardProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func TestProxyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(mockHandler(t))
	t.Cleanup(target.Close)
	u, err := url.Parse(target.URL)
	require.NoError(t, err)
	p := &forwardProxy{addr: u.Host}
	proxy := httptest.NewServer(p)
	t.Cleanup(func() { proxy.Close(); p.close() })
	// A host no resolver knows: only the proxy reaches it.
	hidden := "http://wstrigger-behind-proxy.invalid:" + u.Port()
	cases := []struct {
		name string
		args []string
		vars map[string]string
		code int
	}{
		{"load via HTTP_PROXY", append(argsOf(shortLoad), "--target", hidden, "--slo", "delivered>=99%"), map[string]string{"HTTP_PROXY": proxy.URL}, exitOK},
		{"contract via http_proxy", append(argsOf(shortContract), "--target", hidden), map[string]string{"http_proxy": proxy.URL}, exitOK},
		{"hand-written handshakes are skipped, not failed", []string{"contract", "--run", "^HS-00[12]$", "--target", hidden}, map[string]string{"HTTP_PROXY": proxy.URL}, exitOK},
		{"record via HTTP_PROXY", append(argsOf(shortRecord), "--target", hidden), map[string]string{"HTTP_PROXY": proxy.URL}, exitOK},
		{"NO_PROXY names the host", append(argsOf(shortLoad), "--target", hidden), map[string]string{"HTTP_PROXY": proxy.URL, "NO_PROXY": ".invalid"}, exitUsage},
		{"no proxy", append(argsOf(shortLoad), "--target", hidden), nil, exitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := p.used.Load()
			code, stdout, stderr := runEnv(t, demoVars(tc.vars), tc.args...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			if tc.code == exitOK {
				assert.Greater(t, p.used.Load(), before, "through the proxy")
			} else {
				assert.Contains(t, stderr, "unreachable")
			}
		})
	}
}
