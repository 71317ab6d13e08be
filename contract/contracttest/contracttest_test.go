package contracttest_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/contract/contracttest"
	"github.com/wstrigger/wstrigger/internal/mocktest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestAgainstMock runs a few checks as subtests against the mock; the
// whole catalogue runs in package contract's tests.
func TestAgainstMock(t *testing.T) {
	srv := mocktest.Start(t, nil)
	var seen []string
	contracttest.Test(t, contract.Target{URL: srv.URL, Credentials: mocktest.Demo}, &contract.Options{
		Run:      regexp.MustCompile(`^(HS-001|SESS-001|LIVE-001)$`),
		Progress: func(res contract.Result) { seen = append(seen, res.ID) },
	})
	assert.Equal(t, []string{"HS-001", "SESS-001", "LIVE-001"}, seen, "Progress sees the selected checks in catalogue order")
}
