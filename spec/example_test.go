package spec_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

func ExampleSpec_Operations() {
	s, err := spec.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range s.Operations() {
		fmt.Println(op.Method, op.Path, op.ID, op.Statuses)
	}
	fmt.Println(s.ErrorCodes("joinWebsocket", http.StatusForbidden))
	fmt.Println(s.MessageTypes())
	// Output:
	// GET /api/v1/websocket joinWebsocket [101 400 401 403 405 426 429 500 503]
	// OPTIONS /api/v1/websocket/session preflightPush [204 403 405 500]
	// POST /api/v1/websocket/session pushToSession [202 400 401 404 405 413 415 429 500]
	// [forbidden forbidden_origin]
	// [push session trigger]
}

func ExampleSpec_ValidateFrame() {
	s, err := spec.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := protocol.AppendPushFrame(nil, 7, []byte(`{"ticket":"CRM-48213","owner":"Jonas Weber"}`))
	fmt.Println(s.ValidateFrame(frame))

	err = s.ValidateFrame([]byte(`{"type":"session","session":"jlnWtgFpOq4LcnYkiuP1Iqnr.","pattern":{}}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, spec.ErrSchema))
	// Output:
	// <nil>
	// spec: session frame: frame/heartbeat: property "heartbeat" is missing; frame/session: string doesn't match the regular expression "^[A-Za-z0-9_-]{22,64}$"
	// true
}

func ExampleSpec_ValidateResponse() {
	s, err := spec.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/api/v1/websocket/session?session=jlnWtgFpOq4LcnYkiuP1Iqnr", nil)
	header := http.Header{"Content-Type": {"application/json"}}
	body := protocol.NewErrorBody(protocol.CodeSessionQueueFull, "the session's outbound queue is full")

	err = s.ValidateResponse(context.Background(), req, http.StatusTooManyRequests, header, body)
	fmt.Println(err)

	header.Set("Retry-After", "5")
	fmt.Println(s.ValidateResponse(context.Background(), req, http.StatusTooManyRequests, header, body))
	// Output:
	// spec: response 429 to POST /api/v1/websocket/session: header Retry-After: required but missing
	// <nil>
}
