package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wstrigger/wstrigger/protocol"
)

// ErrClosed is returned by a Session's methods after Close.
var ErrClosed = errors.New("client: session closed")

// HTTPError is a join or push that the server answered with an HTTP error
// instead of an upgrade or a 202. Message is the server's text with any
// credential or session id replaced by "***".
type HTTPError struct {
	Op         string // "join" or "push"
	Status     int
	Code       protocol.ErrorCode // empty when the body was not an error body
	Message    string
	RetryAfter time.Duration // from a Retry-After header, when present
	Allow      string        // the Allow header of a 405
	// BodyError says why the body was not a valid error body, if it was not.
	BodyError string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("client: %s: server answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += fmt.Sprintf(" (%s: %s)", e.Code, e.Message)
	} else if e.BodyError != "" {
		s += " (" + e.BodyError + ")"
	}
	return s
}

// CloseError is the close frame that ended a session.
type CloseError struct {
	Code int    // websocket close code; 1006 when the connection dropped without one
	Text string // the close reason, scrubbed of credentials and session ids
}

func (e *CloseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("client: session closed by server with code %d", e.Code)
	}
	return fmt.Sprintf("client: session closed by server with code %d (%s)", e.Code, e.Text)
}

// ProtocolError is a server response or frame that breaks the protocol: a
// first frame that is not a session frame, a frame that is not JSON, a push
// answer without a seq, and the like.
type ProtocolError struct {
	Op     string
	Reason string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("client: %s: protocol violation: %s", e.Op, e.Reason)
}

// newHTTPError builds an HTTPError from an answer whose body has been read.
func (c *Client) newHTTPError(op string, status int, header http.Header, body []byte, sessionID string) *HTTPError {
	e := &HTTPError{Op: op, Status: status, Allow: header.Get("Allow")}
	if ra := header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	eb, err := protocol.ParseErrorBody(body)
	if err != nil {
		e.BodyError = c.scrub(err.Error(), sessionID)
		return e
	}
	e.Code = protocol.ErrorCode(c.scrub(string(eb.Error.Code), sessionID))
	e.Message = c.scrub(eb.Error.Message, sessionID)
	return e
}
