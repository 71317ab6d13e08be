package refserver_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
)

func TestMain(m *testing.M) {
	mocktest.SetParallel(8) // the tests mostly wait on node servers
	goleak.VerifyTestMain(m)
}

// serverDir is the folder of the Node.js reference server, from this one.
var serverDir = filepath.Join("..", "..", "tools", "refserver")

const (
	startTimeout = 15 * time.Second
	stopTimeout  = 15 * time.Second
	// speed and observe: the oracle learns from, and judges, what the
	// replay sends in its window; 100 s of recording either way (50 × 2 s
	// before), in half the time.
	speed   = "100"
	observe = time.Second
	// edgeRecording holds events with the edge cases a live stream has:
	// null fields, empty arrays, numeric-looking strings, case variants,
	// rule-form metacharacters, objects in arrays.
	edgeRecording = "testdata/edge.jsonl"
)

// target is the refserver on url with its default accounts, which are
// the Go mock's demo tenants.
func target(url string) contract.Target {
	other, forbidden := mocktest.Other, mocktest.Forbidden
	return contract.Target{URL: url, Name: "refserver", Credentials: mocktest.Demo, Other: &other, Forbidden: &forbidden}
}

// requireNode skips the test when node or the ws package is missing,
// unless WSTRIGGER_REQUIRE_NODE is set.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(serverDir, "node_modules", "ws"))
	if err != nil || modErr != nil {
		if os.Getenv("WSTRIGGER_REQUIRE_NODE") != "" {
			t.Fatalf("node or the ws package is missing (run npm ci --no-audit --no-fund in tools/refserver): %v %v", err, modErr)
		}
		t.Skip("node or tools/refserver/node_modules/ws missing; run npm ci in tools/refserver (.ci/run does)")
	}
	return node
}

var listening = regexp.MustCompile(`^listening (http://127\.0\.0\.1:[0-9]+)$`)

// startRef starts server.mjs with fast looping replay and extra args, and
// returns its URL. Cleanup sends SIGTERM and requires a clean exit.
func startRef(t *testing.T, args ...string) string {
	t.Helper()
	node := requireNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, append([]string{"server.mjs", "--addr", "127.0.0.1:0", "--speed", speed, "--loop"}, args...)...)
	cmd.Dir = serverDir
	cmd.WaitDelay = stopTimeout
	dieWithTest(cmd)
	stderr := &mocktest.Buffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	lines := make(chan string, 1)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	t.Cleanup(func() {
		defer cancel()
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		select {
		case <-drained: // stdout closes when the server exits
		case <-time.After(stopTimeout):
			t.Errorf("refserver did not exit within %v of SIGTERM; stderr:\n%s", stopTimeout, stderr.String())
			cancel()
			<-drained
		}
		assert.NoError(t, cmd.Wait(), "refserver did not exit 0 on SIGTERM; stderr:\n%s", stderr.String())
	})

	select {
	case line, ok := <-lines:
		require.True(t, ok, "refserver exited without a listening line; stderr:\n%s", stderr.String())
		m := listening.FindStringSubmatch(line)
		require.NotNil(t, m, "first stdout line %q is not the listening line", line)
		return m[1]
	case <-time.After(startTimeout):
		t.Fatalf("no listening line within %v; stderr:\n%s", startTimeout, stderr.String())
		return ""
	}
}

func describe(res contract.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [%s]: %s", res.ID, res.Title, res.Level, res.Reason)
	for _, e := range res.Evidence {
		fmt.Fprintf(&b, "\n  --- %s", e.Step)
		if e.Request != "" {
			fmt.Fprintf(&b, "\n    %s", strings.ReplaceAll(e.Request, "\n", "\n    "))
		}
		if e.Status != 0 {
			fmt.Fprintf(&b, "\n    => %d", e.Status)
		}
		if e.Response != "" {
			fmt.Fprintf(&b, "\n    %s", strings.ReplaceAll(e.Response, "\n", "\n    "))
		}
		for _, f := range e.Frames {
			fmt.Fprintf(&b, "\n    frame: %s", f)
		}
		if e.Note != "" {
			fmt.Fprintf(&b, "\n    note: %s", e.Note)
		}
	}
	return b.String()
}

// hasCheck says whether the suite has a check with this id.
func hasCheck(id string) bool {
	for _, c := range contract.Checks() {
		if c.ID == id {
			return true
		}
	}
	return false
}

// checkTimeout replaces the suite's 10 s per check: under -race on a
// loaded machine the Go side of PAT-003 (hundreds of sessions, each
// frame decoded and judged) alone takes longer; the server is not the
// slow part (it spends under a second of CPU on a PAT-003 run).
const checkTimeout = 45 * time.Second

// oracleSlots bounds how many runs of the pattern oracle (PAT-003, in the
// whole suite or alone) go on at once: each opens hundreds of sessions on
// both sides and keeps a core busy, so more of them side by side on 2
// cores only make each one miss its window. Four: the two unbroken runs
// and two broken ones at first; under -race, one at a time.
var oracleSlots = mocktest.Slots(4)

func run(t *testing.T, url string, opts *contract.Options) *contract.Report {
	t.Helper()
	if opts.Run == nil || opts.Run.MatchString(patOracle) {
		oracleSlots <- struct{}{}
		defer func() { <-oracleSlots }()
	}
	if opts.Timeout == 0 {
		opts.Timeout = checkTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := contract.Run(ctx, target(url), opts)
	require.NoError(t, err)
	require.False(t, rep.Interrupted)
	return rep
}

// preciseNumbers is the SHOULD check that numbers keep their exact
// value beyond doubles; JSON.parse loses the 23-digit integer.
const preciseNumbers = "PUSH-014"

// unbroken holds the whole suite's report against the unbroken server,
// per recording: TestConformance judges it, TestBrokenVariants uses it as
// the controls of its rows. The first test to ask runs it; the others
// wait for it, each recording's run beside the other's.
var unbroken = struct {
	sync.Mutex
	runs map[string]*unbrokenRun
}{runs: map[string]*unbrokenRun{}}

type unbrokenRun struct {
	once sync.Once
	rep  *contract.Report // nil when the run failed
}

func unbrokenReport(t *testing.T, recording string) *contract.Report {
	t.Helper()
	unbroken.Lock()
	r := unbroken.runs[recording]
	if r == nil {
		r = &unbrokenRun{}
		unbroken.runs[recording] = r
	}
	unbroken.Unlock()
	r.once.Do(func() {
		var args []string
		if recording != "" {
			args = []string{"--recording", recording}
		}
		r.rep = run(t, startRef(t, args...), &contract.Options{Observe: observe})
	})
	require.NotNil(t, r.rep, "the run against the unbroken refserver failed (see the test that ran it)")
	return r.rep
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		recording string
		args      []string
		opts      *contract.Options // nil: the whole suite, unbrokenReport
	}{
		{"default recording", "", nil, nil},
		{"edge recording", edgeRecording, nil, nil},
		// A session limit and a queue small enough for the aggressive
		// checks to reach them: 429 too_many_connections and 4008; there
		// every check, SHOULD ones too, must pass.
		{"aggressive", "", []string{"--max-sessions", "32", "--queue", "256"},
			&contract.Options{Observe: observe, Aggressive: true, MaxSessions: 64, Run: regexp.MustCompile(`^(AGG|LIVE|SCHEMA)-`)}},
		// An origin allow-list: every join and push from the allowed
		// origin, and the refused one for CORS-005.
		{"origin allow-list", "", []string{"--allowed-origins", allowedOrigin},
			&contract.Options{Observe: observe, Origin: allowedOrigin, ForbiddenOrigin: "https://evil.example", Run: regexp.MustCompile(`^(HS|AUTH|JOIN|SESS|CORS)-`)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rep *contract.Report
			if tc.opts == nil {
				rep = unbrokenReport(t, tc.recording)
			} else {
				rep = run(t, startRef(t, tc.args...), tc.opts)
			}
			require.NotEmpty(t, rep.Results)
			for _, res := range rep.Results {
				if res.Status != contract.StatusFail || (res.Level != contract.LevelMust && tc.opts == nil) {
					continue
				}
				t.Errorf("MUST check failed: %s", describe(res))
			}
			for _, res := range rep.Results {
				t.Logf("%s %s %s", res.ID, res.Status, res.Reason)
			}
			if !hasCheck(preciseNumbers) || tc.opts != nil {
				return
			}
			for _, res := range rep.Results {
				if res.ID == preciseNumbers {
					assert.Equal(t, contract.StatusFail, res.Status, "%s must fail: JSON.parse turns 12345678901234567890123 into a double: %s", preciseNumbers, describe(res))
					assert.Equal(t, contract.LevelShould, res.Level)
					return
				}
			}
			t.Errorf("%s is in the catalogue but did not run", preciseNumbers)
		})
	}
}

// variant is a deliberately broken refserver and the checks that must
// catch it.
type variant struct {
	brk       string
	ids       []string      // each must fail, in one run of the suite
	recording string        // "" for the default
	timeout   time.Duration // of a check; 0 for checkTimeout
}

// allowedOrigin is the page origin of the run against a refserver that
// restricts origins.
const allowedOrigin = "http://127.0.0.1:5173"

const (
	joinNearMiss = "AUTH-018" // near-miss credentials on the join
	pushNearMiss = "AUTH-019" // near-miss credentials on the push
	patOracle    = "PAT-003"  // the differential pattern oracle
)

func variants() []variant {
	// The oracle's rows first: they take longest, so they start at once,
	// beside the unbroken runs.
	var vs []variant
	for _, brk := range []string{
		"pat-prefix-ci", "pat-equality-ci", "pat-numeric-strings", "pat-anything-but-absent",
		"pat-null-absent", "pat-array-same-element", "pat-rule-no-unescape",
	} {
		vs = append(vs, variant{brk: brk, ids: []string{patOracle}, recording: edgeRecording})
	}
	for _, brk := range []string{
		"cred-case-insensitive", "cred-trim", "cred-prefix", "cred-nfkc",
		"cred-percent-decode", "cred-any-tenant-secret", "cred-repeat-first-wins",
	} {
		vs = append(vs, variant{brk: brk, ids: []string{joinNearMiss, pushNearMiss}})
	}
	return append(vs,
		variant{brk: "push-nfc", ids: []string{"PUSH-002"}},
		variant{brk: "seq-gap", ids: []string{"PUSH-003"}},
		variant{brk: "missing-session-404", ids: []string{"PUSH-006"}},
		variant{brk: "echo-raw-pattern", ids: []string{"SESS-003"}},
		// Nothing closes the session: the check waits for its time limit.
		variant{brk: "ignore-big-frames", ids: []string{"LIVE-002"}, timeout: mocktest.Scaled(2 * time.Second)},
		variant{brk: "push-throws", ids: []string{"PUSH-001"}},
		variant{brk: "cors-no-preflight", ids: []string{"CORS-001"}},
		variant{brk: "cors-bare-errors", ids: []string{"CORS-003"}},
	)
}

// maxVariantRun bounds one run against a broken variant: the suite
// fails fast. Under the race detector the suite itself runs several
// times slower (mocktest.Scaled): a run of the variants side by side
// once took 68 s there on a busy machine.
var maxVariantRun = mocktest.Scaled(60 * time.Second)

// TestBrokenVariants runs the checks of each broken variant against it,
// side by side. Controls: every check a row uses must pass against the
// unbroken server with the same recording, or a failure on a broken one
// proves nothing. A check the whole run skipped (PAT-003 does when this
// machine is too slow for its hundreds of sessions) is run once more
// alone.
func TestBrokenVariants(t *testing.T) {
	t.Parallel()
	requireNode(t)
	for _, v := range variants() {
		t.Run(v.brk, func(t *testing.T) {
			t.Parallel()
			var ids []string
			for _, id := range v.ids {
				if hasCheck(id) {
					ids = append(ids, id)
				} else {
					t.Logf("the suite has no check %s yet; --break %s should make it fail", id, v.brk)
				}
			}
			if len(ids) == 0 {
				t.Skipf("no check of %v in the suite", v.ids)
			}
			// The broken run first, the controls after: by then the runs
			// against the unbroken server they come from have ended.
			var got map[string]contract.Result
			for try := 0; try < 2 && (try == 0 || anySkipped(got)); try++ {
				start := time.Now()
				got = runChecks(t, ids, []string{"--break", v.brk}, v.recording, v.timeout)
				assert.Less(t, time.Since(start), maxVariantRun)
			}
			held := 0
			for _, id := range ids {
				if c := control(t, id, v.recording); c.Status != contract.StatusPass {
					t.Logf("%s does not pass against the unbroken refserver (%s), so its failure on --break %s would prove nothing: %s", id, c.Status, v.brk, describe(c))
					continue
				}
				res := got[id]
				if res.Status == contract.StatusSkip {
					t.Logf("%s skipped twice against --break %s (a loaded machine?): %s", id, v.brk, res.Reason)
					continue
				}
				held++
				assert.Equal(t, contract.StatusFail, res.Status, "--break %s must fail %s: %s", v.brk, id, describe(res))
				t.Logf("--break %s: %s %s: %s", v.brk, id, res.Status, res.Reason)
			}
			if held == 0 {
				t.Skipf("no check of %v could be held to --break %s (see the log)", ids, v.brk)
			}
		})
	}
}

// control is check id's result against the unbroken server on
// recording: from the whole suite's run, or, when that skipped it, from a
// run of its own.
func control(t *testing.T, id, recording string) contract.Result {
	t.Helper()
	for _, res := range unbrokenReport(t, recording).Results {
		if res.ID == id && res.Status != contract.StatusSkip {
			return res
		}
	}
	return runChecks(t, []string{id}, nil, recording, 0)[id]
}

func anySkipped(got map[string]contract.Result) bool {
	for _, res := range got {
		if res.Status != contract.StatusPass && res.Status != contract.StatusFail {
			return true
		}
	}
	return false
}

// TestNodeUnit runs the JavaScript unit tests of the pattern language and
// the exact JSON reader.
func TestNodeUnit(t *testing.T) {
	t.Parallel()
	node := requireNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "pattern.test.mjs")
	cmd.Dir = serverDir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "node --test pattern.test.mjs:\n%s", out)
	assert.Contains(t, string(out), "# fail 0")
}

// runChecks runs the checks ids against a server started with args on
// recording ("" for the default), and returns their results by id.
func runChecks(t *testing.T, ids, args []string, recording string, timeout time.Duration) map[string]contract.Result {
	t.Helper()
	if recording != "" {
		args = append(args, "--recording", recording)
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = regexp.QuoteMeta(id)
	}
	url := startRef(t, args...)
	rep := run(t, url, &contract.Options{Observe: observe, Timeout: timeout, Run: regexp.MustCompile(`^(` + strings.Join(quoted, "|") + `)$`)})
	require.Len(t, rep.Results, len(ids))
	got := make(map[string]contract.Result, len(ids))
	for _, res := range rep.Results {
		got[res.ID] = res
	}
	return got
}
