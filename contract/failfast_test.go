package contract_test

import (
	"flag"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/protocol"
)

// suiteLimit is how long the whole suite may take against a broken
// implementation, with the default options: six times the time limit of
// a check.
const suiteLimit = 6 * contract.DefaultTimeout

// fastTimeout is the time limit of a check in the default run, which has
// only the slowest breakages: the suite must then finish within six times
// it, as it must within six times contract.DefaultTimeout with the
// defaults. With -every-breakage (CI) the defaults are used. Longer
// under -race.
var fastTimeout = mocktest.Scaled(3 * time.Second)

var everyBreakage = flag.Bool("every-breakage", false, "run the whole suite against every broken implementation (minutes), not only the slowest kinds")

// slowBreakages are the broken implementations that made the suite
// slowest: each dependent check used to wait out its own time limit.
func slowBreakages() []breakage {
	return []breakage{
		{"SESS-001", "no frame ever", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any { return nil })), "no session frame"},
		{"PUSH-001", "push frames never delivered", tampering(onFrames(func(p *proxied, f map[string]any) []map[string]any {
			if f["type"] == protocol.FramePush {
				return nil
			}
			return []map[string]any{f}
		})), "waiting for a frame"},
		{"LIVE-001", "pings unanswered", tampering(tamper{noPong: true}), "pong"},
	}
}

// TestSuiteFailsFast runs the whole suite against broken
// implementations: it must finish within six check time limits,
// fail the check meant for the breakage (or one it depends on, which
// blocks it), and skip the checks that depend on a failed one at once,
// naming it. By default it does so for the slowest breakages with a 3 s
// time limit; with -every-breakage, for every broken implementation with
// the default options.
func TestSuiteFailsFast(t *testing.T) {
	t.Parallel()
	table := slowBreakages()
	opts, limit := &contract.Options{Timeout: fastTimeout, Observe: time.Second}, 6*fastTimeout
	if *everyBreakage {
		table = append(append(table, breakages()...), nearMissBreakages()...)
		opts, limit = nil, suiteLimit
	}
	var (
		mu          sync.Mutex
		slowest     time.Duration
		slowestName string
	)
	t.Cleanup(func() { t.Logf("slowest: %s in %v", slowestName, slowest.Round(time.Millisecond)) })
	for _, b := range table {
		t.Run(b.id+"/"+b.name, func(t *testing.T) {
			t.Parallel()
			mopts, opts := b.setup(replaying(50), opts)
			m := mocktest.Start(t, mopts)
			srv := httptest.NewServer(b.build(t, m.Server))
			t.Cleanup(srv.Close)
			start := time.Now()
			rep, err := contract.Run(t.Context(), mockTarget(srv.URL), opts)
			took := time.Since(start)
			require.NoError(t, err)
			mu.Lock()
			if took > slowest {
				slowest, slowestName = took, b.id+"/"+b.name
			}
			mu.Unlock()
			assert.Less(t, took, limit, "the suite took %v", took)
			assert.False(t, rep.Passed() && levelOf(b.id) == contract.LevelMust)
			blocked := 0
			for _, res := range rep.Results {
				if res.Status == contract.StatusFail || res.Duration > 2*time.Second {
					t.Logf("%s %s in %v: %.150s", res.ID, res.Status, res.Duration.Round(time.Millisecond), res.Reason)
				}
				if res.ID == b.id {
					// The check meant for the breakage fails, or a check
					// it depends on failed first and blocked it.
					if res.Status != contract.StatusFail {
						assert.NotEmpty(t, res.BlockedBy, "%s %s: %s", res.ID, res.Status, res.Reason)
					}
				}
				if res.BlockedBy == b.id {
					blocked++
					assert.Equal(t, contract.StatusSkip, res.Status)
					assert.Equal(t, "blocked by "+b.id, res.Cause)
				}
			}
			t.Logf("%v, %d checks blocked by %s; %d passed, %d failed, %d skipped", took.Round(time.Millisecond), blocked, b.id,
				rep.Summary.Passed, rep.Summary.Failed, rep.Summary.Skipped)
		})
	}
}

func levelOf(id string) contract.Level {
	for _, c := range contract.Checks() {
		if c.ID == id {
			return c.Level
		}
	}
	return ""
}
