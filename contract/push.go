package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// pushReq sends body to the session sid with creds as headers.
func (c *checkCtx) pushReq(ctx context.Context, step string, creds protocol.Credentials, sid string, body []byte) (*response, error) {
	h := credHeader(creds)
	h.Set("Content-Type", "application/json")
	return c.do(ctx, request{step: step, method: http.MethodPost, path: protocol.PushPath,
		rawQuery: url.Values{protocol.QuerySession: {sid}}.Encode(), header: h, body: body})
}

// push sends body into s with the main credentials and returns the seq
// of the 202; any other answer is an error.
//
// A 429 session_queue_full is the server's word that the session's
// queue is full for now, which a push at full speed may meet on a busy
// machine: push waits as Retry-After says (at most maxRetryWait) and
// tries again, within ctx.
func (c *checkCtx) push(ctx context.Context, step string, s *wsSession, body []byte) (uint64, error) {
	var resp *response
	for {
		var err error
		resp, err = c.pushReq(ctx, step, c.target.Credentials, s.id, body)
		if err != nil {
			return 0, err
		}
		if !c.retryLater(ctx, resp, protocol.CodeSessionQueueFull) {
			break
		}
	}
	want, err := c.success(pushEP)
	if err != nil {
		return 0, err
	}
	if resp.status != want {
		return 0, fmt.Errorf("%s: got %s, want %d", step, describe(resp), want)
	}
	var pr protocol.PushResponse
	if err := json.Unmarshal(resp.body, &pr); err != nil || pr.Seq == 0 {
		return 0, fmt.Errorf("%s: the %d has no seq: %s", step, want, c.red.Redact(excerpt(resp.body, 200)))
	}
	if pr.Session != s.id {
		c.failf("%s: the %d names another session than the one pushed to", step, want)
	}
	return pr.Seq, nil
}

// maxRetryWait bounds the wait before a retry after a 429.
const maxRetryWait = time.Second

// retryLater reports whether resp is a 429 with the given code, after
// waiting as its Retry-After says (at most maxRetryWait); false when it
// is another answer or ctx ends first.
func (c *checkCtx) retryLater(ctx context.Context, resp *response, code protocol.ErrorCode) bool {
	if resp.status != http.StatusTooManyRequests || resp.code != code {
		return false
	}
	wait := 100 * time.Millisecond
	if secs, err := strconv.Atoi(resp.header.Get("Retry-After")); err == nil && secs > 0 {
		wait = min(time.Duration(secs)*time.Second, maxRetryWait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
