package mockserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
)

// control sends a request to the control API and returns status and body.
func control(t *testing.T, c *http.Client, srv *Server, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+ControlPrefix+path, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	return resp, data
}

func TestControlTriggers(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	ibm, _ := join(t, srv, `{"org":"IBM"}`)
	all, _ := join(t, srv, `{}`)
	c := httpClient(t)
	for _, tt := range []struct {
		name, body string
		status     int
		answer     string
	}{
		{"one event", ibmJoin, 200, `{"events":1,"delivered":2}`},
		{"array", "[" + sapLeave + "," + newsEvent + "," + ibmJoin + "]", 200, `{"events":3,"delivered":4}`},
		{"empty array", "[]", 200, `{"events":0,"delivered":0}`},
		{"not an object", `"x"`, 400, ""},
		{"array of non-objects", `[{},1]`, 400, ""},
		{"broken", `{"a"`, 400, ""},
		{"empty", ``, 400, ""},
		{"invalid UTF-8", "{\"org\":\"IBM\xff\"}", 400, ""},
		{"invalid UTF-8 in the second event", "[" + ibmJoin + ",{\"org\":\"\xc0\xaf\"}]", 400, ""},
		{"nested 129 deep", `{"org":"IBM","x":` + deep(protocol.MaxNesting) + `}`, 400, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := control(t, c, srv, http.MethodPost, "triggers", tt.body)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status == 200 {
				assert.JSONEq(t, tt.answer, string(body))
			} else {
				assert.Equal(t, protocol.CodeInvalidBody, errorCode(t, body))
			}
		})
	}
	assert.Equal(t, []string{"st-1", "st-1"}, readIDs(t, ibm, 1, 2))
	assert.Equal(t, []string{"st-1", "st-2", "", "st-1"}, readIDs(t, all, 1, 4), "the news item has no id")
	assert.Equal(t, uint64(4), srv.Stats().TriggersInjected)
}

func TestControlStatsResetFaultsReplay(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{Recording: recording([]int64{0, 1}, "IBM"), HoldReplay: true})
	conn, sf := join(t, srv, `{}`)
	c := httpClient(t)
	push(t, c, srv, sf.Session, `1`)
	readFrame(t, conn)

	resp, body := control(t, c, srv, http.MethodGet, "stats", "")
	require.Equal(t, 200, resp.StatusCode)
	var st Stats
	require.NoError(t, json.Unmarshal(body, &st))
	assert.Equal(t, 1, st.OpenSessions)
	assert.Equal(t, uint64(1), st.Joins)
	assert.Equal(t, uint64(1), st.Pushes[202])
	assert.Contains(t, string(body), `"pushes":{"202":1}`)

	resp, body = control(t, c, srv, http.MethodPost, "replay", "")
	require.Equal(t, 202, resp.StatusCode)
	assert.JSONEq(t, `{"events":2}`, string(body))
	assert.Equal(t, []string{"st-1", "st-2"}, readIDs(t, conn, 2, 2))

	resp, body = control(t, c, srv, http.MethodPost, "reset", "")
	require.Equal(t, 200, resp.StatusCode)
	require.NoError(t, json.Unmarshal(body, &st))
	assert.Zero(t, st.Joins)
	assert.Equal(t, 1, st.OpenSessions, "a gauge, not a counter")

	resp, body = control(t, c, srv, http.MethodGet, "faults", "")
	require.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"closeCode":1011,"rejectJoins":{"share":0,"status":503},"rejectPushes":{"share":0,"status":429}}`, string(body),
		"the defaults, filled in")

	resp, body = control(t, c, srv, http.MethodPut, "faults", `{"latency":"5ms","stall":{"duration":"1s"}}`)
	require.Equal(t, 200, resp.StatusCode, string(body))
	f := srv.Faults()
	assert.Equal(t, 5*time.Millisecond, f.Latency)
	assert.WithinDuration(t, time.Now(), f.Stall.Start, time.Minute, "a stall without start starts now")
	assert.Contains(t, string(body), `"start":`)

	for _, bad := range []string{`{"latency":"-5ms"}`, `{"nope":1}`, `[]`, ``,
		`{"jitter":"2000000h"}`, `{"latency":"25h"}`, `{"stall":{"duration":"24h0m1s"}}`} {
		resp, body = control(t, c, srv, http.MethodPut, "faults", bad)
		assert.Equal(t, 400, resp.StatusCode, bad)
		assert.Equal(t, protocol.CodeInvalidBody, errorCode(t, body))
	}
	assert.Equal(t, 5*time.Millisecond, srv.Faults().Latency, "a rejected PUT changes nothing")
	require.NoError(t, srv.SetFaults(Faults{}))
}

func TestControlErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	c := httpClient(t)
	for _, tt := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "triggers", 405, "POST"},
		{http.MethodPost, "stats", 405, "GET"},
		{http.MethodDelete, "faults", 405, "GET, PUT"},
		{http.MethodGet, "reset", 405, "POST"},
		{http.MethodGet, "replay", 405, "POST"},
		{http.MethodGet, "nothing", 404, ""},
	} {
		resp, body := control(t, c, srv, tt.method, tt.path, "")
		assert.Equal(t, tt.status, resp.StatusCode, tt.path)
		assert.Equal(t, tt.allow, resp.Header.Get("Allow"), tt.path)
		_ = errorCode(t, body)
	}
}

func TestNoControl(t *testing.T) {
	t.Parallel()
	srv := startServer(t, &Options{NoControl: true})
	c := httpClient(t)
	for _, path := range []string{"stats", "triggers", "faults"} {
		resp, body := control(t, c, srv, http.MethodGet, path, "")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Equal(t, protocol.CodeNotFound, errorCode(t, body))
	}
}

// TestJoinInvitesStatsReader: with the control API on, an accepted join
// carries the mockapi header, and FetchStats reads the counters it
// invites; with NoControl, neither.
func TestJoinInvitesStatsReader(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		noControl bool
	}{
		{"control API on", false},
		{"no control API", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, &Options{NoControl: tt.noControl})
			conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, url.Values{"pattern": {"{}"}}), credHeader(demo))
			require.NoError(t, err)
			defer conn.Close()
			assert.Equal(t, !tt.noControl, mockapi.Identifies(resp.Header), "%v", resp.Header)
			validate(t, resp.Request, resp, nil)
			// The session frame comes after the join is counted (the 101
			// goes out before it is).
			_, _, err = conn.ReadMessage()
			require.NoError(t, err)
			// The session frame is counted once its write has returned,
			// which may be after the client has read it.
			waitFor(t, "session frame counted", func() bool { return srv.Stats().FramesSent["session"] == 1 })
			st, err := mockapi.FetchStats(context.Background(), httpClient(t), srv.URL)
			if tt.noControl {
				assert.ErrorContains(t, err, "404")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, uint64(1), st.Joins)
			assert.Equal(t, srv.Stats().FramesSent, st.FramesSent)
		})
	}
}
