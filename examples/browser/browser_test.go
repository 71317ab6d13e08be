package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// EnvRequireBrowser, when set, turns the skip for a missing Chromium,
// node or node_modules into a failure (.ci/run sets it).
const EnvRequireBrowser = "WSTRIGGER_REQUIRE_BROWSER"

// stepTimeout bounds each wait of the browser (a join, a push, a
// selector); runTimeout bounds the whole driver, Chromium's start
// included. Longer under the race detector, whose slower mock a busy
// machine slows further.
var (
	stepTimeout = mocktest.Scaled(20 * time.Second)
	runTimeout  = mocktest.Scaled(2 * time.Minute)
)

// requireBrowser returns the paths of Chromium and node, or skips the
// test (fails it under WSTRIGGER_REQUIRE_BROWSER) when either, or
// playwright-core in node_modules, is missing.
func requireBrowser(t *testing.T) (chromium, node string) {
	t.Helper()
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, "Chromium at "+chromium+" (apt-get install -y chromium, or set $CHROMIUM)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core")); err != nil {
		missing = append(missing, "examples/browser/node_modules/playwright-core (cd examples/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci)")
	}
	if len(missing) > 0 {
		msg := "a real browser is needed, and these are missing: " + strings.Join(missing, "; ")
		if os.Getenv(EnvRequireBrowser) != "" {
			t.Fatalf("%s ($%s is set)", msg, EnvRequireBrowser)
		}
		t.Skip(msg)
	}
	return chromium, node
}

// browserCase is one case of drive.mjs.
type browserCase struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Page    string `json:"page"`
	Mock    string `json:"mock"`
	Token   string `json:"token"`
	Secret  string `json:"secret"`
	Session string `json:"session,omitempty"`
}

// result is what drive.mjs reports of a case.
type result struct {
	Value   json.RawMessage `json:"value"`
	Error   string          `json:"error"`
	Console []string        `json:"console"`
	Origins []string        `json:"origins"`
}

// drive runs the cases in one headless Chromium and returns their
// results by name.
func drive(t *testing.T, chromium, node string, cases []browserCase) map[string]result {
	t.Helper()
	in, err := json.Marshal(map[string]any{"chromium": chromium, "timeoutMs": stepTimeout.Milliseconds(), "cases": cases})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "drive.mjs")
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(t, err, "drive.mjs (limit %v):\n%s", runTimeout, stderr.String())
	var out struct {
		Results map[string]result `json:"results"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "drive.mjs output: %s\n%s", stdout.String(), stderr.String())
	return out.Results
}

// servePage serves the example page and a blank page on an origin of
// their own: a loopback port other than the mocks'.
func servePage(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>a page on another origin</title>`))
	})
	example, err := os.ReadFile("index.html")
	require.NoError(t, err)
	mux.HandleFunc("GET /index.html", func(w http.ResponseWriter, _ *http.Request) { // not ServeFile: it redirects .../index.html to .../
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(example)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowser drives headless Chromium: a page on one origin joins a
// mock on another with query credentials, pushes with fetch and the
// X-API-* headers, reads the 202's seq and an error's code, and
// receives the push frame with that seq; the example page does the same
// through its form; and a mock whose allow-list excludes the page's
// origin refuses both the join and the push (its preflight), so that the
// push never reaches it.
func TestBrowser(t *testing.T) {
	t.Parallel()
	chromium, node := requireBrowser(t)
	quiet := []protocol.RecordingLine{} // no triggers: the push frame comes first
	open := mocktest.Start(t, &mockserver.Options{Recording: quiet})
	restricted := mocktest.Start(t, &mockserver.Options{Recording: quiet, AllowedOrigins: []string{"https://crm.example.com"}})
	page := servePage(t)
	require.NotEqual(t, open.URL, page)

	// A session on the restricted mock, joined without an Origin (not a
	// browser), for the refused page to push to: the refusal is then the
	// preflight's, not a 404.
	c, err := client.New(restricted.URL, mocktest.Demo, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	sess, err := c.Join(ctx, "{}")
	require.NoError(t, err)
	t.Cleanup(func() { _ = sess.Close() })

	demo := func(name, kind, pageURL, mock string) browserCase {
		return browserCase{Name: name, Kind: kind, Page: pageURL, Mock: mock, Token: mocktest.Demo.AccessToken, Secret: mocktest.Demo.SecretKey}
	}
	refused := demo("refused", "refused", page+"/", restricted.URL)
	refused.Session = sess.ID()
	results := drive(t, chromium, node, []browserCase{
		demo("push", "push", page+"/", open.URL),
		demo("example", "example", page+"/index.html", open.URL),
		refused,
	})

	t.Run("a page pushes across origins", func(t *testing.T) {
		res := results["push"]
		require.Empty(t, res.Error)
		var v struct {
			PushStatus, ErrorStatus int
			PushSeq, FrameSeq       uint64
			FrameData               map[string]any
			ErrorCode               protocol.ErrorCode
		}
		require.NoError(t, json.Unmarshal(res.Value, &v))
		assert.Equal(t, http.StatusAccepted, v.PushStatus)
		assert.Equal(t, uint64(1), v.PushSeq)
		assert.Equal(t, v.PushSeq, v.FrameSeq, "the push frame carries the seq of the 202")
		assert.Equal(t, map[string]any{"from": "a browser page", "n": 1.0}, v.FrameData)
		assert.Equal(t, http.StatusUnauthorized, v.ErrorStatus, "the page reads an error's status")
		assert.Equal(t, protocol.CodeUnauthorized, v.ErrorCode, "and its body")
		for _, m := range res.Console { // Chromium logs each 4xx answer
			assert.Contains(t, m, "status of 401", "the only console message is the deliberate 401's")
		}
	})
	t.Run("the example page joins and pushes", func(t *testing.T) {
		res := results["example"]
		require.Empty(t, res.Error, "console: %q", res.Console)
		var v struct {
			Status int
			Seq    uint64
			Frame  string
		}
		require.NoError(t, json.Unmarshal(res.Value, &v))
		assert.Equal(t, http.StatusAccepted, v.Status)
		assert.Equal(t, uint64(1), v.Seq)
		assert.Contains(t, v.Frame, `{"from":"the example page"}`)
		assert.Empty(t, res.Console, "console errors or warnings on the example page")
		assert.ElementsMatch(t, []string{open.URL, page}, res.Origins, "the example page loads nothing from elsewhere")
	})
	t.Run("an origin outside the allow-list is refused", func(t *testing.T) {
		res := results["refused"]
		require.Empty(t, res.Error)
		var v struct{ Join, Push string }
		require.NoError(t, json.Unmarshal(res.Value, &v))
		assert.Equal(t, "closed 1006", v.Join, "the join never opens")
		assert.Equal(t, "failed: TypeError", v.Push, "fetch fails as on a refused preflight")
		joins, pushes := restricted.Outcomes()
		assert.Equal(t, uint64(1), joins[mockserver.Outcome{Status: http.StatusForbidden, Code: protocol.CodeForbiddenOrigin}], "joins: %v", joins)
		for o, n := range pushes {
			assert.Zero(t, n, "the browser sent the push after a refused preflight: %v", o)
		}
		assert.Zero(t, restricted.Stats().FramesSent[protocol.FramePush], "nothing was pushed")
	})
}
