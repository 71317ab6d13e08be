package kubernetes_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// builds are the kustomizations users apply, and what each must hold.
var builds = []struct {
	k      kustomization
	shards int32
	mock   bool // the mock's Deployment and Service
	secret bool // the shards' Secret is generated (else the user's)
}{
	{k: kustomization{dir: "base"}, shards: 3},
	{k: kustomization{dir: "overlays/rehearsal"}, shards: 2, mock: true, secret: true},
	{k: kustomization{dir: "overlays/vendor"}, shards: 8},
	{k: kustomization{dir: "overlays/rehearsal", components: []string{"podmonitor"}}, shards: 2, mock: true, secret: true},
	{k: kustomization{dir: "overlays/vendor", components: []string{"podmonitor"}}, shards: 8},
}

func TestManifests(t *testing.T) {
	t.Parallel()
	for _, b := range builds {
		t.Run(b.k.String(), func(t *testing.T) {
			t.Parallel()
			m := build(t, b.k)
			require.NoError(t, checkRun(m))
			load := m.Jobs[loadJob]
			assert.Equal(t, b.shards, *load.Spec.Completions)
			assert.Equal(t, b.mock, len(m.Deployments) == 1 && m.Services[mockName] != nil, "the mock: %v", m.kinds())
			assert.Equal(t, b.secret, m.Secrets[userSecret] == nil && len(m.Secrets) == 1, "the generated Secret: %v", m.kinds())
			assert.Len(t, m.PodMonitors, len(b.k.components), "PodMonitors")
			assert.Len(t, m.PVCs, 1, "the results claim")
			if b.k.dir != "base" {
				for _, ctr := range append(load.Spec.Template.Spec.Containers, m.Jobs[mergeJob].Spec.Template.Spec.Containers...) {
					assert.NotEqual(t, "wstrigger:dev", ctr.Image, "%s: the base's image name: %s sets images", ctr.Name, b.k)
				}
			}
		})
	}
}

// TestShapeChecksFail holds every check of checkRun to failing: each
// case breaks one rule in an otherwise good build.
func TestShapeChecksFail(t *testing.T) {
	t.Parallel()
	k := kustomization{dir: "overlays/rehearsal", components: []string{"podmonitor"}}
	require.NoError(t, checkRun(build(t, k)))
	loadPod := func(m *manifests) *corev1.PodSpec { return &m.Jobs[loadJob].Spec.Template.Spec }
	mergePod := func(m *manifests) *corev1.PodSpec { return &m.Jobs[mergeJob].Spec.Template.Spec }
	mockPod := func(m *manifests) *corev1.PodSpec { return &m.Deployments[mockName].Spec.Template.Spec }
	setArg := func(pod func(*manifests) *corev1.PodSpec, flag, value string) func(*manifests) {
		return func(m *manifests) {
			args := pod(m).Containers[0].Args
			for i := range args {
				if args[i] == flag {
					args[i+1] = value
				}
			}
		}
	}
	cases := []struct {
		name   string
		break_ func(m *manifests)
		want   string
	}{
		{"completions not N", func(m *manifests) { *m.Jobs[loadJob].Spec.Completions = 3 }, "completions 3, parallelism 2"},
		{"parallelism not N", func(m *manifests) { *m.Jobs[loadJob].Spec.Parallelism = 1 }, "completions 2, parallelism 1"},
		{"shard not of N", setArg(loadPod, "--shard", "$(JOB_COMPLETION_INDEX)/3"), "--shard"},
		{"not indexed", func(m *manifests) {
			nonIndexed := batchv1.NonIndexedCompletion
			m.Jobs[loadJob].Spec.CompletionMode = &nonIndexed
		}, "Indexed"},
		{"no backoffLimitPerIndex", func(m *manifests) { m.Jobs[loadJob].Spec.BackoffLimitPerIndex = nil }, "backoffLimitPerIndex"},
		{"exit 1 retried", func(m *manifests) {
			m.Jobs[loadJob].Spec.PodFailurePolicy.Rules[1].OnExitCodes.Values = []int32{2, 130}
		}, "exit code 1"},
		{"disruptions counted", func(m *manifests) {
			m.Jobs[loadJob].Spec.PodFailurePolicy.Rules[0].Action = batchv1.PodFailurePolicyActionCount
		}, "DisruptionTarget"},
		{"restart on failure", func(m *manifests) { loadPod(m).RestartPolicy = corev1.RestartPolicyOnFailure }, "restartPolicy"},
		{"no start-at", setArg(loadPod, "--start-at", "2026-01-01T00:00:00Z"), "--start-at"},
		{"result outside the volume", setArg(loadPod, "--json", "/tmp/shard.json"), "--json"},
		{"target not from a Secret", func(m *manifests) { loadPod(m).Containers[0].Env[0].ValueFrom = nil }, "WSTRIGGER_TARGET not from a Secret"},
		{"missing Secret key", func(m *manifests) { loadPod(m).Containers[0].Env[1].ValueFrom.SecretKeyRef.Key = "token" }, "with key token"},
		{"no resources", func(m *manifests) { loadPod(m).Containers[0].Resources = corev1.ResourceRequirements{} }, "requests"},
		{"root", func(m *manifests) { uid := int64(0); loadPod(m).Containers[0].SecurityContext.RunAsUser = &uid }, "runAsUser 0"},
		{"writable root", func(m *manifests) { f := false; mergePod(m).Containers[0].SecurityContext.ReadOnlyRootFilesystem = &f }, "merge: readOnlyRootFilesystem"},
		{"escalation", func(m *manifests) { mockPod(m).Containers[0].SecurityContext.AllowPrivilegeEscalation = nil }, "allowPrivilegeEscalation"},
		{"capabilities kept", func(m *manifests) { loadPod(m).Containers[0].SecurityContext.Capabilities.Drop = nil }, "capabilities"},
		{"no seccomp", func(m *manifests) {
			loadPod(m).Containers[0].SecurityContext.SeccompProfile = nil
			loadPod(m).SecurityContext.SeccompProfile = nil
		}, "seccompProfile"},
		{"no anti-affinity", func(m *manifests) { loadPod(m).Affinity = nil }, "anti-affinity"},
		{"anti-affinity per zone", func(m *manifests) {
			loadPod(m).Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.TopologyKey = corev1.LabelTopologyZone
		}, "anti-affinity"},
		{"no scrape annotation", func(m *manifests) { delete(m.Jobs[loadJob].Spec.Template.Annotations, "prometheus.io/scrape") }, "prometheus.io/scrape"},
		{"no metrics port", func(m *manifests) { mockPod(m).Containers[0].Ports[1].Name = "prom" }, "port metrics"},
		{"merge retried", func(m *manifests) { b := int32(2); m.Jobs[mergeJob].Spec.BackoffLimit = &b }, "backoffLimit 2"},
		{"merge without the wait", func(m *manifests) { mergePod(m).Containers[0].Args[2] = "--timeout" }, "no --wait"},
		{"merge of one file", func(m *manifests) {
			args := mergePod(m).Containers[0].Args
			args[len(args)-1] = "/results/shard-0.json"
		}, "results directory"},
		{"merge on another volume", func(m *manifests) {
			mergePod(m).Volumes[0].VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
		}, "claim"},
		{"merge in another run's directory", func(m *manifests) { mergePod(m).Containers[0].VolumeMounts[0].SubPathExpr = "" }, "subPath"},
		{"no tmp", func(m *manifests) {
			mergePod(m).Containers[0].VolumeMounts = mergePod(m).Containers[0].VolumeMounts[:1]
		}, "emptyDir at /tmp"},
		{"mock on loopback", setArg(mockPod, "--addr", "127.0.0.1:8080"), "every interface"},
		{"mock replicated", func(m *manifests) { r := int32(2); m.Deployments[mockName].Spec.Replicas = &r }, "2 replicas"},
		{"probe on a path the mock lacks", func(m *manifests) { mockPod(m).Containers[0].ReadinessProbe.HTTPGet.Path = "/healthz" }, "readiness probe GET /healthz"},
		{"liveness elsewhere", func(m *manifests) { mockPod(m).Containers[0].LivenessProbe.TCPSocket.Port = intstr.FromInt32(9999) }, "liveness probe on port 9999"},
		{"service selects nothing", func(m *manifests) { m.Services[mockName].Spec.Selector["app.kubernetes.io/component"] = "other" }, "no Service"},
		{"target elsewhere", func(m *manifests) {
			for _, s := range m.Secrets {
				s.Data["target"] = []byte("http://mock:8080")
			}
		}, "target"},
		{"podmonitor misses the shards", func(m *manifests) {
			m.PodMonitors["wstrigger"].Spec.Selector.MatchExpressions[0].Values = []string{"mock"}
		}, "load pods"},
		{"no merge", func(m *manifests) { delete(m.Jobs, mergeJob) }, "want Jobs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := build(t, k)
			tc.break_(m)
			err := checkRun(m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestStrictDecoding holds the decoding to refusing what the API server
// would drop or refuse: a misspelt field, a field of another kind, a
// value of the wrong type, a key given twice.
func TestStrictDecoding(t *testing.T) {
	t.Parallel()
	const job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n"
	cases := []struct{ name, yaml string }{
		{"misspelt", job + "  completion: 3\n"},
		{"another kind's field", job + "  replicas: 3\n"},
		{"container field misspelt", job + "  template:\n    spec:\n      containers:\n        - name: c\n          arg: [x]\n"},
		{"wrong type", job + "  completions: three\n"},
		{"twice", job + "  completions: 3\n  completions: 4\n"},
	}
	decode := decoders["batch/v1/Job"]
	require.NoError(t, decode(newManifests(), "j", []byte(job+"  completions: 3\n")))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Error(t, decode(newManifests(), "j", []byte(tc.yaml)))
		})
	}
}
