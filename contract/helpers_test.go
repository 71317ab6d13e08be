package contract_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// testObserve is the oracle's window in these tests: the mock replays at
// ten times real speed, so a few dozen triggers arrive in it.
const testObserve = 1500 * time.Millisecond

// newMock starts a mock that replays its recording at ten times real
// speed, looping, so that triggers flow during the whole suite.
func newMock(t *testing.T, opts *mockserver.Options) *mockserver.Server {
	t.Helper()
	o := mockserver.Options{Speed: 10, Loop: true}
	if opts != nil {
		o = *opts
		if o.Speed == 0 {
			o.Speed, o.Loop = 10, true
		}
	}
	srv, err := mockserver.New(&o)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

// mockTarget is a target on url with the mock's default credentials.
func mockTarget(url string) contract.Target {
	return contract.Target{
		URL:         url,
		Credentials: protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey},
		Other:       &protocol.Credentials{AccessToken: mockserver.OtherAccessToken, SecretKey: mockserver.OtherSecretKey},
		Forbidden:   &protocol.Credentials{AccessToken: mockserver.ForbiddenAccessToken, SecretKey: mockserver.ForbiddenSecretKey},
	}
}

// envTarget returns the target of WSTRIGGER_TARGET, if set.
func envTarget() (contract.Target, bool) { return contract.TargetFromEnv(os.Getenv) }
