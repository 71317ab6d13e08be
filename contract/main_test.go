package contract_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/mocktest"
)

func TestMain(m *testing.M) {
	mocktest.SetParallel(12) // the oracle tests wait for oracleSlots in slots of their own
	goleak.VerifyTestMain(m)
}
