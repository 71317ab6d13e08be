//go:build !unix

package wsconn

// wait does nothing where the socket cannot be peeked at: the reader
// parks in gorilla's read, as without Options.ShallowPark.
func (f *framedConn) wait() {}

// canWait says that wait does not wait here: the reader reads as
// without Options.ShallowPark.
const canWait = false

// fill reads nothing where the socket cannot be read without waiting;
// it is not called here (canWait).
func (f *framedConn) fill() bool { return !f.idle() }
