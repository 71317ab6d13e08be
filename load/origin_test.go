package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wstrigger/wstrigger/internal/mocktest"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// TestOriginOnJoinsAndPushes: with Options.Origin every join and every
// push carries it, as from a browser page of that origin; without it,
// none does.
func TestOriginOnJoinsAndPushes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, origin, want string
	}{
		{"with an origin", "https://CRM.example.com/", "https://crm.example.com"},
		{"without", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mocktest.Start(t, &mockserver.Options{Recording: noReplay()})
			var mu sync.Mutex
			seen := map[string]map[string]int{} // path → Origin → requests
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if seen[r.URL.Path] == nil {
					seen[r.URL.Path] = map[string]int{}
				}
				seen[r.URL.Path][r.Header.Get(protocol.HeaderOrigin)]++
				mu.Unlock()
				srv.Handler().ServeHTTP(w, r)
			}))
			t.Cleanup(ts.Close)
			res, err := Run(context.Background(), ts.URL, demo, &Options{
				Subscriptions: 5, ConnectRate: 1000, PushRate: 50, Duration: 200 * time.Millisecond, Origin: tc.origin,
			})
			require.NoError(t, err)
			require.Positive(t, res.Pushes.Accepted)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, map[string]int{tc.want: 5}, seen[protocol.JoinPath])
			assert.Equal(t, map[string]int{tc.want: int(res.Pushes.Sent)}, seen[protocol.PushPath])
		})
	}
}
