package kubernetes_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/loadresult"
	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// The simulation's scale: the rehearsal's shards and merge as they are,
// on a share small enough for a test.
const (
	simSubscriptions = "30"
	simPushRate      = "60"
	simDuration      = "2s"
	simLead          = 4 * time.Second // from now to start-at: builds, starts and joins
	simStartSpread   = 50 * time.Millisecond
)

// TestRehearsalRunsLocally runs the rehearsal overlay's containers as
// the Job controller and the kubelet would, with processes instead of
// pods: the mock Deployment's command (on 127.0.0.1:0), the N shards of
// the Indexed Job (each with its JOB_COMPLETION_INDEX, its env from the
// Secret and ConfigMap of the build, $(VAR) expanded) and the merge
// Job, started with them, on one results directory. The merged account
// must be the mock's, the shards must start pushing together, and the
// merge's exit status must be the verdict.
func TestRehearsalRunsLocally(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10 s run of processes; -short skips it")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s := startRehearsal(ctx, t)
	for _, p := range s.shards {
		require.Equal(t, 0, p.wait(t), "%s:\n%s", p.name, p.out.String()) // else the merge waits for it
	}
	code := s.mergeProc.wait(t)
	results := s.merge.hostPath(resultsPath)
	merged := readResult(t, filepath.Join(results, "merged.json"))
	assert.FileExists(t, filepath.Join(results, "report.html"))
	checkVerdict(t, code, merged, s.mergeProc)
	s.checkStarts(t, results)
	s.checkAccount(ctx, t, merged)
	s.logFigures(t, results, merged)

	// The verdict on the same shards: 0 when the SLOs hold, 1 when one
	// fails.
	assert.Equal(t, 0, s.mergeAgain(ctx, t, "met", "delivered>=100%"), "delivered>=100%% on loopback")
	assert.Equal(t, 1, s.mergeAgain(ctx, t, "impossible", "delivered>=100%", "push.p99<1ns"), "push.p99<1ns")

	require.NoError(t, s.mock.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, s.mock.wait(t), "mock:\n%s", s.mock.out.String())
}

// rehearsal is a run of the rehearsal overlay's containers as processes.
type rehearsal struct {
	bin       string
	root      string    // the volumes' directories
	n         int       // shards
	start     time.Time // start-at
	url       string    // the mock's
	mock      *proc
	merge     podRun
	mergeProc *proc
	shards    []*proc
}

// startRehearsal builds the rehearsal overlay and starts the mock, then
// the merge and the shards together, as an apply does once the mock is
// ready.
func startRehearsal(ctx context.Context, t *testing.T) *rehearsal {
	t.Helper()
	s := &rehearsal{bin: mocktest.Binary(t), root: t.TempDir()} // the image's entrypoint, /wstrigger
	m := build(t, kustomization{dir: "overlays/rehearsal"})
	require.NoError(t, checkRun(m))
	load, merge := m.Jobs[loadJob], m.Jobs[mergeJob]
	s.n = int(*load.Spec.Completions)

	mockTemplate := m.Deployments[mockName].Spec.Template
	mock := newPod(t, m, mockTemplate.Spec, "mock", -1, s.root)
	mock.args = setFlag(mock.args, "--addr", "127.0.0.1:0")
	mockMetrics := hasMetrics(t, s.bin, "mock")
	mock.args = metricsFlag(mock.args, mockMetrics)
	s.mock = startProc(ctx, t, "mock", s.bin, mock)
	s.url = s.mock.waitFor(t, regexp.MustCompile(`listening on (http://\S+)`))
	if mockMetrics {
		checkScrape(ctx, t, s.mock, mockTemplate)
	}

	// The Secret's target is the mock Service; here it is the process.
	// The ConfigMap's start is a few seconds ahead, as a user sets it.
	s.start = time.Now().Add(simLead).UTC().Truncate(time.Second)
	setTarget(t, m, load, s.url)
	setRun(t, m, load, s.start.Format(time.RFC3339), "sim")

	s.merge = newPod(t, m, merge.Spec.Template.Spec, "merge", -1, s.root)
	s.mergeProc = startProc(ctx, t, "merge", s.bin, s.merge)
	loadMetrics := hasMetrics(t, s.bin, "load")
	for k := range s.n {
		p := newPod(t, m, load.Spec.Template.Spec, "load", k, s.root)
		p.args = setFlag(p.args, "--subscriptions", simSubscriptions)
		p.args = setFlag(p.args, "--push-rate", simPushRate)
		p.args = setFlag(p.args, "--duration", simDuration)
		p.args = metricsFlag(p.args, loadMetrics)
		s.shards = append(s.shards, startProc(ctx, t, fmt.Sprintf("shard %d/%d", k, s.n), s.bin, p))
	}
	return s
}

// checkScrape scrapes p's metrics where its pod's prometheus.io/path
// annotation says, as Prometheus would.
func checkScrape(ctx context.Context, t *testing.T, p *proc, tmpl corev1.PodTemplateSpec) {
	t.Helper()
	u, err := url.Parse(p.waitFor(t, regexp.MustCompile(`metrics on (http://\S+)`)))
	require.NoError(t, err)
	u.Path = tmpl.Annotations["prometheus.io/path"]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: GET %s", p.name, u.Path)
	assert.Contains(t, string(body), "# TYPE wstrigger_", "%s: GET %s", p.name, u.Path)
}

// checkVerdict holds the merge of the manifests' own command to its
// SLOs: its status is 0 when they all held, else 1. Only an objective
// on latency may fail here, on a test machine so busy that the drivers
// fall behind; the delivery and error objectives hold on loopback.
func checkVerdict(t *testing.T, code int, merged *loadresult.Result, p *proc) {
	t.Helper()
	require.NotEmpty(t, merged.SLOs, "the manifests' SLOs")
	var failed []string
	for _, r := range merged.SLOs {
		if r.Passed {
			continue
		}
		failed = append(failed, r.SLO+" (actual "+r.Actual+")")
		slo, err := loadresult.ParseSLO(r.SLO)
		require.NoError(t, err)
		assert.False(t, slo.Percent, "%s failed on loopback:\n%s", r.SLO, p.out.String())
	}
	if len(failed) == 0 {
		assert.Equal(t, 0, code, "merge:\n%s", p.out.String())
		return
	}
	t.Logf("on this machine the merge failed %v", failed)
	assert.Equal(t, 1, code, "merge:\n%s", p.out.String())
}

// checkStarts wants the shards' push starts within simStartSpread.
func (s *rehearsal) checkStarts(t *testing.T, results string) {
	t.Helper()
	var starts []time.Time
	for k := range s.n {
		r := readResult(t, filepath.Join(results, fmt.Sprintf("shard-%d.json", k)))
		starts = append(starts, r.Meta.PushStart)
		t.Logf("shard %d/%d began pushing %v after start-at", k, s.n, r.Meta.PushStart.Sub(s.start))
	}
	spread := slices.MaxFunc(starts, time.Time.Compare).Sub(slices.MinFunc(starts, time.Time.Compare))
	assert.LessOrEqual(t, spread, simStartSpread, "the shards' push starts are %v apart", spread)
}

// logFigures logs what README's "Running distributed" quotes: shards,
// subscriptions, push start skew, and the merged push p99 beside each
// shard's (go test -v -run TestRehearsalRunsLocally ./deploy/kubernetes).
func (s *rehearsal) logFigures(t *testing.T, results string, merged *loadresult.Result) {
	t.Helper()
	var p99s []string
	for k := range s.n {
		r := readResult(t, filepath.Join(results, fmt.Sprintf("shard-%d.json", k)))
		p99s = append(p99s, fmt.Sprintf("%d/%d %v", k, s.n, time.Duration(r.Latency.PushEndToEnd.P99Us)*time.Microsecond))
	}
	t.Logf("figures: %d shards, %d subscriptions, %d pushes accepted, push start skew %v; push e2e p99 merged %v, shards %s",
		s.n, merged.Subscriptions.Joined, merged.Delivery.Accepted, time.Duration(merged.Meta.PushStartSkewSeconds*float64(time.Second)).Round(time.Microsecond),
		time.Duration(merged.Latency.PushEndToEnd.P99Us)*time.Microsecond, strings.Join(p99s, ", "))
}

// checkAccount wants the merged account to be the mock's.
func (s *rehearsal) checkAccount(ctx context.Context, t *testing.T, merged *loadresult.Result) {
	t.Helper()
	stats, err := mockapi.FetchStats(ctx, nil, s.url)
	require.NoError(t, err)
	assert.Positive(t, merged.Delivery.Accepted)
	assert.Equal(t, stats.Pushes[202], merged.Delivery.Accepted, "pushes accepted: the mock's 202s")
	assert.Equal(t, stats.FramesSent["push"], merged.Delivery.Received, "pushes received: the mock's push frames")
	// Each shard makes one pre-flight join before its run.
	assert.Equal(t, stats.Joins, merged.Subscriptions.Sessions+uint64(s.n), "sessions: the mock's joins, less one pre-flight join per shard")
	assert.Len(t, strings.Split(merged.Config.Shard, ","), s.n, "the merged shards")
}

// mergeAgain runs the merge Job's command once more, on a copy of the
// shards' results in a folder of its own, with slos instead of the
// manifests' SLOs, and returns its exit status.
func (s *rehearsal) mergeAgain(ctx context.Context, t *testing.T, name string, slos ...string) int {
	t.Helper()
	dir := filepath.Join(s.root, name)
	require.NoError(t, os.Mkdir(dir, 0o700))
	for k := range s.n {
		file := fmt.Sprintf("shard-%d.json", k)
		data, err := os.ReadFile(filepath.Join(s.merge.hostPath(resultsPath), file))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), data, 0o600))
	}
	p := s.merge
	p.args = nil
	for i := 0; i < len(s.merge.args)-1; i++ { // the folder last
		if s.merge.args[i] == "--slo" {
			i++
			continue
		}
		p.args = append(p.args, s.merge.args[i])
	}
	for _, slo := range slos {
		p.args = append(p.args, "--slo", slo)
	}
	p.args = setFlag(append(p.args, dir), "-o", filepath.Join(dir, "merged.json"))
	p.args = setFlag(p.args, "--html", filepath.Join(dir, "report.html"))
	pr := startProc(ctx, t, "merge "+name, s.bin, p)
	code := pr.wait(t)
	t.Logf("merge with %q: status %d", slos, code)
	return code
}

// hasMetrics reports whether the binary's command has --metrics-addr
// (it comes from the metrics work on another branch).
func hasMetrics(t *testing.T, bin, command string) bool {
	t.Helper()
	help, _ := exec.Command(bin, command, "-h").CombinedOutput()
	if strings.Contains(string(help), "-metrics-addr") {
		return true
	}
	t.Logf("%s: this wstrigger has no --metrics-addr yet: it runs without", command)
	return false
}

// metricsFlag gives --metrics-addr, where args have it, a free loopback
// port when the binary has the flag, and drops it otherwise.
func metricsFlag(args []string, has bool) []string {
	i := slices.Index(args, "--metrics-addr")
	switch {
	case i < 0:
		return args
	case has:
		return setFlag(args, "--metrics-addr", "127.0.0.1:0")
	default:
		return slices.Delete(slices.Clone(args), i, i+2)
	}
}

// setTarget points the Secret the shards' WSTRIGGER_TARGET comes from
// at url.
func setTarget(t *testing.T, m *manifests, load *batchv1.Job, url string) {
	t.Helper()
	ref := envFrom(container(load.Spec.Template.Spec, "load"), "WSTRIGGER_TARGET").SecretKeyRef
	s := m.Secrets[ref.Name]
	require.NotNil(t, s, "Secret %s", ref.Name)
	s.Data[ref.Key] = []byte(url)
}

// setRun sets the keys of the run's ConfigMap as a user does before an
// apply.
func setRun(t *testing.T, m *manifests, load *batchv1.Job, startAt, run string) {
	t.Helper()
	ref := envFrom(container(load.Spec.Template.Spec, "load"), "WSTRIGGER_START_AT").ConfigMapKeyRef
	cm := m.ConfigMaps[ref.Name]
	require.NotNil(t, cm, "ConfigMap %s", ref.Name)
	require.Contains(t, cm.Data, "run")
	cm.Data[ref.Key], cm.Data["run"] = startAt, run
}

// podRun is one container of the manifests as the kubelet would start
// it here: its arguments and environment resolved, its mount paths
// mapped to directories under the test's root.
type podRun struct {
	args   []string
	env    []string
	mounts map[string]string // mount path → directory here
}

// newPod resolves container name of pod. index is the pod's completion
// index (-1 when it has none). Claims are directories shared by every
// pod under root; an emptyDir is the pod's own.
func newPod(t *testing.T, m *manifests, pod corev1.PodSpec, name string, index int, root string) podRun {
	t.Helper()
	ctr := container(pod, name)
	require.NotNil(t, ctr, "container %s", name)
	require.Empty(t, ctr.Command, "%s: the image's entrypoint runs", name)
	vars := map[string]string{}
	var env []string
	set := func(k, v string) { vars[k] = v; env = append(env, k+"="+v) }
	if index >= 0 {
		set("JOB_COMPLETION_INDEX", strconv.Itoa(index)) // the Job controller's
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	for _, e := range ctr.Env {
		switch v := e.ValueFrom; {
		case v == nil:
			set(e.Name, expand(e.Value, lookup))
		case v.SecretKeyRef != nil:
			val, ok := secretValue(m.Secrets[v.SecretKeyRef.Name], v.SecretKeyRef.Key)
			require.True(t, ok, "%s: env %s: no Secret %s key %s", name, e.Name, v.SecretKeyRef.Name, v.SecretKeyRef.Key)
			set(e.Name, val)
		case v.ConfigMapKeyRef != nil:
			cm := m.ConfigMaps[v.ConfigMapKeyRef.Name]
			require.NotNil(t, cm, "%s: env %s: no ConfigMap %s", name, e.Name, v.ConfigMapKeyRef.Name)
			val, ok := cm.Data[v.ConfigMapKeyRef.Key]
			require.True(t, ok, "%s: env %s: no key %s", name, e.Name, v.ConfigMapKeyRef.Key)
			set(e.Name, val)
		default:
			t.Fatalf("%s: env %s: a source the simulation does not know", name, e.Name)
		}
	}
	p := podRun{env: env, mounts: map[string]string{}}
	for _, vm := range ctr.VolumeMounts {
		v := volume(pod, &vm)
		require.NotNil(t, v, "%s: volume %s", name, vm.Name)
		var dir string
		switch {
		case v.PersistentVolumeClaim != nil:
			dir = filepath.Join(root, "claims", v.PersistentVolumeClaim.ClaimName)
		case v.EmptyDir != nil:
			dir = t.TempDir()
		default:
			t.Fatalf("%s: volume %s: a kind the simulation does not know", name, vm.Name)
		}
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			sub = expand(vm.SubPathExpr, lookup)
			require.NotContains(t, sub, "$(", "%s: subPathExpr %s", name, vm.SubPathExpr)
		}
		dir = filepath.Join(dir, sub)
		require.NoError(t, os.MkdirAll(dir, 0o700))
		p.mounts[vm.MountPath] = dir
	}
	for _, a := range ctr.Args {
		p.args = append(p.args, p.hostPath(expand(a, lookup)))
	}
	return p
}

// hostPath maps a path in the container to the directory here that its
// mount stands for; any other argument is returned as it is.
func (p podRun) hostPath(arg string) string {
	for mount, dir := range p.mounts {
		if rest, ok := strings.CutPrefix(arg, mount); ok && (rest == "" || rest[0] == '/') {
			return dir + rest
		}
	}
	return arg
}

// setFlag sets the value of flag in args, which must have it.
func setFlag(args []string, flag, value string) []string {
	out := slices.Clone(args)
	for i := range out {
		if out[i] == flag && i+1 < len(out) {
			out[i+1] = value
			return out
		}
	}
	panic("no " + flag + " in " + strings.Join(args, " "))
}

// proc is a process of the simulation, killed when the test ends.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *mocktest.Buffer
	done chan struct{}
	err  error
}

func startProc(ctx context.Context, t *testing.T, name, bin string, p podRun) *proc {
	t.Helper()
	pr := &proc{name: name, out: &mocktest.Buffer{}, done: make(chan struct{})}
	pr.cmd = exec.CommandContext(ctx, bin, p.args...)
	pr.cmd.Env = p.env
	pr.cmd.Stdout, pr.cmd.Stderr = pr.out, pr.out
	require.NoError(t, pr.cmd.Start(), name)
	go func() { pr.err = pr.cmd.Wait(); close(pr.done) }()
	t.Cleanup(func() {
		_ = pr.cmd.Process.Kill()
		<-pr.done
	})
	return pr
}

// wait returns the process's exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	<-p.done
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, p.err, p.name)
	return 0
}

// waitFor waits for re in the process's output and returns its first
// group.
func (p *proc) waitFor(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	require.Eventually(t, func() bool { return re.MatchString(p.out.String()) }, 10*time.Second, 10*time.Millisecond,
		"%s: no %s in:\n%s", p.name, re, p.out.String())
	return re.FindStringSubmatch(p.out.String())[1]
}

func readResult(t *testing.T, path string) *loadresult.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var r loadresult.Result
	require.NoError(t, json.Unmarshal(data, &r), path)
	return &r
}
