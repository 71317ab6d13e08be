package contract_test

import (
	"testing"

	"github.com/wstrigger/wstrigger/contract"
)

// TestAgainstMock runs the suite as subtests: against WSTRIGGER_TARGET
// when it is set, against the mock otherwise.
func TestAgainstMock(t *testing.T) {
	target, ok := envTarget()
	if !ok {
		target = mockTarget(newMock(t, nil).URL)
	}
	contract.Test(t, target, &contract.Options{Observe: testObserve})
}
