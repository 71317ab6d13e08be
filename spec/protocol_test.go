package spec

import (
	"net/http"

	"github.com/wstrigger/wstrigger/protocol"
)

// The tables of docs/protocol.md sections 3 and 4, written out independently
// of the YAML documents so that tests can compare the two.

const (
	opJoin = "joinWebsocket"
	opPush = "pushToSession"
	// opPreflight is the CORS preflight of the push (section 4.1).
	opPreflight = "preflightPush"
)

type protocolRow struct {
	status int
	code   protocol.ErrorCode // empty for 101 and 202
}

var joinRows = []protocolRow{
	{http.StatusSwitchingProtocols, ""},
	{http.StatusBadRequest, protocol.CodeMissingPattern},
	{http.StatusBadRequest, protocol.CodeInvalidPattern},
	{http.StatusUnauthorized, protocol.CodeUnauthorized},
	{http.StatusForbidden, protocol.CodeForbidden},
	{http.StatusForbidden, protocol.CodeForbiddenOrigin},
	{http.StatusMethodNotAllowed, protocol.CodeMethodNotAllowed},
	{http.StatusUpgradeRequired, protocol.CodeUpgradeRequired},
	{http.StatusTooManyRequests, protocol.CodeTooManyConnections},
	{http.StatusServiceUnavailable, protocol.CodeUnavailable},
	{http.StatusInternalServerError, protocol.CodeInternalError}, // section 6
}

var pushRows = []protocolRow{
	{http.StatusAccepted, ""},
	{http.StatusBadRequest, protocol.CodeMissingSession},
	{http.StatusBadRequest, protocol.CodeInvalidBody},
	{http.StatusUnauthorized, protocol.CodeUnauthorized},
	{http.StatusNotFound, protocol.CodeSessionNotFound},
	{http.StatusMethodNotAllowed, protocol.CodeMethodNotAllowed},
	{http.StatusRequestEntityTooLarge, protocol.CodePayloadTooLarge},
	{http.StatusUnsupportedMediaType, protocol.CodeUnsupportedMediaType},
	{http.StatusTooManyRequests, protocol.CodeSessionQueueFull},
	{http.StatusInternalServerError, protocol.CodeInternalError}, // section 6
}

// preflightRows are the answers to OPTIONS on the push path (section
// 4.1): a preflight, a refused origin, and an OPTIONS request that is
// not a preflight.
var preflightRows = []protocolRow{
	{http.StatusNoContent, ""},
	{http.StatusForbidden, protocol.CodeForbiddenOrigin},
	{http.StatusMethodNotAllowed, protocol.CodeMethodNotAllowed},
	{http.StatusInternalServerError, protocol.CodeInternalError}, // section 6
}

// allCodes lists every ErrorCode constant of ../protocol/errors.go.
var allCodes = []protocol.ErrorCode{
	protocol.CodeMissingPattern, protocol.CodeInvalidPattern, protocol.CodeUnauthorized, protocol.CodeForbidden,
	protocol.CodeForbiddenOrigin, protocol.CodeMethodNotAllowed, protocol.CodeUpgradeRequired,
	protocol.CodeTooManyConnections, protocol.CodeUnavailable, protocol.CodeMissingSession,
	protocol.CodeInvalidBody, protocol.CodeSessionNotFound, protocol.CodePayloadTooLarge,
	protocol.CodeUnsupportedMediaType, protocol.CodeSessionQueueFull, protocol.CodeInternalError, protocol.CodeNotFound,
}

// Realistic values for requests and frames.
const (
	testToken   = "at_7Kq2Vd9LmX4pRt8Wz3Bn"
	testSecret  = "sk_Hc5Yw1Nf8Ge3Tj6Qa0Ls4Dv2"
	testSession = "jlnWtgFpOq4LcnYkiuP1Iqnr"
	testKey     = "twrjlmK0QjvHZdjJUk8VSQ=="
	testAccept  = "agfZx21mHiwHEId7hbauBmBgdWo="
)
