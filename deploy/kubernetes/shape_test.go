package kubernetes_test

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
)

// The names the manifests and their README promise.
const (
	loadJob      = "wstrigger-load"
	mergeJob     = "wstrigger-merge"
	mockName     = "wstrigger-mock"
	resultsClaim = "wstrigger-results"
	resultsPath  = "/results"
	tmpPath      = "/tmp"
	imageUID     = 65532 // the image's USER (deploy/container/Containerfile)
	metricsPort  = 9090
)

// checker collects every departure from the shape, so that one run of
// a test names them all.
type checker struct{ errs []error }

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// checkRun holds a build to the shape of deploy/kubernetes/README.md: the
// load Job, the merge Job, and the mock and PodMonitor where present.
func checkRun(m *manifests) error {
	c := &checker{}
	load, merge := m.Jobs[loadJob], m.Jobs[mergeJob]
	if load == nil || merge == nil {
		c.errorf("want Jobs %s and %s, have %v", loadJob, mergeJob, m.kinds())
		return errors.Join(c.errs...)
	}
	c.loadJob(m, load)
	c.mergeJob(m, merge, load)
	for name, d := range m.Deployments {
		c.mock(m, name, d)
	}
	for name, pm := range m.PodMonitors {
		c.podMonitor(name, pm, m)
	}
	return errors.Join(c.errs...)
}

func (c *checker) loadJob(m *manifests, job *batchv1.Job) {
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		c.errorf("load: completionMode %v, want Indexed", deref(s.CompletionMode))
	}
	n := int(deref(s.Completions))
	if n < 1 || deref(s.Parallelism) != int32(n) {
		c.errorf("load: completions %d, parallelism %d: want equal, at least 1", n, deref(s.Parallelism))
	}
	if s.BackoffLimitPerIndex == nil {
		c.errorf("load: backoffLimitPerIndex not set")
	}
	c.failurePolicy(s.PodFailurePolicy)
	pod := s.Template.Spec
	ctr := c.container("load", pod, "load")
	if ctr == nil {
		return
	}
	c.pod("load", s.Template, ctr)
	args := ctr.Args
	c.flag("load", args, "--shard", fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", n))
	c.flag("load", args, "--start-at", "$(WSTRIGGER_START_AT)")
	c.flag("load", args, "--json", resultsPath+"/shard-$(JOB_COMPLETION_INDEX).json")
	c.flag("load", args, "--metrics-addr", ":"+strconv.Itoa(metricsPort))
	if len(args) == 0 || args[0] != "load" {
		c.errorf("load: args %q: want the load command", args)
	}
	secret := ""
	for _, name := range []string{"WSTRIGGER_TARGET", "WSTRIGGER_ACCESS_TOKEN", "WSTRIGGER_SECRET_KEY"} {
		ref := envFrom(ctr, name)
		if ref == nil || ref.SecretKeyRef == nil {
			c.errorf("load: env %s not from a Secret", name)
			continue
		}
		if secret != "" && ref.SecretKeyRef.Name != secret {
			c.errorf("load: env %s from Secret %s, the others from %s", name, ref.SecretKeyRef.Name, secret)
		}
		secret = ref.SecretKeyRef.Name
	}
	if ref := envFrom(ctr, "WSTRIGGER_START_AT"); ref == nil || ref.ConfigMapKeyRef == nil || ref.ConfigMapKeyRef.Key != "start-at" {
		c.errorf("load: env WSTRIGGER_START_AT not from a ConfigMap's key start-at")
	}
	c.refs(m, "load", ctr)
	c.antiAffinity(s.Template)
	c.metrics("load", s.Template, ctr)
}

// failurePolicy wants disruptions ignored, and exit statuses 1 (an SLO
// failed) and 2 (a refusal) to fail their index at once.
func (c *checker) failurePolicy(p *batchv1.PodFailurePolicy) {
	if p == nil {
		c.errorf("load: no podFailurePolicy")
		return
	}
	action := func(code int32) batchv1.PodFailurePolicyAction {
		for _, r := range p.Rules {
			if e := r.OnExitCodes; e != nil && (e.ContainerName == nil || *e.ContainerName == "load") &&
				(e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn) == slices.Contains(e.Values, code) {
				return r.Action
			}
		}
		return ""
	}
	for _, code := range []int32{1, 2} {
		if a := action(code); a != batchv1.PodFailurePolicyActionFailIndex {
			c.errorf("load: podFailurePolicy: exit code %d → %q, want FailIndex", code, a)
		}
	}
	ignored := false
	for _, r := range p.Rules {
		for _, pc := range r.OnPodConditions {
			ignored = ignored || (pc.Type == corev1.DisruptionTarget && r.Action == batchv1.PodFailurePolicyActionIgnore)
		}
	}
	if !ignored {
		c.errorf("load: podFailurePolicy does not Ignore DisruptionTarget")
	}
}

func (c *checker) mergeJob(m *manifests, job, load *batchv1.Job) {
	s := job.Spec
	if deref(s.Completions) > 1 || deref(s.Parallelism) > 1 {
		c.errorf("merge: completions %d, parallelism %d: want 1", deref(s.Completions), deref(s.Parallelism))
	}
	if s.BackoffLimit == nil || *s.BackoffLimit != 0 {
		c.errorf("merge: backoffLimit %v, want 0", deref(s.BackoffLimit))
	}
	ctr := c.container("merge", s.Template.Spec, "merge")
	if ctr == nil {
		return
	}
	c.pod("merge", s.Template, ctr)
	args := ctr.Args
	if len(args) < 2 || args[0] != "report" || args[1] != "merge" {
		c.errorf("merge: args %q: want report merge", args)
	}
	for _, f := range []string{"--wait", "--max-skew", "--slo"} {
		if _, ok := flagValue(args, f); !ok {
			c.errorf("merge: no %s", f)
		}
	}
	for _, f := range []string{"-o", "--html"} {
		if v, _ := flagValue(args, f); !strings.HasPrefix(v, resultsPath+"/") {
			c.errorf("merge: %s %q, want a file under %s", f, v, resultsPath)
		}
	}
	if len(args) == 0 || args[len(args)-1] != resultsPath {
		c.errorf("merge: the last argument is not the results directory %s: %q", resultsPath, args)
	}
	c.refs(m, "merge", ctr)
	// The same volume, and the same directory of it, as the shards.
	lc := container(load.Spec.Template.Spec, "load")
	if lc == nil {
		return
	}
	lm, mm := mountAt(lc, resultsPath), mountAt(ctr, resultsPath)
	lv, mv := volume(load.Spec.Template.Spec, lm), volume(s.Template.Spec, mm)
	switch {
	case lv == nil || mv == nil:
		c.errorf("merge: no volume at %s", resultsPath)
	case mv.PersistentVolumeClaim == nil || lv.PersistentVolumeClaim == nil ||
		mv.PersistentVolumeClaim.ClaimName != lv.PersistentVolumeClaim.ClaimName:
		c.errorf("merge: the results volume is not the shards' claim")
	case lm.SubPath != mm.SubPath || lm.SubPathExpr != mm.SubPathExpr:
		c.errorf("merge: results at subPath %q%q, the shards' at %q%q", mm.SubPath, mm.SubPathExpr, lm.SubPath, lm.SubPathExpr)
	}
}

// pod checks what every pod here has: restartPolicy Never for a Job's,
// resources, the restricted security context, and the volumes.
func (c *checker) pod(what string, t corev1.PodTemplateSpec, ctr *corev1.Container) {
	pod := t.Spec
	if what != "mock" && pod.RestartPolicy != corev1.RestartPolicyNever {
		c.errorf("%s: restartPolicy %q, want Never", what, pod.RestartPolicy)
	}
	r := ctr.Resources
	if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
		c.errorf("%s: want cpu and memory requests and a memory limit, have %v / %v", what, r.Requests, r.Limits)
	}
	c.security(what, pod, ctr)
	if m := mountAt(ctr, tmpPath); m == nil || volume(pod, m) == nil || volume(pod, m).EmptyDir == nil {
		c.errorf("%s: no emptyDir at %s (the root file system is read-only)", what, tmpPath)
	}
	if what == "mock" {
		return
	}
	if m := mountAt(ctr, resultsPath); m == nil || volume(pod, m) == nil || volume(pod, m).PersistentVolumeClaim == nil ||
		volume(pod, m).PersistentVolumeClaim.ClaimName != resultsClaim {
		c.errorf("%s: no claim %s at %s", what, resultsClaim, resultsPath)
	}
}

// security wants the container, or its pod, to run as the image's
// non-root user with a read-only root, no privilege escalation, no
// capabilities and the runtime's seccomp profile.
func (c *checker) security(what string, pod corev1.PodSpec, ctr *corev1.Container) {
	p := pod.SecurityContext
	if p == nil {
		p = &corev1.PodSecurityContext{}
	}
	s := ctr.SecurityContext
	if s == nil {
		s = &corev1.SecurityContext{}
	}
	if !deref(first(s.RunAsNonRoot, p.RunAsNonRoot)) {
		c.errorf("%s: runAsNonRoot not set", what)
	}
	if uid := deref(first(s.RunAsUser, p.RunAsUser)); uid != imageUID {
		c.errorf("%s: runAsUser %d, want %d as the image", what, uid, imageUID)
	}
	if !deref(s.ReadOnlyRootFilesystem) {
		c.errorf("%s: readOnlyRootFilesystem not set", what)
	}
	if s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation {
		c.errorf("%s: allowPrivilegeEscalation not false", what)
	}
	if s.Capabilities == nil || !slices.Contains(s.Capabilities.Drop, "ALL") || len(s.Capabilities.Add) > 0 {
		c.errorf("%s: capabilities: want drop ALL, add none", what)
	}
	sp := s.SeccompProfile
	if sp == nil {
		sp = p.SeccompProfile
	}
	if sp == nil || sp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		c.errorf("%s: seccompProfile not RuntimeDefault", what)
	}
}

// antiAffinity wants the shards spread over nodes: a preferred pod
// anti-affinity on the host name whose selector picks the shards' pods.
func (c *checker) antiAffinity(t corev1.PodTemplateSpec) {
	a := t.Spec.Affinity
	if a != nil && a.PodAntiAffinity != nil {
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			term := w.PodAffinityTerm
			sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
			if err == nil && term.TopologyKey == corev1.LabelHostname && !sel.Empty() && sel.Matches(labels.Set(t.Labels)) {
				return
			}
		}
	}
	c.errorf("load: no preferred pod anti-affinity on %s that selects the shards", corev1.LabelHostname)
}

// metrics wants the Prometheus annotations and a container port named
// metrics on metricsPort.
func (c *checker) metrics(what string, t corev1.PodTemplateSpec, ctr *corev1.Container) {
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": strconv.Itoa(metricsPort), "prometheus.io/path": "/metrics"}
	for k, v := range want {
		if t.Annotations[k] != v {
			c.errorf("%s: annotation %s %q, want %q", what, k, t.Annotations[k], v)
		}
	}
	if p := port(ctr, "metrics"); p == nil || p.ContainerPort != metricsPort {
		c.errorf("%s: no container port metrics %d", what, metricsPort)
	}
}

// mock wants one replica listening on every interface, on its port
// named http, with probes on paths it serves, behind a Service that
// selects it; and the Secret of the shards, when there is one here, to
// name that Service.
func (c *checker) mock(m *manifests, name string, d *appsv1.Deployment) {
	what := "mock " + name
	if deref(d.Spec.Replicas) != 1 {
		c.errorf("%s: %d replicas, want 1 (a push must reach its session's process)", what, deref(d.Spec.Replicas))
	}
	ctr := c.container(what, d.Spec.Template.Spec, "mock")
	if ctr == nil {
		return
	}
	c.pod("mock", d.Spec.Template, ctr)
	c.metrics(what, d.Spec.Template, ctr)
	if len(ctr.Args) == 0 || ctr.Args[0] != "mock" || slices.Contains(ctr.Args, "--no-control") {
		c.errorf("%s: args %q: want mock, with its control API", what, ctr.Args)
	}
	addr, _ := flagValue(ctr.Args, "--addr")
	host, portText, err := net.SplitHostPort(addr)
	http := port(ctr, "http")
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") || http == nil || portText != strconv.Itoa(int(http.ContainerPort)) {
		c.errorf("%s: --addr %q: want every interface, on the container port named http", what, addr)
	}
	for probe, p := range map[string]*corev1.Probe{"readiness": ctr.ReadinessProbe, "liveness": ctr.LivenessProbe} {
		switch {
		case p == nil:
			c.errorf("%s: no %s probe", what, probe)
		case p.HTTPGet != nil && (p.HTTPGet.Path != mockapi.StatsPath || p.HTTPGet.Port.String() != "http"):
			c.errorf("%s: %s probe GET %s on %s: the mock answers 200 on %s, port http", what, probe, p.HTTPGet.Path, p.HTTPGet.Port.String(), mockapi.StatsPath)
		case p.TCPSocket != nil && p.TCPSocket.Port.String() != "http":
			c.errorf("%s: %s probe on port %s, want http", what, probe, p.TCPSocket.Port.String())
		}
	}
	svc := m.Services[name]
	if svc == nil || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) || len(svc.Spec.Selector) == 0 {
		c.errorf("%s: no Service %s that selects it", what, name)
		return
	}
	if load := m.Jobs[loadJob]; load != nil {
		c.target(m, load, svc)
	}
}

// target wants the shards' Secret, when the build has it, to name the
// mock's Service on its http port.
func (c *checker) target(m *manifests, load *batchv1.Job, svc *corev1.Service) {
	ctr := container(load.Spec.Template.Spec, "load")
	ref := envFrom(ctr, "WSTRIGGER_TARGET")
	if ref == nil || ref.SecretKeyRef == nil || m.Secrets[ref.SecretKeyRef.Name] == nil {
		return
	}
	target, _ := secretValue(m.Secrets[ref.SecretKeyRef.Name], ref.SecretKeyRef.Key)
	u, err := url.Parse(target)
	for _, p := range svc.Spec.Ports {
		if err == nil && u.Scheme == "http" && u.Hostname() == svc.Name && u.Port() == strconv.Itoa(int(p.Port)) && p.TargetPort.String() == "http" {
			return
		}
	}
	c.errorf("load: target %q is not http://%s:PORT on the Service's port to the mock's http", target, svc.Name)
}

// podMonitor wants it to select the shards and the mock by their pods'
// labels, on the port named metrics.
func (c *checker) podMonitor(name string, pm *monitoringv1.PodMonitor, m *manifests) {
	sel, err := metav1.LabelSelectorAsSelector(&pm.Spec.Selector)
	if err != nil {
		c.errorf("podmonitor %s: %v", name, err)
		return
	}
	templates := map[string]corev1.PodTemplateSpec{}
	if j := m.Jobs[loadJob]; j != nil {
		templates["load"] = j.Spec.Template
	}
	for n, d := range m.Deployments {
		templates["mock "+n] = d.Spec.Template
	}
	for what, t := range templates {
		if !sel.Matches(labels.Set(t.Labels)) {
			c.errorf("podmonitor %s: does not select the %s pods", name, what)
		}
	}
	if len(pm.Spec.PodMetricsEndpoints) == 0 || deref(pm.Spec.PodMetricsEndpoints[0].Port) != "metrics" {
		c.errorf("podmonitor %s: want an endpoint on port metrics", name)
	}
}

// refs wants every env value from a Secret or ConfigMap to name a key
// of an object of the build, but for the Secret the user creates (one
// the build does not have, named as in base).
func (c *checker) refs(m *manifests, what string, ctr *corev1.Container) {
	for _, e := range ctr.Env {
		switch v := e.ValueFrom; {
		case v == nil:
		case v.ConfigMapKeyRef != nil:
			cm := m.ConfigMaps[v.ConfigMapKeyRef.Name]
			if cm == nil || cm.Data[v.ConfigMapKeyRef.Key] == "" {
				c.errorf("%s: env %s: no ConfigMap %s with key %s", what, e.Name, v.ConfigMapKeyRef.Name, v.ConfigMapKeyRef.Key)
			}
		case v.SecretKeyRef != nil:
			s := m.Secrets[v.SecretKeyRef.Name]
			if s == nil && v.SecretKeyRef.Name == userSecret {
				continue
			}
			if _, ok := secretValue(s, v.SecretKeyRef.Key); !ok {
				c.errorf("%s: env %s: no Secret %s with key %s", what, e.Name, v.SecretKeyRef.Name, v.SecretKeyRef.Key)
			}
		}
	}
}

// userSecret is the Secret a user creates for a vendor run.
const userSecret = "wstrigger-target"

func (c *checker) container(what string, pod corev1.PodSpec, name string) *corev1.Container {
	ctr := container(pod, name)
	if ctr == nil {
		c.errorf("%s: no container %s", what, name)
	}
	return ctr
}

func (c *checker) flag(what string, args []string, name, want string) {
	if v, ok := flagValue(args, name); !ok || v != want {
		c.errorf("%s: %s %q, want %q", what, name, v, want)
	}
}

func container(pod corev1.PodSpec, name string) *corev1.Container {
	return find(pod.Containers, func(c *corev1.Container) bool { return c.Name == name })
}

// flagValue is the value of flag in args, given as "--flag value" or
// "--flag=value".
func flagValue(args []string, flag string) (string, bool) {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1], true
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v, true
		}
	}
	return "", false
}

func envFrom(ctr *corev1.Container, name string) *corev1.EnvVarSource {
	if ctr == nil {
		return nil
	}
	if e := find(ctr.Env, func(e *corev1.EnvVar) bool { return e.Name == name }); e != nil {
		return e.ValueFrom
	}
	return nil
}

func mountAt(ctr *corev1.Container, path string) *corev1.VolumeMount {
	return find(ctr.VolumeMounts, func(m *corev1.VolumeMount) bool { return m.MountPath == path })
}

func volume(pod corev1.PodSpec, m *corev1.VolumeMount) *corev1.Volume {
	if m == nil {
		return nil
	}
	return find(pod.Volumes, func(v *corev1.Volume) bool { return v.Name == m.Name })
}

func port(ctr *corev1.Container, name string) *corev1.ContainerPort {
	return find(ctr.Ports, func(p *corev1.ContainerPort) bool { return p.Name == name })
}

// find is the first element of xs that matches, in place; nil if none.
func find[T any](xs []T, match func(*T) bool) *T {
	for i := range xs {
		if match(&xs[i]) {
			return &xs[i]
		}
	}
	return nil
}

// secretValue reads a key of a Secret as the API server would give it:
// data, or stringData.
func secretValue(s *corev1.Secret, key string) (string, bool) {
	if s == nil {
		return "", false
	}
	if v, ok := s.Data[key]; ok {
		return string(v), true
	}
	v, ok := s.StringData[key]
	return v, ok
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func first[T any](ps ...*T) *T {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}
