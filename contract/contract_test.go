package contract_test

import (
	"testing"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contract/contracttest"
	"github.com/wstrigger/wstrigger/internal/mocktest"
)

// TestAgainstMock runs the suite as subtests: against WSTRIGGER_TARGET
// when it is set, against the mock otherwise.
func TestAgainstMock(t *testing.T) {
	t.Parallel()
	target, ok := envTarget()
	if !ok {
		target = mockTarget(mocktest.Start(t, replaying(10)).URL)
	}
	contracttest.Test(t, target, &contract.Options{Observe: testObserve})
}
