package contract

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// joinReq is one join a check makes.
type joinReq struct {
	step     string
	header   http.Header // credentials and other headers
	rawQuery string      // the whole query, pattern and query credentials included
	noRead   bool        // leave the frames after the session frame unread until startReading
	// noPatternCheck leaves the trigger frames unchecked against the
	// session's pattern: the check judges them itself (PAT-003).
	noPatternCheck bool
	// noSchema leaves the frames after the session frame unvalidated:
	// for the many sessions of a check whose frames other sessions of
	// the run validate too (PAT-003), where validation would be most of
	// the client's work.
	noSchema bool
	// buffer is how many frames the session holds before its reader
	// stops reading (0: frameBuffer); for a check that opens many
	// sessions and drains them.
	buffer int
}

// joinQuery returns the query of a join with the given pattern.
func joinQuery(pat string) string { return url.Values{protocol.QueryPattern: {pat}}.Encode() }

// joinAs joins with creds as headers and the given pattern, and fails
// unless a session opens (joinRetrying).
func (c *checkCtx) joinAs(ctx context.Context, step string, creds protocol.Credentials, pat string) (*wsSession, error) {
	return c.joinRetrying(ctx, joinReq{step: step, header: credHeader(creds), rawQuery: joinQuery(pat)})
}

// joinRetrying makes jr's join and fails unless a session opens. A 429
// too_many_connections, which checks running side by side may cause on
// a server with a low session limit (AGG-001 fills it), is retried after
// the Retry-After wait, within ctx.
func (c *checkCtx) joinRetrying(ctx context.Context, jr joinReq) (*wsSession, error) {
	for {
		s, resp, err := c.join(ctx, jr)
		if err != nil {
			return nil, err
		}
		if s != nil {
			return s, nil
		}
		if !c.retryLater(ctx, resp, protocol.CodeTooManyConnections) {
			return nil, fmt.Errorf("%s: the join was refused with %s", jr.step, describe(resp))
		}
	}
}

// joinMain is joinAs with the main tenant's credentials.
func (c *checkCtx) joinMain(ctx context.Context, step, pat string) (*wsSession, error) {
	return c.joinAs(ctx, step, c.target.Credentials, pat)
}

// join makes a WebSocket join. A refused join returns its answer and a
// nil session; an error means no answer came at all, or the session
// frame did not. Every answer goes through observe, every frame through
// the session's checks.
func (c *checkCtx) join(ctx context.Context, jr joinReq) (*wsSession, *response, error) {
	u := c.url(protocol.JoinPath, jr.rawQuery, true)
	jr.header = c.withOrigin(jr.header)
	conn, hs, err := wsconn.Dial(ctx, u.String(), c.withHeader(jr.header), c.dial)
	if hs == nil {
		return nil, nil, fmt.Errorf("%s: %s", jr.step, c.red.Redact(protocol.RedactError(err).Error()))
	}
	vreq, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url(protocol.JoinPath, jr.rawQuery, false).String(), nil)
	for k, vs := range jr.header {
		vreq.Header[k] = vs
	}
	setUpgradeHeader(vreq.Header)
	r := c.observe(ctx, jr.step, vreq, nil, hs.Status, hs.Header, hs.Body)
	if err != nil {
		if hs.Status == http.StatusSwitchingProtocols {
			c.failf("%s: 101 with an invalid handshake (Upgrade, Connection or Sec-WebSocket-Accept is wrong)", jr.step)
		}
		return nil, r, nil
	}
	s := &wsSession{
		c: c, conn: conn, label: jr.step,
		frames: make(chan frame, cmp.Or(jr.buffer, frameBuffer)), ended: make(chan struct{}),
		noSchema: jr.noSchema,
	}
	if q, err := url.ParseQuery(jr.rawQuery); err == nil && q.Has(protocol.QueryPattern) {
		s.patText = q.Get(protocol.QueryPattern)
		if !jr.noPatternCheck {
			s.pat, _ = pattern.Parse(s.patText)
		}
	}
	c.track(s)
	if err := s.readSessionFrame(ctx); err != nil {
		return nil, r, fmt.Errorf("%s: %w", jr.step, err)
	}
	if !jr.noRead {
		s.startReading()
	}
	return s, r, nil
}
