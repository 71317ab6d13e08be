package metrics_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestMockMetricsCountWhatWasDone joins and pushes, some refused, and
// finds each in the metrics by status and code, and the metrics equal
// to the mock's Stats.
func TestMockMetricsCountWhatWasDone(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	ms := listen(t)
	require.NoError(t, metrics.RegisterMock(ms.Registry, m.Server))
	ws := strings.Replace(m.URL, "http://", "ws://", 1) + protocol.JoinPath
	join := func(c protocol.Credentials, query string) (*websocket.Conn, string, int) {
		t.Helper()
		conn, resp, err := m.Pipe.Dialer().Dial(ws+query, mocktest.Header(c))
		if err != nil {
			require.NotNil(t, resp, "%v", err)
			_ = resp.Body.Close()
			return nil, "", resp.StatusCode
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn, mocktest.ReadFrame(t, conn).Session, http.StatusSwitchingProtocols
	}
	pattern := "?" + url.Values{protocol.QueryPattern: {"{}"}}.Encode()
	wrong := protocol.Credentials{AccessToken: "wrong-token", SecretKey: "wrong-secret"}

	a, sessA, code := join(mocktest.Demo, pattern)
	require.Equal(t, http.StatusSwitchingProtocols, code)
	b, sessB, code := join(mocktest.Demo, pattern)
	require.Equal(t, http.StatusSwitchingProtocols, code)
	joins := []struct {
		creds protocol.Credentials
		query string
		want  int
	}{
		{wrong, pattern, http.StatusUnauthorized},
		{wrong, pattern, http.StatusUnauthorized},
		{mocktest.Forbidden, pattern, http.StatusForbidden},
		{mocktest.Demo, "", http.StatusBadRequest},
	}
	for _, j := range joins {
		_, _, code := join(j.creds, j.query)
		require.Equal(t, j.want, code)
	}
	pushes := []struct {
		creds   protocol.Credentials
		session string
		want    int
	}{
		{mocktest.Demo, sessA, http.StatusAccepted},
		{mocktest.Demo, sessA, http.StatusAccepted},
		{mocktest.Demo, sessB, http.StatusAccepted},
		{mocktest.Demo, "no-such-session-0123456789", http.StatusNotFound},
		{mocktest.Other, sessA, http.StatusNotFound}, // another tenant's session
		{wrong, sessA, http.StatusUnauthorized},
	}
	for _, p := range pushes {
		require.Equal(t, p.want, mocktest.Push(t, m.Pipe.Client(), m.URL, p.creds, p.session, `{"n":1}`))
	}
	for range 2 {
		mocktest.ReadFrame(t, a)
	}
	mocktest.ReadFrame(t, b)
	// a client's own close code is "other"; a normal close is its number
	require.NoError(t, b.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4321, "bye"), time.Now().Add(time.Second)))
	require.Eventually(t, func() bool { return m.Stats().OpenSessions == 1 }, 10*time.Second, 5*time.Millisecond)

	f := scrape(t, ms.URL)
	st := m.Stats()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"wstrigger_mock_sessions_open", nil, 1},
		{"wstrigger_mock_joins_total", []string{"status", "101", "code", "none"}, 2},
		{"wstrigger_mock_joins_total", []string{"status", "401", "code", "unauthorized"}, 2},
		{"wstrigger_mock_joins_total", []string{"status", "403", "code", "forbidden"}, 1},
		{"wstrigger_mock_joins_total", []string{"status", "400", "code", "missing_pattern"}, 1},
		{"wstrigger_mock_pushes_total", []string{"status", "202", "code", "none"}, 3},
		{"wstrigger_mock_pushes_total", []string{"status", "404", "code", "session_not_found"}, 2},
		{"wstrigger_mock_pushes_total", []string{"status", "401", "code", "unauthorized"}, 1},
		{"wstrigger_mock_frames_sent_total", []string{"type", "session"}, 2},
		{"wstrigger_mock_frames_sent_total", []string{"type", "push"}, 3},
		{"wstrigger_mock_frames_sent_total", []string{"type", "trigger"}, 0},
		{"wstrigger_mock_session_closes_total", []string{"code", "other"}, 1},
		{"wstrigger_mock_session_closes_total", []string{"code", "4008"}, 0},
		{"wstrigger_mock_frames_dropped_total", nil, 0},
	} {
		assert.Equal(t, c.want, f.value(t, c.name, c.labels...), "%s%v", c.name, c.labels)
	}

	// the same counts as GET /_mock/stats, series by series
	assert.Equal(t, float64(st.OpenSessions), f.value(t, "wstrigger_mock_sessions_open"))
	assert.Equal(t, float64(st.Joins), f.value(t, "wstrigger_mock_joins_total", "status", "101"))
	for name, byStatus := range map[string]map[int]uint64{"wstrigger_mock_joins_total": st.RejectedJoins, "wstrigger_mock_pushes_total": st.Pushes} {
		sums := map[string]float64{}
		for _, mt := range f[name].GetMetric() {
			for _, l := range mt.GetLabel() {
				if l.GetName() == "status" {
					sums[l.GetValue()] += mt.GetCounter().GetValue()
				}
			}
		}
		for status, n := range byStatus {
			assert.Equal(t, float64(n), sums[strconv.Itoa(status)], "%s status %d", name, status)
		}
	}
	for typ, n := range st.FramesSent {
		assert.Equal(t, float64(n), f.value(t, "wstrigger_mock_frames_sent_total", "type", typ))
	}
	for _, c := range []struct {
		name string
		want uint64
	}{
		{"wstrigger_mock_frames_dropped_total", st.Dropped},
		{"wstrigger_mock_triggers_replayed_total", st.TriggersReplayed},
		{"wstrigger_mock_triggers_injected_total", st.TriggersInjected},
		{"wstrigger_mock_deliveries_total", st.Deliveries},
	} {
		assert.Equal(t, float64(c.want), f.value(t, c.name), c.name)
	}
}

// TestMockMetricsOfAStorm: a disconnect of every session shows in the
// metrics as in the mock's Stats: the disconnects, the peak join rate,
// and the sessions' closes (1012, not a code of the protocol: other).
func TestMockMetricsOfAStorm(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	ms := listen(t)
	require.NoError(t, metrics.RegisterMock(ms.Registry, m.Server))
	ws := strings.Replace(m.URL, "http://", "ws://", 1) + protocol.JoinPath + "?" + url.Values{protocol.QueryPattern: {"{}"}}.Encode()
	const sessions = 3
	for range sessions {
		conn, _, err := m.Pipe.Dialer().Dial(ws, mocktest.Header(mocktest.Demo))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		mocktest.ReadFrame(t, conn)
	}
	closed, err := m.Disconnect(1012, "restart")
	require.NoError(t, err)
	assert.Equal(t, sessions, closed)
	require.Eventually(t, func() bool { return m.Stats().OpenSessions == 0 }, 10*time.Second, 5*time.Millisecond)

	f := scrape(t, ms.URL)
	st := m.Stats()
	require.Equal(t, uint64(1), st.Disconnects)
	require.Positive(t, st.PeakJoinRate)
	assert.Equal(t, float64(st.Disconnects), f.value(t, "wstrigger_mock_disconnects_total"))
	assert.Equal(t, st.PeakJoinRate, f.value(t, "wstrigger_mock_peak_join_rate"))
	assert.Equal(t, float64(sessions), f.value(t, "wstrigger_mock_session_closes_total", "code", "other"))
}

func TestMockMetricsBeforeAnything(t *testing.T) {
	t.Parallel()
	m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
	ms := listen(t)
	require.NoError(t, metrics.RegisterMock(ms.Registry, m.Server))
	f := scrape(t, ms.URL)
	// with nothing done, the accepted series and the 4008 closes are there, at 0
	assert.Zero(t, f.value(t, "wstrigger_mock_joins_total", "status", "101", "code", metrics.CodeNone))
	assert.Zero(t, f.value(t, "wstrigger_mock_pushes_total", "status", "202", "code", metrics.CodeNone))
	assert.Zero(t, f.value(t, "wstrigger_mock_session_closes_total", "code", "4008"))
	assert.Len(t, f["wstrigger_mock_frames_sent_total"].GetMetric(), 3, "every frame type")
}
