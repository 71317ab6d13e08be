// Package kubernetes_test holds the manifests of deploy/kubernetes to
// their shape (build with kustomize, strict decoding, TestManifests) and
// runs the rehearsal's containers as processes (TestRehearsalRunsLocally).
package kubernetes_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
