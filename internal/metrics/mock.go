package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// Label values beside the protocol's own.
const (
	CodeNone  = "none"  // an accepted join or push: no error code
	CodeOther = "other" // a code the protocol does not define
)

// frameTypes are the values of the mock's type label: the frame types
// of the protocol, each always exposed.
var frameTypes = []string{protocol.FrameSession, protocol.FrameTrigger, protocol.FramePush}

// mockCollector reads a mockserver.Server at each scrape.
type mockCollector struct {
	srv                            *mockserver.Server
	open, frames, dropped, closes  *prometheus.Desc
	joins, pushes                  *prometheus.Desc
	replayed, injected, deliveries *prometheus.Desc
	disconnects, peakJoinRate      *prometheus.Desc
}

// NewMockCollector returns a collector of srv's counters: the ones of
// its Stats (GET /_mock/stats), and the joins and pushes by status and
// error code (Outcomes). ResetStats sets them back to zero, which
// Prometheus reads as a counter reset.
func NewMockCollector(srv *mockserver.Server) prometheus.Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &mockCollector{srv: srv,
		open:         d("wstrigger_mock_sessions_open", "Sessions open now (stats: openSessions)."),
		frames:       d("wstrigger_mock_frames_sent_total", "Frames written, by type (stats: framesSent).", LabelType),
		dropped:      d("wstrigger_mock_frames_dropped_total", "Frames queued or due for a session that ended before they were written: a queue that overflowed (4008) and what was left in it (stats: dropped)."),
		closes:       d("wstrigger_mock_session_closes_total", "Ended sessions by close code: 4008 is a slow consumer's, 1006 an end without a close frame; other codes a client sent are \"other\" (stats: closes).", LabelCode),
		joins:        d("wstrigger_mock_joins_total", "Joins by HTTP status (101 accepted) and error code (stats: joins, rejectedJoins).", LabelStatus, LabelCode),
		pushes:       d("wstrigger_mock_pushes_total", "Push requests by HTTP status and error code (stats: pushes).", LabelStatus, LabelCode),
		replayed:     d("wstrigger_mock_triggers_replayed_total", "Events taken from the recording (stats: triggersReplayed)."),
		injected:     d("wstrigger_mock_triggers_injected_total", "Events injected through the control API (stats: triggersInjected)."),
		deliveries:   d("wstrigger_mock_deliveries_total", "Trigger frames queued for sessions (stats: deliveries)."),
		disconnects:  d("wstrigger_mock_disconnects_total", "Times every open session was ended at once, by POST /_mock/disconnect or the disconnect fault (stats: disconnects)."),
		peakJoinRate: d("wstrigger_mock_peak_join_rate", "The most joins accepted in one tenth of a second since the stats were reset, per second: the herd a reconnect storm brought (stats: peakJoinRate)."),
	}
}

func (c *mockCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.open, c.frames, c.dropped, c.closes, c.joins, c.pushes, c.replayed, c.injected, c.deliveries, c.disconnects, c.peakJoinRate} {
		ch <- d
	}
}

func (c *mockCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.srv.Stats()
	joins, pushes := c.srv.Outcomes()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(st.OpenSessions))
	for _, t := range frameTypes {
		counter(c.frames, st.FramesSent[t], t)
	}
	counter(c.dropped, st.Dropped)
	counter(c.replayed, st.TriggersReplayed)
	counter(c.injected, st.TriggersInjected)
	counter(c.deliveries, st.Deliveries)
	counter(c.disconnects, st.Disconnects)
	ch <- prometheus.MustNewConstMetric(c.peakJoinRate, prometheus.GaugeValue, st.PeakJoinRate)
	closes := map[string]uint64{strconv.Itoa(protocol.CloseSlowConsumer): 0}
	for code, n := range st.Closes {
		closes[closeLabel(code)] += n
	}
	for code, n := range closes {
		counter(c.closes, n, code)
	}
	for _, o := range []struct {
		desc     *prometheus.Desc
		m        map[mockserver.Outcome]uint64
		accepted int
	}{{c.joins, joins, http.StatusSwitchingProtocols}, {c.pushes, pushes, http.StatusAccepted}} {
		byLabel := map[[2]string]uint64{{strconv.Itoa(o.accepted), CodeNone}: 0} // always exposed
		for out, n := range o.m {
			byLabel[[2]string{strconv.Itoa(out.Status), codeLabel(out.Code)}] += n
		}
		for l, n := range byLabel {
			counter(o.desc, n, l[0], l[1])
		}
	}
}

// codeLabel is an error code as a label value: the protocol's codes
// as they are, none for no code, other for any other.
func codeLabel(code protocol.ErrorCode) string {
	switch {
	case code == "":
		return CodeNone
	case protocol.KnownErrorCode(code):
		return string(code)
	}
	return CodeOther
}

// closeLabel is a close code as a label value: the protocol's codes and
// 1005 and 1006 (no status, no close frame) as numbers, other for any
// other a client sent.
func closeLabel(code int) string {
	if protocol.KnownCloseCode(code) || code == 1005 || code == 1006 {
		return strconv.Itoa(code)
	}
	return CodeOther
}

// RegisterMock registers srv's metrics on reg.
func RegisterMock(reg prometheus.Registerer, srv *mockserver.Server) error {
	return reg.Register(NewMockCollector(srv))
}
