package protocol

import (
	"net/http"
	"strings"
	"time"
)

// Paths of the two endpoints.
const (
	JoinPath = "/api/v1/websocket"
	PushPath = "/api/v1/websocket/session"
)

// Credential headers and query parameters (docs/protocol.md section 2).
const (
	HeaderAccessToken = "X-API-AccessToken"
	HeaderSecretKey   = "X-API-SecretKey"
	QueryAccessToken  = "accessToken"
	QuerySecretKey    = "secretKey"
	QueryPattern      = "pattern"
	QuerySession      = "session"
)

// Limits fixed by the protocol.
const (
	// MaxClientFrame is the largest client data frame a server accepts;
	// a larger one is closed with CloseMessageTooBig.
	MaxClientFrame = 4 << 10
	// MaxPushBody is the largest push body; a larger one gets 413.
	MaxPushBody = 64 << 10
	// MaxNesting is how many arrays or objects deep a pushed value or an
	// event may nest ([1] is 1 deep); a deeper push body gets 400
	// invalid_body.
	MaxNesting = 128
	// DefaultHeartbeat is the ping interval the mock announces.
	DefaultHeartbeat = 30 * time.Second
	// DefaultQueueSize is the mock's outbound queue per session, in frames.
	DefaultQueueSize = 1024
)

// WebSocket close codes the protocol declares (docs/protocol.md section 3.3).
const (
	CloseNormal        = 1000
	CloseGoingAway     = 1001
	ClosePolicy        = 1008
	CloseMessageTooBig = 1009
	CloseInternalError = 1011
	CloseSlowConsumer  = 4008
)

// CloseCodes lists every close code a conforming server may send.
var CloseCodes = []int{CloseNormal, CloseGoingAway, ClosePolicy, CloseMessageTooBig, CloseInternalError, CloseSlowConsumer}

// KnownCloseCode reports whether code is one the protocol declares.
func KnownCloseCode(code int) bool {
	for _, c := range CloseCodes {
		if c == code {
			return true
		}
	}
	return false
}

// HeaderHasToken reports whether the comma-separated header name holds
// token, compared case-insensitively, as the upgrade headers are read
// (Connection: keep-alive, Upgrade).
func HeaderHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
