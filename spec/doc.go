// Package spec is the websocket trigger API as data: the embedded OpenAPI
// and AsyncAPI documents that describe it (docs/protocol.md is their source of
// truth) and validators that check real traffic against the documents. The
// Go types of its frames, events and error bodies are package protocol.
//
// The two documents share one set of schemas: openapi.yaml holds them in
// components/schemas, and the message payloads of asyncapi.yaml refer to
// them ("./openapi.yaml#/components/schemas/SessionFrame"). Load resolves
// those references to the same kin-openapi schemas that validate HTTP
// bodies, so a frame and a response are checked by one definition.
//
// A contract suite derives its expectations from the documents through
// Operations, ErrorCodes, MessageTypes and CloseCodes, and checks what it
// sees with ValidateResponse, ValidateRequest and ValidateFrame:
//
//	s, err := spec.Default() // or spec.Load(os.DirFS(dir)) for --spec DIR
//	if err != nil {
//		return err
//	}
//	for _, op := range s.Operations() {
//		for _, status := range op.Statuses {
//			codes := s.ErrorCodes(op.ID, status) // what this status may carry
//			_ = codes
//		}
//	}
//	if err := s.ValidateResponse(ctx, resp.Request, resp.StatusCode, resp.Header, body); err != nil {
//		var verr *spec.ValidationError
//		errors.As(err, &verr) // verr.Issues says what and where
//	}
//	if err := s.ValidateFrame(frame); errors.Is(err, spec.ErrUndeclared) {
//		// a frame type the AsyncAPI document does not declare
//	}
//
// Errors of this package never contain a credential or a session id; use
// protocol.RedactURL, RedactHeader and RedactError to keep them out of your
// own messages too.
//
// The sub-package pattern holds the pattern language of docs/protocol.md
// section 5.
//
// # Concurrency
//
// A *Spec is immutable after Load: all its methods may be called from any
// number of goroutines at once. Default loads the embedded documents once
// and returns the same *Spec to every caller. The document returned by
// (*Spec).OpenAPI is shared and must not be modified.
package spec
