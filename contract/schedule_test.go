package contract

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wstrigger/wstrigger/protocol"
)

// fakeChecks is a catalogue of checks that only record how they ran.
type fakeChecks struct {
	running, most atomic.Int32
	exclusiveSeen atomic.Bool // an exclusive check ran beside another
	mu            sync.Mutex
	started       []string
}

func (f *fakeChecks) def(id string, outcome error, opts ...func(*checkDef)) checkDef {
	d := checkDef{Check: Check{ID: id, Level: LevelMust}}
	for _, o := range opts {
		o(&d)
	}
	d.run = func(ctx context.Context, c *checkCtx) error {
		n := f.running.Add(1)
		defer f.running.Add(-1)
		for {
			m := f.most.Load()
			if n <= m || f.most.CompareAndSwap(m, n) {
				break
			}
		}
		if d.exclusive && n > 1 {
			f.exclusiveSeen.Store(true)
		}
		f.mu.Lock()
		f.started = append(f.started, id)
		f.mu.Unlock()
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		if d.exclusive && f.running.Load() > 1 {
			f.exclusiveSeen.Store(true)
		}
		return outcome
	}
	return d
}

func after(ids ...string) func(*checkDef) { return func(d *checkDef) { d.after = ids } }
func alone(d *checkDef)                   { d.exclusive = true }
func collects(d *checkDef)                { d.collector = true }
func needsTenant(d *checkDef)             { d.needsOther = true }

func testRunner(t *testing.T, opts *Options) *runner {
	t.Helper()
	r, err := newRunner(Target{URL: "http://127.0.0.1:1", Credentials: protocol.Credentials{AccessToken: "token-abc", SecretKey: "secret-abc"}}, opts)
	require.NoError(t, err)
	return r
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	failed := errors.New("broken")
	cases := []struct {
		name     string
		parallel int
		strict   bool
		defs     func(f *fakeChecks) []checkDef
		want     map[string]Status
		cause    map[string]string
	}{
		{"independent checks run side by side, within the bound", 3, false, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("A", nil), f.def("B", nil), f.def("C", nil), f.def("D", nil), f.def("E", nil)}
		}, map[string]Status{"A": StatusPass, "E": StatusPass}, nil},
		{"a failed prerequisite blocks its dependents", 4, false, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("A", failed), f.def("B", nil, after("A")), f.def("C", nil, after("B")), f.def("D", nil)}
		}, map[string]Status{"A": StatusFail, "B": StatusSkip, "C": StatusSkip, "D": StatusPass},
			map[string]string{"B": "blocked by A", "C": "blocked by A"}},
		{"a skipped prerequisite passes on its cause", 2, false, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("A", skipBecause(causeNoTrigger, "none")), f.def("B", nil, after("A"))}
		}, map[string]Status{"A": StatusSkip, "B": StatusSkip}, map[string]string{"A": causeNoTrigger, "B": causeNoTrigger}},
		{"a missing tenant skips at once", 2, false, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("A", nil, needsTenant)}
		}, map[string]Status{"A": StatusSkip}, map[string]string{"A": causeNoOther}},
		{"strict turns a skipped MUST check into a failure", 2, true, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("A", nil, needsTenant), f.def("B", skipf("no reason"))}
		}, map[string]Status{"A": StatusFail, "B": StatusFail}, nil},
		{"exclusive checks run alone, collectors last", 4, false, func(f *fakeChecks) []checkDef {
			return []checkDef{f.def("S", nil, collects), f.def("A", nil), f.def("X", nil, alone), f.def("B", nil), f.def("Y", nil, alone), f.def("C", nil)}
		}, map[string]Status{"X": StatusPass, "Y": StatusPass, "S": StatusPass}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeChecks{}
			r := testRunner(t, &Options{Parallel: tc.parallel, Strict: tc.strict})
			defs := tc.defs(f)
			var order []string
			got := map[string]Result{}
			notRun := r.schedule(t.Context(), defs, func(res Result) {
				order = append(order, res.ID)
				got[res.ID] = res
			})
			assert.Zero(t, notRun)
			var want []string
			for _, d := range defs {
				want = append(want, d.ID)
			}
			assert.Equal(t, want, order, "results in catalogue order")
			assert.LessOrEqual(t, int(f.most.Load()), tc.parallel)
			assert.False(t, f.exclusiveSeen.Load(), "an exclusive check ran beside another")
			for id, st := range tc.want {
				assert.Equal(t, st, got[id].Status, "%s: %s", id, got[id].Reason)
			}
			for id, cause := range tc.cause {
				assert.Equal(t, cause, got[id].Cause, id)
			}
			if len(f.started) > 0 && defs[0].collector {
				assert.Equal(t, defs[0].ID, f.started[len(f.started)-1], "the collector ran last")
			}
		})
	}
}

// TestScheduleInterrupted: a cancelled run starts no further check,
// reports none of the interrupted ones, and counts what did not run.
func TestScheduleInterrupted(t *testing.T) {
	t.Parallel()
	f := &fakeChecks{}
	r := testRunner(t, &Options{Parallel: 1})
	ctx, cancel := context.WithCancel(t.Context())
	defs := []checkDef{f.def("A", nil), f.def("B", nil), f.def("C", nil)}
	defs[1].run = func(ctx context.Context, c *checkCtx) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	var emitted []string
	notRun := r.schedule(ctx, defs, func(res Result) { emitted = append(emitted, res.ID) })
	assert.Equal(t, []string{"A"}, emitted)
	assert.Equal(t, 2, notRun)
}
