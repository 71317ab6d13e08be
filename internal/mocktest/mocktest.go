package mocktest

import (
	"testing"

	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// The mock's default tenants (mockserver.DefaultCredentials), as a client
// or the suite takes them.
var (
	// Demo is the main tenant's pair.
	Demo = protocol.Credentials{AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey}
	// Other is a second tenant's pair.
	Other = protocol.Credentials{AccessToken: mockserver.OtherAccessToken, SecretKey: mockserver.OtherSecretKey}
	// Forbidden is valid, but its account gets 403.
	Forbidden = protocol.Credentials{AccessToken: mockserver.ForbiddenAccessToken, SecretKey: mockserver.ForbiddenSecretKey}
)

// Mock is a running mock: the real mockserver.Server, listening on
// 127.0.0.1:0 (URL), whose handler is also served over in-memory
// connections (Pipe).
type Mock struct {
	*mockserver.Server
	// Pipe serves the mock's handler without a socket. Sessions joined
	// through it belong to the Server, as those joined on URL do.
	Pipe *Pipe
}

// Start starts the mock with opts (nil: mockserver's defaults, which
// replay the default recording in real time) on 127.0.0.1:0, and stops
// it, and its pipe, when the test ends.
func Start(t testing.TB, opts *mockserver.Options) *Mock {
	t.Helper()
	var o mockserver.Options
	if opts != nil {
		o = *opts
	}
	if o.Addr == "" && o.Listener == nil {
		o.Addr = "127.0.0.1:0"
	}
	srv, err := mockserver.New(&o)
	if err != nil {
		t.Fatalf("mocktest: start the mock: %v", err)
	}
	t.Cleanup(srv.Close) // after the pipe's cleanup: cleanups run last first
	return &Mock{Server: srv, Pipe: Serve(t, srv.Handler())}
}
