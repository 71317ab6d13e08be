package contract_test

import (
	"testing"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contract/contracttest"
)

// TestAgainstMock runs the suite as subtests: against WSTRIGGER_TARGET
// when it is set, against the mock otherwise.
func TestAgainstMock(t *testing.T) {
	target, ok := envTarget()
	if !ok {
		target = mockTarget(newMock(t, nil).URL)
	}
	contracttest.Test(t, target, &contract.Options{Observe: testObserve})
}
