package metrics_test

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/internal/mocktest"
)

func TestMain(m *testing.M) {
	mocktest.SetParallel(0)
	goleak.VerifyTestMain(m)
}

// families are one scrape, by metric name.
type families map[string]*dto.MetricFamily

// listen starts a metrics server on loopback, closed when the test ends.
func listen(t *testing.T) *metrics.Server {
	t.Helper()
	srv, err := metrics.Listen("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

// scrape reads GET url and parses it as the Prometheus text format.
func scrape(t *testing.T, url string) families {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	c := http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

// value is the value of the series of name whose labels include want
// (label, value pairs); it fails the test when there is none.
func (f families) value(t *testing.T, name string, want ...string) float64 {
	t.Helper()
	fam, ok := f[name]
	require.True(t, ok, "no %s", name)
	for _, m := range fam.GetMetric() {
		if hasLabels(m, want) {
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
			return m.GetUntyped().GetValue()
		}
	}
	require.Failf(t, "no series", "%s%v", name, want)
	return 0
}

func hasLabels(m *dto.Metric, want []string) bool {
	got := map[string]string{}
	for _, l := range m.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(want); i += 2 {
		if v, ok := got[want[i]]; !ok || v != want[i+1] {
			return false
		}
	}
	return true
}
