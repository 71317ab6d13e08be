package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/mockserver"
	"github.com/wstrigger/wstrigger/protocol"
)

// A test joins the mock with the demo credentials, injects a trigger and
// pushes a value; both arrive in seq order.
func Example() {
	srv, err := mockserver.New(&mockserver.Options{
		Recording: []protocol.RecordingLine{}, // no replay: only what the test injects
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c, err := client.New(srv.URL, protocol.Credentials{
		AccessToken: mockserver.DemoAccessToken, SecretKey: mockserver.DemoSecretKey,
	}, nil)
	if err != nil {
		panic(err)
	}
	s, err := c.Join(ctx, "type=job-join;org=IBM")
	if err != nil {
		panic(err)
	}
	defer s.Close()
	fmt.Println("pattern:", string(s.Pattern()))

	n, _ := srv.Inject(json.RawMessage(`{"kind":"sales-trigger","type":"job-join","org":"IBM"}`))
	fmt.Println("delivered to", n, "session")
	if _, err := c.Push(ctx, s.ID(), map[string]string{"note": "call back"}); err != nil {
		panic(err)
	}
	for range 2 {
		f, err := s.Next(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Println(f.Seq, f.Type, string(f.Event)+string(f.Data))
	}
	// Output:
	// pattern: {"org":"IBM","type":"job-join"}
	// delivered to 1 session
	// 1 trigger {"kind":"sales-trigger","type":"job-join","org":"IBM"}
	// 2 push {"note":"call back"}
}
