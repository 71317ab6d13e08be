package mockserver_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestMain runs the tests 8 at a time (unless -parallel is given, or
// under -race): most of them wait on heartbeats, stalls and time limits
// rather than burn CPU. It is in the external test package so that it
// can use the kit, which imports mockserver.
//
// goleak.VerifyTestMain fails the package when a goroutine is left once
// every test has ended. It is the leak check of the parallel tests; the
// serial ones are checked one by one too (see serial).
func TestMain(m *testing.M) {
	mocktest.SetParallel(0)
	goleak.VerifyTestMain(m)
}
