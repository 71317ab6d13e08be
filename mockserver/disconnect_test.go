package mockserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/protocol"
)

// readCloseFrame reads until the connection ends and returns the close
// frame's code and reason; it fails the test on an end without one.
func readCloseFrame(t testing.TB, conn *websocket.Conn) (int, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		require.True(t, errors.As(err, &ce), "the session ended without a close frame: %v", err)
		return ce.Code, ce.Text
	}
}

// TestControlDisconnect ends every open session at once with the code
// and reason asked for, answers how many it closed, and leaves the mock
// accepting joins; bad requests get 400 and close nothing.
func TestControlDisconnect(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	c := httpClient(t)
	closes := uint64(0)
	for _, tt := range []struct {
		name, body string
		status     int
		code       int
		reason     string
	}{
		{"no body: 1012", "", 200, 1012, "service restart"},
		{"empty object", "{}", 200, 1012, "service restart"},
		{"code and reason", `{"code":4000,"reason":"deploy 42"}`, 200, 4000, "deploy 42"},
		{"1001 has its name", `{"code":1001}`, 200, 1001, "server shutting down"},
		{"1006 cannot be sent", `{"code":1006}`, 400, 0, ""},
		{"reason too long", `{"reason":"` + strings.Repeat("x", 124) + `"}`, 400, 0, ""},
		{"unknown field", `{"codes":1012}`, 400, 0, ""},
		{"not JSON", `{"code":`, 400, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conns := make([]*websocket.Conn, 3)
			for i, pat := range []string{`{}`, `{"org":"IBM"}`, `{"org":"SAP"}`} {
				conns[i], _ = join(t, srv, pat)
			}
			waitOpen(t, srv, 3)
			before := srv.Stats().Closes[tt.code]
			resp, body := control(t, c, srv, http.MethodPost, "disconnect", tt.body)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status != 200 {
				assert.Equal(t, protocol.CodeInvalidBody, errorCode(t, body))
				assert.Equal(t, 3, srv.Stats().OpenSessions, "a refused disconnect closes nothing")
				for _, conn := range conns {
					require.NoError(t, conn.Close())
				}
				closes += 3
				waitClosed(t, srv, 0, closes)
				return
			}
			var answer struct{ Closed, Code int }
			require.NoError(t, json.Unmarshal(body, &answer))
			assert.Equal(t, 3, answer.Closed)
			assert.Equal(t, tt.code, answer.Code)
			for _, conn := range conns {
				code, reason := readCloseFrame(t, conn)
				assert.Equal(t, tt.code, code)
				assert.Equal(t, tt.reason, reason)
			}
			closes += 3
			waitClosed(t, srv, 0, closes)
			assert.Equal(t, uint64(3), srv.Stats().Closes[tt.code]-before)
			// The mock goes on accepting joins: the clients rejoin.
			conn, _ := join(t, srv, `{}`)
			require.NoError(t, conn.Close())
			closes++
			waitClosed(t, srv, 0, closes)
		})
	}
	assert.Equal(t, uint64(4), srv.Stats().Disconnects)
	resp, _ := control(t, c, srv, http.MethodGet, "disconnect", "")
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// TestDisconnectChecks refuses what a close frame cannot carry.
func TestDisconnectChecks(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	for _, tt := range []struct {
		name   string
		code   int
		reason string
		err    string
	}{
		{"0 is 1012", 0, "", ""},
		{"reason at the bound", 4999, strings.Repeat("é", maxCloseReason/2), ""},
		{"1005 is reserved", 1005, "", "code 1005"},
		{"5000 is out of range", 5000, "", "code 5000"},
		{"reason over the bound", 1012, strings.Repeat("x", maxCloseReason+1), "reason of 124 bytes"},
		{"invalid UTF-8", 1012, "\xff", "not valid UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := srv.Disconnect(tt.code, tt.reason)
			assert.Zero(t, n, "no session is open")
			if tt.err == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.err)
			}
		})
	}
}

// TestFaultDisconnectEvery ends every session again and again while the
// fault is on, set from the start or through PUT /_mock/faults, and
// stops when it is cleared.
func TestFaultDisconnectEvery(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{Faults: Faults{Disconnect: Disconnect{Every: 150 * time.Millisecond}}})
	for range 2 {
		conn, _ := join(t, srv, `{}`)
		code, reason := readCloseFrame(t, conn)
		assert.Equal(t, DefaultDisconnectCode, code)
		assert.Equal(t, "service restart", reason)
	}
	c := httpClient(t)
	resp, body := control(t, c, srv, http.MethodPut, "faults", `{"disconnect":{"every":"100ms","code":4001}}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.JSONEq(t, `{"closeCode":1011,"rejectJoins":{"share":0,"status":503},"rejectPushes":{"share":0,"status":429},
		"disconnect":{"every":"100ms","code":4001}}`, string(body))
	conn, _ := join(t, srv, `{}`)
	code, _ := readCloseFrame(t, conn)
	assert.Equal(t, 4001, code)
	waitFor(t, "the disconnects counted", func() bool { return srv.Stats().Disconnects >= 3 })

	require.NoError(t, srv.SetFaults(Faults{}))
	n := srv.Stats().Disconnects
	conn, sf := join(t, srv, `{}`)
	// A push round trip after several periods of the old fault: the
	// session is still open, and no disconnect was counted meanwhile.
	deadline := time.Now().Add(400 * time.Millisecond)
	for time.Now().Before(deadline) {
		push(t, c, srv, sf.Session, `1`)
		assert.Equal(t, protocol.FramePush, readFrame(t, conn).Type)
	}
	assert.Equal(t, n, srv.Stats().Disconnects, "the cleared fault disconnected again")
}

// TestJoinMeter finds the busiest tenth of a second of joins.
func TestJoinMeter(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	for _, tt := range []struct {
		name string
		at   []time.Duration
		rate float64
	}{
		{"none", nil, 0},
		{"one", []time.Duration{5 * ms}, 10},
		{"two in a slot", []time.Duration{0, 99 * ms}, 20},
		{"across slots", []time.Duration{99 * ms, 100 * ms, 150 * ms, 250 * ms}, 20},
		{"a burst later", []time.Duration{0, 1000 * ms, 1001 * ms, 1002 * ms}, 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m joinMeter
			for _, at := range tt.at {
				m.add(at)
			}
			assert.InDelta(t, tt.rate, m.rate(), 1e-9)
			m.reset()
			assert.Zero(t, m.rate())
		})
	}
}

// TestStatsPeakJoinRate counts the server's accepted joins in the meter,
// and a reset clears it.
func TestStatsPeakJoinRate(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	for range 3 {
		conn, _ := join(t, srv, `{}`)
		require.NoError(t, conn.Close())
	}
	st := srv.Stats()
	assert.GreaterOrEqual(t, st.PeakJoinRate, 10.0)
	assert.LessOrEqual(t, st.PeakJoinRate, 30.0)
	srv.ResetStats()
	assert.Zero(t, srv.Stats().PeakJoinRate)
}
