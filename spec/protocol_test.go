package spec

import "net/http"

// The tables of PROTOCOL.md sections 3 and 4, written out independently
// of the YAML documents so that tests can compare the two.

const (
	opJoin = "joinWebsocket"
	opPush = "pushToSession"
)

type protocolRow struct {
	status int
	code   ErrorCode // empty for 101 and 202
}

var joinRows = []protocolRow{
	{http.StatusSwitchingProtocols, ""},
	{http.StatusBadRequest, CodeMissingPattern},
	{http.StatusBadRequest, CodeInvalidPattern},
	{http.StatusUnauthorized, CodeUnauthorized},
	{http.StatusForbidden, CodeForbidden},
	{http.StatusForbidden, CodeForbiddenOrigin},
	{http.StatusMethodNotAllowed, CodeMethodNotAllowed},
	{http.StatusUpgradeRequired, CodeUpgradeRequired},
	{http.StatusTooManyRequests, CodeTooManyConnections},
	{http.StatusServiceUnavailable, CodeUnavailable},
}

var pushRows = []protocolRow{
	{http.StatusAccepted, ""},
	{http.StatusBadRequest, CodeMissingSession},
	{http.StatusBadRequest, CodeInvalidBody},
	{http.StatusUnauthorized, CodeUnauthorized},
	{http.StatusNotFound, CodeSessionNotFound},
	{http.StatusMethodNotAllowed, CodeMethodNotAllowed},
	{http.StatusRequestEntityTooLarge, CodePayloadTooLarge},
	{http.StatusUnsupportedMediaType, CodeUnsupportedMediaType},
	{http.StatusTooManyRequests, CodeSessionQueueFull},
}

// allCodes lists every ErrorCode constant of errors.go.
var allCodes = []ErrorCode{
	CodeMissingPattern, CodeInvalidPattern, CodeUnauthorized, CodeForbidden,
	CodeForbiddenOrigin, CodeMethodNotAllowed, CodeUpgradeRequired,
	CodeTooManyConnections, CodeUnavailable, CodeMissingSession,
	CodeInvalidBody, CodeSessionNotFound, CodePayloadTooLarge,
	CodeUnsupportedMediaType, CodeSessionQueueFull,
}

// Realistic values for requests and frames.
const (
	testToken   = "at_7Kq2Vd9LmX4pRt8Wz3Bn"
	testSecret  = "sk_Hc5Yw1Nf8Ge3Tj6Qa0Ls4Dv2"
	testSession = "jlnWtgFpOq4LcnYkiuP1Iqnr"
	testKey     = "twrjlmK0QjvHZdjJUk8VSQ=="
	testAccept  = "agfZx21mHiwHEId7hbauBmBgdWo="
)
