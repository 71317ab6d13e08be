package contract

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
)

func aggressiveChecks() []checkDef {
	d := func(id, title, section string, run func(context.Context, *checkCtx) error) checkDef {
		return checkDef{Check: Check{ID: id, Title: title, Group: "aggressive", Level: LevelShould, Section: section, Aggressive: true}, run: run}
	}
	return []checkDef{
		d("AGG-001", "joins past the token's session limit are 429 too_many_connections with Retry-After", "docs/protocol.md §3", checkSessionLimit),
		d("AGG-002", "a consumer that stops reading is closed with 4008 or refused with 429, never losing frames silently", "docs/protocol.md §3.3, §4", checkSlowConsumer),
		d("AGG-003", "slow, unfinished handshakes do not keep others from joining", "docs/protocol.md §3", checkSlowloris),
		d("AGG-004", "a client frame of 1 MiB is closed with 1009 and the server keeps serving", "docs/protocol.md §3.2", checkHugeFrame),
		d("AGG-005", "binary and invalid UTF-8 client frames are ignored or closed with a declared code", "docs/protocol.md §3.2, §3.3", checkMalformedFrames),
	}
}

func checkSessionLimit(ctx context.Context, c *checkCtx) error {
	var (
		wg      sync.WaitGroup
		limited atomic.Bool
		opened  atomic.Int64
		mu      sync.Mutex
		firstEr error
		sem     = make(chan struct{}, 16)
	)
	for i := 0; i < c.opts.MaxSessions && !limited.Load() && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s, resp, err := c.join(ctx, joinReq{step: fmt.Sprintf("join %d", i+1), header: credHeader(c.target.Credentials), rawQuery: joinQuery(quietPattern)})
			switch {
			case err != nil:
				mu.Lock()
				if firstEr == nil {
					firstEr = err
				}
				mu.Unlock()
			case s != nil:
				opened.Add(1)
			case resp.status == 429 || resp.code == protocol.CodeTooManyConnections:
				if limited.CompareAndSwap(false, true) {
					if c.expectError(fmt.Sprintf("join %d, past the limit", i+1), resp, expJoinTooMany) && resp.header.Get("Retry-After") == "" {
						c.failf("the 429 has no Retry-After header")
					}
				}
			default:
				c.failf("join %d: got %s, want 101 or 429 too_many_connections", i+1, describe(resp))
			}
		})
	}
	wg.Wait()
	if firstEr != nil && !limited.Load() {
		return firstEr
	}
	if !limited.Load() {
		return skipf("no session limit reached with %d open sessions (Options.MaxSessions)", opened.Load())
	}
	c.note("open sessions", fmt.Sprintf("limit reached after %d open sessions", opened.Load()))
	return nil
}

func checkSlowConsumer(ctx context.Context, c *checkCtx) error {
	s, err := c.joinRetrying(ctx, joinReq{step: "join with pattern {} and stop reading", header: credHeader(c.target.Credentials), rawQuery: joinQuery("{}"), noRead: true})
	if err != nil {
		return err
	}
	body := []byte(`{"pad":"` + strings.Repeat("z", 32<<10) + `"}`)
	full, gone := false, false
	pushCtx, cancel := context.WithTimeout(ctx, c.opts.Timeout/2)
	defer cancel()
	for i := 0; i < 20000 && !full && !gone && pushCtx.Err() == nil; i++ {
		resp, err := c.pushReq(pushCtx, fmt.Sprintf("push %d of 32 KiB without reading", i+1), c.target.Credentials, s.id, body)
		if err != nil {
			break
		}
		switch {
		case resp.code == protocol.CodeSessionQueueFull:
			full = true
			if c.expectError("push into a full queue", resp, expPushQueueFull) && resp.header.Get("Retry-After") == "" {
				c.failf("the 429 has no Retry-After header")
			}
		case resp.code == protocol.CodeSessionNotFound:
			gone = true
		case resp.status >= 300:
			c.failf("push %d without reading: got %s", i+1, describe(resp))
			return nil
		}
	}
	s.startReading()
	c.note("push without reading", fmt.Sprintf("queue full (429): %v; session gone (404): %v", full, gone))
	if !full && !gone {
		return skipf("neither a full queue nor a close within the push budget")
	}
	// Drain; inspect checks that seq has no gap up to the close.
	if gone {
		if err := s.waitClosed(ctx); err != nil {
			return err
		}
		if s.code() != protocol.CloseSlowConsumer {
			c.failf("the session was dropped with close code %d, want %d (slow consumer)", s.code(), protocol.CloseSlowConsumer)
		}
		return nil
	}
	marker := []byte(`{"marker":"after the queue was full"}`)
	for {
		resp, err := c.pushReq(ctx, "push a marker after draining", c.target.Credentials, s.id, marker)
		if err != nil {
			return err
		}
		if resp.code == protocol.CodeSessionNotFound {
			// Closed meanwhile (a trigger overflowed the queue).
			if err := s.waitClosed(ctx); err != nil {
				return err
			}
			if s.code() != protocol.CloseSlowConsumer {
				c.failf("the session was closed with code %d, want %d (slow consumer)", s.code(), protocol.CloseSlowConsumer)
			}
			return nil
		}
		if resp.code != protocol.CodeSessionQueueFull {
			break
		}
		// Still full: read some frames to make room.
		for range 64 {
			if _, err := s.next(ctx); err != nil {
				break
			}
		}
	}
	for {
		f, err := s.next(ctx)
		if err != nil {
			if s.code() == protocol.CloseSlowConsumer {
				return nil
			}
			return err
		}
		if f.Type == protocol.FramePush && sameValue(f.Data, marker) {
			return nil
		}
	}
}

func checkSlowloris(ctx context.Context, c *checkCtx) error {
	if c.proxied {
		return skipf(skipProxied)
	}
	u := c.url(protocol.JoinPath, joinQuery("{}"), false)
	var conns []net.Conn
	defer func() {
		for _, conn := range conns {
			_ = conn.Close()
		}
	}()
	for range 32 {
		conn, err := c.netDial(ctx, hostPort(u.Host, u.Scheme))
		if err != nil {
			break
		}
		conns = append(conns, conn)
		_, _ = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n", u.RequestURI(), u.Host)
	}
	s, err := c.joinMain(ctx, fmt.Sprintf("join while %d handshakes hang half-written", len(conns)), quietPattern)
	if err != nil {
		c.failf("%v", err)
		return nil
	}
	if _, err := c.push(ctx, "push into it", s, []byte(`{"ok":true}`)); err != nil {
		c.failf("%v", err)
		return nil
	}
	if _, err := s.nextPush(ctx); err != nil {
		c.failf("%v", err)
	}
	return nil
}

func checkHugeFrame(ctx context.Context, c *checkCtx) error {
	if err := c.tooBig(ctx, 1<<20); err != nil {
		return err
	}
	_, err := c.joinMain(ctx, "join after the huge frame", quietPattern)
	return err
}

func checkMalformedFrames(ctx context.Context, c *checkCtx) error {
	for _, tc := range []struct {
		kind string
		typ  wsconn.MessageType
		data []byte
	}{
		{"a binary frame", wsconn.Binary, []byte{0, 1, 2, 0xff}},
		{"a text frame of invalid UTF-8", wsconn.Text, []byte{0xc3, 0x28, 0xff}},
		{"a text frame of JSON", wsconn.Text, []byte(`{"type":"session","session":"x"}`)},
	} {
		s, err := c.joinMain(ctx, "join before sending "+tc.kind, quietPattern)
		if err != nil {
			return err
		}
		step := "send " + tc.kind
		if err := s.write(ctx, tc.typ, tc.data); err != nil {
			return fmt.Errorf("%s: %v", step, err)
		}
		resp, err := c.pushReq(ctx, "push after "+tc.kind, c.target.Credentials, s.id, []byte(`{"after":true}`))
		if err != nil {
			return err
		}
		if ok, _ := c.success(pushEP); resp.status == ok {
			if _, err := s.nextPush(ctx); err == nil {
				continue
			}
		}
		// Closed: fine if with a declared code (recordClose checks it).
		if err := s.waitClosed(ctx); err != nil {
			c.failf("%s: the session neither stayed usable nor closed", step)
		} else if s.code() == 0 {
			c.failf("%s: the connection was dropped without a close frame", step)
		}
	}
	return nil
}
