package contractreport

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	result := func(s Status, l Level) Result { return Result{Check: Check{Level: l}, Status: s} }
	tests := []struct {
		name    string
		results []Result
		want    Summary
		passed  bool
	}{
		{name: "none", want: Summary{}, passed: true},
		{name: "a SHOULD failed", results: []Result{result(StatusPass, LevelMust), result(StatusFail, LevelShould)},
			want: Summary{Total: 2, Passed: 1, Failed: 1}, passed: true},
		{name: "a MUST failed, one skipped", results: []Result{result(StatusFail, LevelMust), result(StatusSkip, LevelMust), result(StatusSkip, LevelShould)},
			want: Summary{Total: 3, Failed: 1, Skipped: 2, MustFailed: 1, MustSkipped: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Report{Results: tt.results, Summary: Summarize(tt.results)}
			assert.Equal(t, tt.want, r.Summary)
			assert.Equal(t, tt.passed, r.Passed())
		})
	}
}

func TestFormatEvidence(t *testing.T) {
	t.Parallel()
	evs := []Evidence{
		{Step: "join", Request: "GET /v1/subscribe?accessToken=***\nHost: x", Status: 401, Note: "no session", Reproduce: "websocat 'ws://x/v1/subscribe'"},
		{Step: "read", Frames: []string{`{"type":"session"}`}, Response: "HTTP/1.1 200 OK"},
	}
	tests := []struct {
		name  string
		repro bool
		want  string
	}{
		{name: "without reproducers", want: "## join\n> GET /v1/subscribe?accessToken=***\n> Host: x\n< status 401\nnote: no session\n" +
			"\n## read\n< HTTP/1.1 200 OK\nframe: {\"type\":\"session\"}\n"},
		{name: "with reproducers", repro: true, want: "## join\n> GET /v1/subscribe?accessToken=***\n> Host: x\n< status 401\nnote: no session\nreproduce: websocat 'ws://x/v1/subscribe'\n" +
			"\n## read\n< HTTP/1.1 200 OK\nframe: {\"type\":\"session\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, FormatEvidence(evs, tt.repro))
		})
	}
}

// TestReadersShareReport renders and sums up one report from several
// goroutines at once: under -race, they only read it.
func TestReadersShareReport(t *testing.T) {
	t.Parallel()
	r := &Report{Results: []Result{{Status: StatusFail, Check: Check{Level: LevelMust}, Evidence: []Evidence{{Step: "s", Status: 500}}}}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			assert.Equal(t, 1, Summarize(r.Results).MustFailed)
			assert.Equal(t, "## s\n< status 500\n", FormatEvidence(r.Results[0].Evidence, true))
			assert.True(t, r.Passed(), "Summary not filled: no MUST failure counted")
		})
	}
	wg.Wait()
}
