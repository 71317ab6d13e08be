//go:build linux

package wsconn

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The poller. With Options.ShallowPark on Linux, no goroutine waits for a
// connection's socket: the socket is registered, one-shot, with an epoll
// instance of the package's own, whose descriptor waits in Go's network
// poller like any socket. One goroutine (epoll.loop) takes the sockets
// that became readable and hands each to a read worker (readPool), which
// reads what came (Conn.serve) and registers the socket again. Between
// bursts a connection costs its memory and nothing else: no stack. A
// socket is registered with EPOLLONESHOT, so it is reported once until
// it is registered again, and one worker at a time reads it, in order.
//
// A connection is armed (registered and waiting), or held (a worker, Start
// or Close has it), under Conn.mu. A socket is closed only by Close or by
// a worker that reads it; Close closes it first and then, if it was armed
// (so that no event will come: a closed descriptor leaves the epoll set),
// hands it to a worker, whose read meets the close as a reader's did.
// Registering goes through the socket's RawConn.Control, which fails once
// the socket is closing, so that a descriptor number another socket has
// taken since is never touched.

// canPoll says that connections are read through the poller here.
const canPoll = true

// pollEvents are what a socket is registered for: readable, or closed by
// the peer, once.
const pollEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

// polls is the poller all connections share.
var polls poller

type poller struct {
	mu    sync.Mutex
	ep    *epoll // nil while no connection is registered
	token uint64 // the last token given

	fallbacks atomic.Int64 // connections left to a reader goroutine of their own after Start; tests read it
}

// epoll is one epoll instance and the connections registered with it; it
// is closed, and its loop ends, when the last of them ends.
type epoll struct {
	fd     int
	file   *os.File         // fd, in Go's network poller
	conns  map[uint64]*Conn // by their token, the epoll data of their socket; under polls.mu
	closed bool             // under polls.mu
	lost   atomic.Bool      // its loop failed: a connection armed now would never be reported
}

// rescan is how often the loop looks at the epoll set although Go's
// poller has not reported it readable: a wake-up lost on the way from
// the set to Go's poller (older kernels lost some in nested epoll) then
// costs at most this long, not a connection.
const rescan = time.Second

// pollFault, when set (tests), is asked before each epoll_ctl and
// epoll_wait, and its error is taken for the call's.
var pollFault atomic.Pointer[func(op string) error]

// errLostWakeUp, from pollFault for epoll_wait, has the loop wait again
// without looking at the set, as when the kernel loses the wake-up of
// what is in it.
var errLostWakeUp = errors.New("wsconn: a lost wake-up")

// faulted is pollFault's error for op, if it is set.
func faulted(op string) error {
	if f := pollFault.Load(); f != nil {
		return (*f)(op)
	}
	return nil
}

// add registers c's socket, armed, or has a worker read it at once when
// bytes of a message are already pending (read with the session frame).
// An error (the system's: no epoll here, too many descriptors) leaves c
// unregistered, for a reader goroutine of its own.
func (p *poller) add(c *Conn) error {
	p.mu.Lock()
	if p.ep == nil {
		ep, err := newEpoll()
		if err != nil {
			p.mu.Unlock()
			return err
		}
		p.ep = ep
		go ep.loop()
	}
	p.token++
	c.ep, c.token = p.ep, p.token
	p.ep.conns[c.token] = c
	p.mu.Unlock()

	// Registered, the socket may be reported at once: the report is
	// taken only once c is armed (woken), and a worker re-arms it.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ep.lost.Load() { // the set failed since: a new one is made for the next
		p.remove(c)
		return errLost
	}
	closed, err := c.ctl(syscall.EPOLL_CTL_ADD)
	switch {
	case err != nil:
		p.remove(c)
		return err
	case closed || !c.framed.idle(): // Close has begun, or bytes wait: a worker reads
		readers.run(readJob{c: c})
	default:
		c.armed = true
	}
	return nil
}

// serve reads c on a read worker: all that came, then it registers the
// socket again, or ends c. A stream that stops parsing as frames, or a
// socket the poller cannot take again, is read to its end by a reader
// goroutine of its own, as without the poller.
func (c *Conn) serve() {
	for {
		if err := c.drain(c.onMessage); err != nil {
			c.finish(err)
			return
		}
		if !c.framed.framing() {
			polls.fallbacks.Add(1)
			go func() { c.finish(c.readEach(c.onMessage)) }()
			return
		}
		armed, err := c.rearm()
		if err != nil {
			polls.fallbacks.Add(1)
			go func() { c.finish(c.readPooled(c.onMessage)) }()
			return
		}
		if armed {
			return
		}
		// The socket is closing: the next drain meets it.
	}
}

// finish ends c, read through the poller, with err.
func (c *Conn) finish(err error) {
	polls.remove(c)
	readers.leave()
	c.end(err)
}

// remove unregisters c, which has ended; the last connection closes the
// epoll instance.
func (p *poller) remove(c *Conn) {
	_, _ = c.ctl(syscall.EPOLL_CTL_DEL) // when the socket is still open
	p.mu.Lock()
	defer p.mu.Unlock()
	ep := c.ep
	delete(ep.conns, c.token)
	c.ep = nil
	if len(ep.conns) == 0 {
		if p.ep == ep {
			p.ep = nil
		}
		ep.close()
	}
}

// close closes the set, under polls.mu: its loop, if it runs, ends.
func (ep *epoll) close() {
	if !ep.closed {
		ep.closed = true
		_ = ep.file.Close()
	}
}

func newEpoll() (*epoll, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		_ = syscall.Close(fd)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	// A non-blocking descriptor joins Go's network poller: the loop
	// waits there, holding no thread. os.NewFile says nothing when it
	// cannot join (the system's limit on epoll watches reached, say); a
	// file outside the poller has no deadlines.
	file := os.NewFile(uintptr(fd), "wsconn-epoll")
	if err := file.SetReadDeadline(time.Time{}); err != nil {
		_ = file.Close()
		return nil, fmt.Errorf("the epoll set cannot wait in Go's poller: %w", err)
	}
	return &epoll{fd: fd, file: file, conns: map[uint64]*Conn{}}, nil
}

// loop hands the sockets that became readable to read workers, until
// the instance is closed. Should the set fail (an error from epoll_wait),
// it gives every connection registered there a reader goroutine of its
// own (lose).
func (ep *epoll) loop() {
	rc, err := ep.file.SyscallConn()
	if err != nil {
		ep.lose()
		return
	}
	events := make([]syscall.EpollEvent, 256)
	var ready []*Conn
	n, werr := 0, error(nil)
	wait := func(fd uintptr) bool {
		for {
			if werr = faulted("epoll_wait"); werr != nil {
				if werr == errLostWakeUp { // as if Go's poller had woken the loop for nothing
					n, werr = 0, nil
					return false
				}
				return true
			}
			n, werr = syscall.EpollWait(int(fd), events, 0)
			if werr != syscall.EINTR {
				return n != 0 || werr != nil
			}
		}
	}
	for {
		_ = ep.file.SetReadDeadline(time.Now().Add(rescan))
		err := rc.Read(wait)
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			continue // look again
		case err != nil || werr != nil:
			polls.mu.Lock()
			closed := ep.closed
			polls.mu.Unlock()
			if !closed {
				ep.lose()
			}
			return
		}
		ready = ready[:0]
		polls.mu.Lock()
		for _, e := range events[:n] {
			if c := ep.conns[uint64(uint32(e.Fd))|uint64(uint32(e.Pad))<<32]; c != nil {
				ready = append(ready, c)
			}
		}
		polls.mu.Unlock()
		for i, c := range ready {
			c.woken()
			ready[i] = nil
		}
	}
}

// lose gives the connections of a set that failed to reader goroutines
// of their own: those armed now, and, through rearm, those a worker
// holds.
func (ep *epoll) lose() {
	ep.lost.Store(true)
	polls.mu.Lock()
	if polls.ep == ep {
		polls.ep = nil // the next connection gets a new set
	}
	conns := slices.Collect(maps.Values(ep.conns))
	if len(conns) == 0 {
		ep.close()
	}
	polls.mu.Unlock()
	for _, c := range conns {
		if c.unarm() {
			polls.fallbacks.Add(1)
			go func() { c.finish(c.readPooled(c.onMessage)) }()
		}
	}
}

// ctl registers c's socket (op EPOLL_CTL_ADD), arms it again
// (EPOLL_CTL_MOD) or unregisters it (EPOLL_CTL_DEL); closed when the
// socket is closing, so that nothing was done.
func (c *Conn) ctl(op int) (closed bool, err error) {
	ev := syscall.EpollEvent{Events: pollEvents, Fd: int32(uint32(c.token)), Pad: int32(uint32(c.token >> 32))}
	cerr := c.framed.rc.Control(func(fd uintptr) {
		if pollFault.Load() != nil {
			if err = faulted(ctlNames[op]); err != nil {
				return
			}
		}
		err = syscall.EpollCtl(c.ep.fd, op, int(fd), &ev)
	})
	if cerr != nil {
		return true, nil
	}
	if err != nil {
		return false, os.NewSyscallError("epoll_ctl", err)
	}
	return false, nil
}

// ctlNames name epoll_ctl's operations for pollFault.
var ctlNames = map[int]string{syscall.EPOLL_CTL_ADD: "add", syscall.EPOLL_CTL_MOD: "mod", syscall.EPOLL_CTL_DEL: "del"}

// woken is the poller's: c's socket became readable.
func (c *Conn) woken() {
	c.mu.Lock()
	armed := c.armed
	c.armed = false
	c.mu.Unlock()
	if armed {
		readers.run(readJob{c: c})
	}
}

// rearm registers c's socket again, on the worker that has read all that
// came; false when the socket is closing, so that the worker reads again
// and meets the close.
func (c *Conn) rearm() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ep.lost.Load() {
		return false, errLost
	}
	closed, err := c.ctl(syscall.EPOLL_CTL_MOD)
	if closed || err != nil {
		return false, err
	}
	c.armed = true
	return true, nil
}

// errLost is rearm's error when the set's loop has failed.
var errLost = errors.New("wsconn: the poller's epoll set failed")

// unarm takes c from the poller, when Close has closed its socket or
// the set has failed; true when it was armed, so that the caller has it
// read (by a worker, or a reader goroutine).
func (c *Conn) unarm() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	armed := c.armed
	c.armed = false
	return armed
}

// setPollFault sets pollFault (nil: none).
func setPollFault(fault func(op string) error) {
	if fault == nil {
		pollFault.Store(nil)
		return
	}
	pollFault.Store(&fault)
}
