//go:build !unix

package mockserver

import "net"

// tryWriter returns nil: without a write that never waits, every
// session has a writer goroutine of its own (see flushers).
func tryWriter(net.Conn) func([]byte) (int, error) { return nil }
