package kubernetes_test

import (
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// manifests are the objects a kustomization builds, each decoded
// strictly into its k8s.io/api (or Prometheus Operator) type, by name.
type manifests struct {
	Namespaces      map[string]*corev1.Namespace
	PVCs            map[string]*corev1.PersistentVolumeClaim
	ConfigMaps      map[string]*corev1.ConfigMap
	Secrets         map[string]*corev1.Secret
	Services        map[string]*corev1.Service
	Deployments     map[string]*appsv1.Deployment
	Jobs            map[string]*batchv1.Job
	NetworkPolicies map[string]*networkingv1.NetworkPolicy
	PodMonitors     map[string]*monitoringv1.PodMonitor
}

// decoders decode one object of each kind the manifests may hold; any
// other kind is an error.
var decoders = map[string]func(m *manifests, name string, data []byte) error{
	"v1/Namespace":                        decoder(func(m *manifests) map[string]*corev1.Namespace { return m.Namespaces }),
	"v1/PersistentVolumeClaim":            decoder(func(m *manifests) map[string]*corev1.PersistentVolumeClaim { return m.PVCs }),
	"v1/ConfigMap":                        decoder(func(m *manifests) map[string]*corev1.ConfigMap { return m.ConfigMaps }),
	"v1/Secret":                           decoder(func(m *manifests) map[string]*corev1.Secret { return m.Secrets }),
	"v1/Service":                          decoder(func(m *manifests) map[string]*corev1.Service { return m.Services }),
	"apps/v1/Deployment":                  decoder(func(m *manifests) map[string]*appsv1.Deployment { return m.Deployments }),
	"batch/v1/Job":                        decoder(func(m *manifests) map[string]*batchv1.Job { return m.Jobs }),
	"networking.k8s.io/v1/NetworkPolicy":  decoder(func(m *manifests) map[string]*networkingv1.NetworkPolicy { return m.NetworkPolicies }),
	"monitoring.coreos.com/v1/PodMonitor": decoder(func(m *manifests) map[string]*monitoringv1.PodMonitor { return m.PodMonitors }),
}

// decoder decodes into a new T, refusing unknown and duplicate fields,
// and files it under its name in the map of m that field returns.
func decoder[T any](field func(*manifests) map[string]*T) func(*manifests, string, []byte) error {
	return func(m *manifests, name string, data []byte) error {
		obj := new(T)
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			return err
		}
		if _, dup := field(m)[name]; dup {
			return fmt.Errorf("%s twice", name)
		}
		field(m)[name] = obj
		return nil
	}
}

func newManifests() *manifests {
	return &manifests{
		Namespaces: map[string]*corev1.Namespace{}, PVCs: map[string]*corev1.PersistentVolumeClaim{},
		ConfigMaps: map[string]*corev1.ConfigMap{}, Secrets: map[string]*corev1.Secret{},
		Services: map[string]*corev1.Service{}, Deployments: map[string]*appsv1.Deployment{},
		Jobs: map[string]*batchv1.Job{}, NetworkPolicies: map[string]*networkingv1.NetworkPolicy{},
		PodMonitors: map[string]*monitoringv1.PodMonitor{},
	}
}

// kustomization is what a test builds: a directory of this one, with
// components added (components/NAME) when there are any.
type kustomization struct {
	dir        string
	components []string
}

func (k kustomization) String() string {
	if len(k.components) == 0 {
		return k.dir
	}
	return k.dir + "+" + strings.Join(k.components, "+")
}

// build runs kustomize on k, from the files on disk, and decodes what it
// builds. Components are added by a kustomization in a temporary
// directory that takes k.dir as its resource.
func build(t testing.TB, k kustomization) *manifests {
	t.Helper()
	dir, err := filepath.Abs(k.dir)
	require.NoError(t, err)
	if len(k.components) > 0 {
		// kustomize takes relative paths only.
		root := t.TempDir()
		rel := func(path string) string {
			abs, err := filepath.Abs(path)
			require.NoError(t, err)
			r, err := filepath.Rel(root, abs)
			require.NoError(t, err)
			return r
		}
		text := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - " + rel(dir) + "\ncomponents:\n"
		for _, c := range k.components {
			text += "  - " + rel(filepath.Join("components", c)) + "\n"
		}
		require.NoError(t, os.WriteFile(filepath.Join(root, "kustomization.yaml"), []byte(text), 0o600))
		dir = root
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	require.NoError(t, err, "kustomize build %s", k)
	m := newManifests()
	for _, r := range resources.Resources() {
		data, err := r.AsYAML()
		require.NoError(t, err)
		gvk := r.GetApiVersion() + "/" + r.GetKind()
		decode, ok := decoders[gvk]
		require.True(t, ok, "%s: %s %s: a kind the tests do not know", k, gvk, r.GetName())
		require.NoError(t, decode(m, r.GetName(), data), "%s: %s %s", k, gvk, r.GetName())
	}
	return m
}

// kinds lists what m holds, as "Kind/name" sorted, for messages.
func (m *manifests) kinds() []string {
	var out []string
	add := func(kind string, names iter.Seq[string]) {
		for n := range names {
			out = append(out, kind+"/"+n)
		}
	}
	add("Job", maps.Keys(m.Jobs))
	add("Deployment", maps.Keys(m.Deployments))
	add("Service", maps.Keys(m.Services))
	add("ConfigMap", maps.Keys(m.ConfigMaps))
	add("Secret", maps.Keys(m.Secrets))
	add("PodMonitor", maps.Keys(m.PodMonitors))
	slices.Sort(out)
	return out
}
