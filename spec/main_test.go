package spec

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mustDefault returns the embedded Spec or stops the test.
func mustDefault(tb testing.TB) *Spec {
	tb.Helper()
	s, err := Default()
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return s
}
