package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/wstrigger/wstrigger/protocol"
)

// Push sends value into the session with the given id and returns the seq of
// the push frame the server queued. A json.RawMessage is sent as it is;
// anything else is encoded with encoding/json.
func (c *Client) Push(ctx context.Context, sessionID string, value any) (uint64, error) {
	body, err := encodeValue(value)
	if err != nil {
		return 0, err
	}
	return c.PushBytes(ctx, sessionID, body)
}

// PushBytes sends body, which should be one JSON value, into the
// session as it is, unchecked: the server judges it (docs/protocol.md §4),
// and a body it refuses comes back as an *HTTPError. It is Push without
// the encoding, for callers that build their bodies themselves, such as
// a load driver. body must not change while PushBytes runs, nor after:
// the transport may still be writing it when an early answer has come.
func (c *Client) PushBytes(ctx context.Context, sessionID string, body []byte) (uint64, error) {
	u := c.pushURL + url.QueryEscape(sessionID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("client: push to %s: %w", protocol.RedactURLString(u), protocol.RedactError(err))
	}
	req.Header = c.pushHeader()
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("client: push: %w", protocol.RedactError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("client: push: reading the answer: %w", protocol.RedactError(err))
	}
	if resp.StatusCode != http.StatusAccepted {
		return 0, c.newHTTPError("push", resp.StatusCode, resp.Header, data, sessionID)
	}
	pr, ok := protocol.ScanPushResponse(data)
	if !ok { // not the compact form: the long way, with its error
		if err := json.Unmarshal(data, &pr); err != nil {
			return 0, &ProtocolError{Op: "push", Reason: "202 body is not a push response: " + c.scrub(err.Error(), sessionID)}
		}
	}
	if pr.Seq == 0 {
		return 0, &ProtocolError{Op: "push", Reason: "202 body has no seq"}
	}
	if pr.Session != sessionID {
		return 0, &ProtocolError{Op: "push", Reason: "202 body names a different session"}
	}
	return pr.Seq, nil
}

// The credential headers' names as http.Header.Set would store them.
var (
	canonicalAccessToken = http.CanonicalHeaderKey(protocol.HeaderAccessToken)
	canonicalSecretKey   = http.CanonicalHeaderKey(protocol.HeaderSecretKey)
)

// pushHeader is a push's header: the extra headers, the credentials and
// the content type, in a map of its own (the transport may keep it).
func (c *Client) pushHeader() http.Header {
	if len(c.opts.Header) > 0 {
		h := c.header(false)
		h.Set("Content-Type", "application/json")
		return h
	}
	return http.Header{
		canonicalAccessToken: {c.creds.AccessToken},
		canonicalSecretKey:   {c.creds.SecretKey},
		"Content-Type":       {"application/json"},
	}
}

func encodeValue(value any) ([]byte, error) {
	switch v := value.(type) {
	case json.RawMessage:
		if !json.Valid(v) {
			return nil, fmt.Errorf("client: push: value is not valid JSON")
		}
		return v, nil
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("client: push: encoding the value: %w", err)
		}
		return b, nil
	}
}

// Join opens a session on target with default options. See (*Client).Join.
func Join(ctx context.Context, target string, creds protocol.Credentials, pattern string) (*Session, error) {
	c, err := New(target, creds, nil)
	if err != nil {
		return nil, err
	}
	return c.Join(ctx, pattern)
}

// Push pushes value into a session on target with default options. See
// (*Client).Push.
func Push(ctx context.Context, target string, creds protocol.Credentials, sessionID string, value any) (uint64, error) {
	c, err := New(target, creds, nil)
	if err != nil {
		return 0, err
	}
	return c.Push(ctx, sessionID, value)
}
