package contract_test

import (
	"os"
	"time"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
)

// testObserve is the oracle's window in these tests: the mock replays at
// ten times real speed, so a few dozen triggers arrive in it.
const testObserve = 1500 * time.Millisecond

// replaying is a mock that replays its recording at speed times real
// speed, looping, so that triggers flow during the whole suite.
func replaying(speed float64) *mockserver.Options {
	return &mockserver.Options{Speed: speed, Loop: true}
}

// mockTarget is a target on url with the mock's default tenants.
func mockTarget(url string) contract.Target {
	other, forbidden := mocktest.Other, mocktest.Forbidden
	return contract.Target{URL: url, Credentials: mocktest.Demo, Other: &other, Forbidden: &forbidden}
}

// envTarget returns the target of WSTRIGGER_TARGET, if set.
func envTarget() (contract.Target, bool) { return contract.TargetFromEnv(os.Getenv) }
