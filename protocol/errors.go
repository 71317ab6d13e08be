package protocol

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// ErrorCode is the machine-readable code of an error body (docs/protocol.md
// section 6).
type ErrorCode string

// Error codes of the join (section 3) and push (section 4) endpoints.
const (
	CodeMissingPattern       ErrorCode = "missing_pattern"
	CodeInvalidPattern       ErrorCode = "invalid_pattern"
	CodeUnauthorized         ErrorCode = "unauthorized"
	CodeForbidden            ErrorCode = "forbidden"
	CodeForbiddenOrigin      ErrorCode = "forbidden_origin"
	CodeMethodNotAllowed     ErrorCode = "method_not_allowed"
	CodeUpgradeRequired      ErrorCode = "upgrade_required"
	CodeTooManyConnections   ErrorCode = "too_many_connections"
	CodeUnavailable          ErrorCode = "unavailable"
	CodeMissingSession       ErrorCode = "missing_session"
	CodeInvalidBody          ErrorCode = "invalid_body"
	CodeSessionNotFound      ErrorCode = "session_not_found"
	CodePayloadTooLarge      ErrorCode = "payload_too_large"
	CodeUnsupportedMediaType ErrorCode = "unsupported_media_type"
	CodeSessionQueueFull     ErrorCode = "session_queue_full"
)

// Error codes of any request (section 6).
const (
	// CodeInternalError is a 500: an unexpected failure, on either
	// endpoint. A conformance check reports it as a failure of the
	// request that caused it, whatever that request was.
	CodeInternalError ErrorCode = "internal_error"
	// CodeNotFound is a 404 for a path that is neither endpoint.
	CodeNotFound ErrorCode = "not_found"
)

// ErrorCodes lists every error code the protocol defines: the bounded
// set a metric may take as a label value.
var ErrorCodes = []ErrorCode{
	CodeMissingPattern, CodeInvalidPattern, CodeUnauthorized, CodeForbidden, CodeForbiddenOrigin,
	CodeMethodNotAllowed, CodeUpgradeRequired, CodeTooManyConnections, CodeUnavailable,
	CodeMissingSession, CodeInvalidBody, CodeSessionNotFound, CodePayloadTooLarge,
	CodeUnsupportedMediaType, CodeSessionQueueFull, CodeInternalError, CodeNotFound,
}

// KnownErrorCode reports whether code is one the protocol defines.
func KnownErrorCode(code ErrorCode) bool {
	for _, c := range ErrorCodes {
		if c == code {
			return true
		}
	}
	return false
}

// ErrorBody is the body of every non-2xx, non-101 response:
// {"error":{"code":"...","message":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inner object of an ErrorBody.
type ErrorDetail struct {
	Code    ErrorCode `json:"code"`
	Message string    `json:"message"`
}

// NewErrorBody returns the JSON encoding of an error body.
func NewErrorBody(code ErrorCode, message string) []byte {
	b, err := json.Marshal(ErrorBody{Error: ErrorDetail{Code: code, Message: message}})
	if err != nil {
		// Marshalling two strings cannot fail; keep the body well formed anyway.
		return []byte(fmt.Sprintf(`{"error":{"code":%q,"message":"internal error"}}`, code))
	}
	return b
}

// ParseErrorBody decodes an error body and checks that it has a code.
func ParseErrorBody(data []byte) (ErrorBody, error) {
	var b ErrorBody
	if err := json.Unmarshal(data, &b); err != nil {
		return ErrorBody{}, fmt.Errorf("spec: error body is not JSON: %w", err)
	}
	if b.Error.Code == "" {
		return ErrorBody{}, fmt.Errorf("spec: error body has no error.code")
	}
	return b, nil
}

// PushResponse is the body of a 202 answer to a push.
type PushResponse struct {
	Session string `json:"session"`
	Seq     uint64 `json:"seq"`
}

// ScanPushResponse reads a 202's body in the compact form
// {"session":"ID","seq":N} (white space around it aside), as the mock
// writes it, without encoding/json. ok is false for any other form,
// which the caller decodes the long way.
func ScanPushResponse(data []byte) (r PushResponse, ok bool) {
	s := strings.TrimSpace(string(data))
	const head, mid = `{"session":"`, `","seq":`
	rest, found := strings.CutPrefix(s, head)
	if !found {
		return r, false
	}
	id, rest, found := strings.Cut(rest, mid)
	if !found || strings.ContainsAny(id, "\\\"") {
		return r, false
	}
	digits, found := strings.CutSuffix(rest, "}")
	if !found || digits == "" || digits[0] == '0' && len(digits) > 1 {
		return r, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return r, false
	}
	return PushResponse{Session: id, Seq: seq}, true
}
