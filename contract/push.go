package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/spec"
)

// pushReq sends body to the session sid with creds as headers.
func (c *checkCtx) pushReq(ctx context.Context, step string, creds client.Credentials, sid string, body []byte) (*response, error) {
	h := credHeader(creds)
	h.Set("Content-Type", "application/json")
	return c.do(ctx, request{step: step, method: http.MethodPost, path: spec.PushPath,
		rawQuery: url.Values{spec.QuerySession: {sid}}.Encode(), header: h, body: body})
}

// push sends body into s with the main credentials and returns the seq
// of the 202; any other answer is an error.
func (c *checkCtx) push(ctx context.Context, step string, s *wsSession, body []byte) (uint64, error) {
	resp, err := c.pushReq(ctx, step, c.target.Credentials, s.id, body)
	if err != nil {
		return 0, err
	}
	want, err := c.success(pushEP)
	if err != nil {
		return 0, err
	}
	if resp.status != want {
		return 0, fmt.Errorf("%s: got %s, want %d", step, describe(resp), want)
	}
	var pr spec.PushResponse
	if err := json.Unmarshal(resp.body, &pr); err != nil || pr.Seq == 0 {
		return 0, fmt.Errorf("%s: the %d has no seq: %s", step, want, c.red.str(excerpt(resp.body, 200)))
	}
	if pr.Session != s.id {
		c.failf("%s: the %d names another session than the one pushed to", step, want)
	}
	return pr.Seq, nil
}
