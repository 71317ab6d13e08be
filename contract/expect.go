package contract

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// endpoint is one of the two endpoints of the API, found in the spec by
// path and method.
type endpoint struct {
	name   string // "join" or "push", for messages
	path   string
	method string
}

var (
	joinEP = endpoint{"join", protocol.JoinPath, http.MethodGet}
	pushEP = endpoint{"push", protocol.PushPath, http.MethodPost}
	// preflightEP is the CORS preflight of the push (docs/protocol.md §4.1).
	preflightEP = endpoint{"push preflight", protocol.PushPath, http.MethodOptions}
)

// expectation is an error answer a check expects: an endpoint and an
// error code. The status is not written here: it is the status under
// which the spec declares the code for the endpoint's operation (see
// runner.status), so a spec that moves a code moves the expectation.
type expectation struct {
	ep   endpoint
	code protocol.ErrorCode
}

// The expectations of every check, in one table.
var (
	expJoinUnauthorized     = expectation{joinEP, protocol.CodeUnauthorized}
	expJoinForbidden        = expectation{joinEP, protocol.CodeForbidden}
	expJoinMissingPattern   = expectation{joinEP, protocol.CodeMissingPattern}
	expJoinInvalidPattern   = expectation{joinEP, protocol.CodeInvalidPattern}
	expJoinMethod           = expectation{joinEP, protocol.CodeMethodNotAllowed}
	expJoinUpgradeRequired  = expectation{joinEP, protocol.CodeUpgradeRequired}
	expJoinTooMany          = expectation{joinEP, protocol.CodeTooManyConnections}
	expPushUnauthorized     = expectation{pushEP, protocol.CodeUnauthorized}
	expPushMissingSession   = expectation{pushEP, protocol.CodeMissingSession}
	expPushInvalidBody      = expectation{pushEP, protocol.CodeInvalidBody}
	expPushNotFound         = expectation{pushEP, protocol.CodeSessionNotFound}
	expPushMethod           = expectation{pushEP, protocol.CodeMethodNotAllowed}
	expPushTooLarge         = expectation{pushEP, protocol.CodePayloadTooLarge}
	expPushUnsupportedMedia = expectation{pushEP, protocol.CodeUnsupportedMediaType}
	expPushQueueFull        = expectation{pushEP, protocol.CodeSessionQueueFull}
	expJoinForbiddenOrigin  = expectation{joinEP, protocol.CodeForbiddenOrigin}
	expPreflightOrigin      = expectation{preflightEP, protocol.CodeForbiddenOrigin}
	expPreflightMethod      = expectation{preflightEP, protocol.CodeMethodNotAllowed}
)

// operation returns the spec's operation of an endpoint.
func (r *runner) operation(ep endpoint) (spec.Operation, error) {
	for _, op := range r.spec.Operations() {
		if op.Path == ep.path && op.Method == ep.method {
			return op, nil
		}
	}
	return spec.Operation{}, fmt.Errorf("the spec declares no %s %s operation", ep.method, ep.path)
}

// status returns the status that carries e's code on e's endpoint, as
// the spec declares it.
func (r *runner) status(e expectation) (int, error) {
	op, err := r.operation(e.ep)
	if err != nil {
		return 0, err
	}
	for _, st := range op.Statuses {
		if slices.Contains(r.spec.ErrorCodes(op.ID, st), e.code) {
			return st, nil
		}
	}
	return 0, fmt.Errorf("the spec declares no status with error code %s for %s", e.code, op.ID)
}

// success returns the status of a successful request to ep: the one 1xx
// or 2xx status its operation declares.
func (r *runner) success(ep endpoint) (int, error) {
	op, err := r.operation(ep)
	if err != nil {
		return 0, err
	}
	for _, st := range op.Statuses {
		if st < 300 {
			return st, nil
		}
	}
	return 0, fmt.Errorf("the spec declares no success status for %s", op.ID)
}
