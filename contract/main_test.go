package contract_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

func TestMain(m *testing.M) {
	mocktest.SetParallel(0)
	goleak.VerifyTestMain(m)
}
