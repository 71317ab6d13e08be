//go:build linux

package wsconn

import (
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// The poller. With Options.ShallowPark on Linux, no goroutine waits for a
// connection's socket: the socket is registered, one-shot, with an epoll
// instance of the package's own, whose descriptor waits in Go's network
// poller like any socket. One goroutine (poller.loop) takes the sockets
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
	fd    int
	file  *os.File         // fd, in Go's network poller
	conns map[uint64]*Conn // by their token, the epoll data of their socket
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
	delete(c.ep.conns, c.token)
	if len(c.ep.conns) == 0 && p.ep == c.ep {
		_ = p.ep.file.Close() // the loop ends
		p.ep = nil
	}
	c.ep = nil
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
	// waits there, holding no thread.
	return &epoll{fd: fd, file: os.NewFile(uintptr(fd), "wsconn-epoll"), conns: map[uint64]*Conn{}}, nil
}

// loop hands the sockets that became readable to read workers, until
// the instance is closed.
func (ep *epoll) loop() {
	rc, err := ep.file.SyscallConn()
	if err != nil {
		return
	}
	events := make([]syscall.EpollEvent, 256)
	var ready []*Conn
	n := 0
	wait := func(fd uintptr) bool {
		for {
			var err error
			n, err = syscall.EpollWait(int(fd), events, 0)
			if err != syscall.EINTR {
				return n != 0 || err != nil
			}
		}
	}
	for rc.Read(wait) == nil && n >= 0 {
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

// ctl registers c's socket (op EPOLL_CTL_ADD), arms it again
// (EPOLL_CTL_MOD) or unregisters it (EPOLL_CTL_DEL); closed when the
// socket is closing, so that nothing was done.
func (c *Conn) ctl(op int) (closed bool, err error) {
	ev := syscall.EpollEvent{Events: pollEvents, Fd: int32(uint32(c.token)), Pad: int32(uint32(c.token >> 32))}
	cerr := c.framed.rc.Control(func(fd uintptr) {
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
	closed, err := c.ctl(syscall.EPOLL_CTL_MOD)
	if closed || err != nil {
		return false, err
	}
	c.armed = true
	return true, nil
}

// unarm takes c from the poller when Close has closed its socket; true
// when it was armed, so that the caller hands it to a worker.
func (c *Conn) unarm() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	armed := c.armed
	c.armed = false
	return armed
}
