package contract_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/contract"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
)

// TestReproducers: every reproducer of a run names credentials by the
// environment variables wstrigger reads and session ids as $SESSION,
// and holds no credential or near miss of one; a curl reproducer, run
// by a shell with those variables set, gets the answer the suite got.
func TestReproducers(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, replaying(10))
	rep, err := contract.Run(t.Context(), mockTarget(m.URL), &contract.Options{
		Run: regexp.MustCompile(`^(AUTH-0(0[1-9]|1[0-9])|PUSH-00[1-8])$`), Observe: time.Second,
	})
	require.NoError(t, err)
	secrets := []string{mockserver.DemoAccessToken, mockserver.DemoSecretKey, mockserver.OtherAccessToken, mockserver.OtherSecretKey,
		mockserver.ForbiddenAccessToken, mockserver.ForbiddenSecretKey, "demo-access-toke", "demo-secret-ke"}
	type step struct{ id, cmd string }
	var wrongSecret *step
	n := 0
	for _, res := range rep.Results {
		for _, ev := range res.Evidence {
			if ev.Reproduce == "" {
				continue
			}
			n++
			for _, s := range secrets {
				assert.NotContains(t, strings.ToLower(ev.Reproduce), s, "%s: %s", res.ID, ev.Step)
			}
			if res.ID == "AUTH-004" && ev.Status == 401 {
				wrongSecret = &step{res.ID, ev.Reproduce}
			}
		}
	}
	assert.Greater(t, n, 20, "reproducers in the run")
	require.NotNil(t, wrongSecret, "AUTH-004 has no reproducer of its 401")
	assert.Contains(t, wrongSecret.cmd, "${WSTRIGGER_ACCESS_TOKEN}")
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed; the reproducer was not run")
	}
	cmd := exec.CommandContext(t.Context(), "sh", "-c", wrongSecret.cmd+" --max-time 5 --silent")
	cmd.Env = append(os.Environ(), "WSTRIGGER_ACCESS_TOKEN="+mockserver.DemoAccessToken, "WSTRIGGER_SECRET_KEY="+mockserver.DemoSecretKey)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", wrongSecret.cmd, out)
	assert.Contains(t, string(out), "HTTP/1.1 401", "%s\n%s", wrongSecret.cmd, out)
	assert.Contains(t, string(out), `"unauthorized"`)
}
