package metrics_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/load"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// dashboardFile is the Grafana dashboard of a distributed run.
var dashboardFile = filepath.Join("..", "..", "deploy", "grafana", "wstrigger-dashboard.json")

// dashboard is the part of a Grafana dashboard JSON model the test reads.
type dashboard struct {
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      any    `json:"query"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// metricName finds the metric names in a PromQL expression: every name
// the collectors expose begins with one of these prefixes.
var metricName = regexp.MustCompile(`\b(?:wstrigger|process|go)_[a-zA-Z0-9_:]*`)

// exposed scrapes a driver's and a mock's collectors and returns every
// series name they expose; a histogram's are its _bucket, _sum and
// _count.
func exposed(t *testing.T) map[string]bool {
	t.Helper()
	mock := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	d, err := load.New(mock.URL, mocktest.Demo, &load.Options{Subscriptions: 1})
	require.NoError(t, err)
	ms := listen(t)
	require.NoError(t, metrics.RegisterDriver(ms.Registry, d))
	require.NoError(t, metrics.RegisterMock(ms.Registry, mock.Server))
	names := map[string]bool{}
	for name, f := range scrape(t, ms.URL) {
		if f.GetType() == dto.MetricType_HISTOGRAM {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[name+s] = true
			}
			continue
		}
		names[name] = true
	}
	return names
}

// TestDashboardUsesExposedMetrics holds every expression of the Grafana
// dashboard to the metrics the collectors expose, so that a renamed
// metric cannot leave a panel empty.
func TestDashboardUsesExposedMetrics(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(dashboardFile)
	require.NoError(t, err)
	var dash dashboard
	require.NoError(t, json.Unmarshal(data, &dash))
	assert.NotEmpty(t, dash.UID)
	names := exposed(t)

	vars := map[string]string{}
	for _, v := range dash.Templating.List {
		vars[v.Name] = v.Type
		if v.Name == "shard" {
			for _, n := range metricName.FindAllString(v.Definition, -1) {
				assert.True(t, names[n], "the shard variable reads %s, which nothing exposes", n)
			}
		}
	}
	assert.Equal(t, map[string]string{"datasource": "datasource", "shard": "query"}, vars)

	var panels []panel
	for _, p := range dash.Panels {
		panels = append(append(panels, p), p.Panels...)
	}
	queried := 0
	for _, p := range panels {
		if p.Type == "row" || p.Type == "text" {
			continue
		}
		require.NotNil(t, p.Datasource, p.Title)
		assert.Equal(t, "${datasource}", p.Datasource.UID, "%s: the datasource variable", p.Title)
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			used := metricName.FindAllString(tg.Expr, -1)
			assert.NotEmpty(t, used, "%s: %s names no metric", p.Title, tg.Expr)
			for _, n := range used {
				queried++
				assert.True(t, names[n], "%s: %s is not exposed (in %s)", p.Title, n, tg.Expr)
			}
		}
	}
	assert.Greater(t, queried, 20)
}
