package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestOverAPipe joins, injects, pushes and reads the stats with no
// socket: through the kit's pipe to the handler of a mock on 127.0.0.1,
// and through a mock whose only listener is a pipe.
func TestOverAPipe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) (*mockserver.Server, *mocktest.Pipe)
	}{
		{"handler on a pipe", func(t *testing.T) (*mockserver.Server, *mocktest.Pipe) {
			m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}})
			return m.Server, m.Pipe
		}},
		{"listener on a pipe", func(t *testing.T) (*mockserver.Server, *mocktest.Pipe) {
			p := mocktest.NewPipe()
			m := mocktest.Start(t, &mockserver.Options{Recording: []protocol.RecordingLine{}, Listener: p.Listener()})
			t.Cleanup(func() { _ = p.Close() })
			assert.Equal(t, "http://pipe", m.URL)
			return m.Server, p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, p := tc.start(t)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			h := mocktest.Header(mocktest.Demo)
			join := "ws://pipe" + protocol.JoinPath + "?" + url.Values{"pattern": {`{"org":["IBM"]}`}}.Encode()
			conn, _, err := p.Dialer().DialContext(ctx, join, h)
			require.NoError(t, err)
			defer conn.Close()
			sf := mocktest.ReadFrame(t, conn)
			require.Equal(t, protocol.FrameSession, sf.Type)

			n, err := srv.Inject(json.RawMessage(`{"kind":"sales-trigger","id":"st-1","at":1,"date":"18.03.2025","type":"job-join","typeName":"Job Join","org":"IBM","source":"test"}`))
			require.NoError(t, err)
			assert.Equal(t, 1, n, "sessions the trigger reached")
			assert.Equal(t, protocol.FrameTrigger, mocktest.ReadFrame(t, conn).Type)

			require.Equal(t, http.StatusAccepted, mocktest.Push(t, p.Client(), "http://pipe", mocktest.Demo, sf.Session, `[1,2]`))
			f := mocktest.ReadFrame(t, conn)
			assert.Equal(t, protocol.FramePush, f.Type)
			assert.Equal(t, uint64(2), f.Seq)
			assert.JSONEq(t, `[1,2]`, string(f.Data))

			resp, err := p.Client().Get("http://pipe" + mockserver.ControlPrefix + "stats")
			require.NoError(t, err)
			var st mockserver.Stats
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, 1, st.OpenSessions)
		})
	}
}
