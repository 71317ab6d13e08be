// Package protocol is the websocket trigger API as Go: the endpoints,
// credential names, limits and close codes of docs/protocol.md; the frames,
// events, error bodies and recording lines with their encoders and
// decoders; credentials and the redaction that keeps them, and session
// ids, out of every error, log line and report.
//
// Every other package of wstrigger imports it, and it imports nothing but
// the standard library: a client, a driver or a mock links no OpenAPI or
// websocket code through it. The documents that describe the same API, and
// the validators that check traffic against them, are package spec.
//
//	f, err := protocol.DecodeFrame(data)
//	if err != nil {
//		return err // a *protocol.FrameError says what is wrong, never a secret
//	}
//	switch f.Type {
//	case protocol.FrameTrigger:
//		// f.Seq, f.Event
//	}
//
// # Concurrency
//
// The encoders, decoders and redaction functions keep no state and may be
// called from any goroutine. A RecordingWriter is for one goroutine at a
// time.
package protocol
