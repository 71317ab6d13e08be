package contract_test

import (
	"regexp"
	"testing"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contract/contracttest"
	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestAgainstMock runs the suite as subtests: the whole suite against
// WSTRIGGER_TARGET when it is set, the handshake and session checks
// against the mock otherwise.
func TestAgainstMock(t *testing.T) {
	t.Parallel()
	opts := &contract.Options{Observe: testObserve}
	target, ok := envTarget()
	if !ok {
		// TestRunReport runs the whole suite against the mock; here the
		// mock shows the subtests' shape.
		target = mockTarget(mocktest.Start(t, replaying(10)).URL)
		opts.Run = regexp.MustCompile(`^(HS|SESS)-`)
	}
	contracttest.Test(t, target, opts)
}
