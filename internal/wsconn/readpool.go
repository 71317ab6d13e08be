package wsconn

import (
	"sync"
	"sync/atomic"
	"time"
)

// The read workers. Gorilla's read, the frame decode and onMessage run
// some twenty frames deep and grow a goroutine's stack to 4 KiB or more,
// and the garbage collector shrinks a stack only while its goroutine
// uses little of it. With Options.ShallowPark a connection's reader
// goroutine therefore never reads: it waits for the socket to become
// readable (framedConn.wait), hands the connection to a read worker and
// waits, a channel receive deep, for the worker to say that it has
// taken every message that had come (framedConn.idle) or why the
// connection ended. The readers' stacks stay at the 2 KiB minimum, and
// the deep stacks are those of the few workers, each reused by one
// connection after another.
//
// A connection is read by one worker at a time, its reader waiting
// meanwhile, so its messages are handed on in order, one at a time, as
// when its reader read them itself. The workers are elastic: a hand-off
// goes to an idle worker, or, when none is idle, to a new one, so a
// worker held by a connection whose frame came only in part (a stalled
// or hostile server) never delays another connection. A worker that
// stays idle for workerIdle, or finds maxIdleWorkers idle already, ends,
// and every idle worker ends as soon as no connection uses the workers,
// so that none outlives the connections.

// workerIdle is how long a read worker waits for the next connection
// before it ends.
const workerIdle = time.Second

// maxIdleWorkers bounds the idle read workers: one that finishes a job
// with this many idle ends.
const maxIdleWorkers = 64

// readers is the read workers all connections share.
var readers readPool

type readPool struct {
	jobs chan readJob // unbuffered: a send succeeds only into an idle worker
	idle atomic.Int32 // workers waiting on jobs

	mu    sync.Mutex
	conns int                           // connections whose reader uses the pool
	quit  atomic.Pointer[chan struct{}] // closed when conns falls to zero
}

// readJob is one hand-off: read c until it is idle, then send why it
// ended (nil: it did not) on done.
type readJob struct {
	c         *Conn
	onMessage func(MessageType, []byte) error
	done      chan<- error
}

// join registers a connection whose reader is about to use the pool.
func (p *readPool) join() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.jobs == nil {
		p.jobs = make(chan readJob)
	}
	if p.conns == 0 {
		quit := make(chan struct{})
		p.quit.Store(&quit)
	}
	p.conns++
}

// leave unregisters a connection whose reader has had its last job
// done; the last one to leave ends the idle workers.
func (p *readPool) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns--; p.conns == 0 {
		close(*p.quit.Load())
	}
}

// run hands j to an idle worker, or to a new one when none is idle.
func (p *readPool) run(j readJob) {
	select {
	case p.jobs <- j:
	default:
		go p.work(j)
	}
}

// work is a read worker: it does j, then the jobs handed to it, until
// it has been idle for workerIdle, finds enough workers idle, or no
// connection uses the pool.
func (p *readPool) work(j readJob) {
	var timer *time.Timer
	for {
		j.done <- j.c.drain(j.onMessage) // j.c is the reader's again
		if p.idle.Add(1) > maxIdleWorkers {
			p.idle.Add(-1)
			return
		}
		if timer == nil {
			timer = time.NewTimer(workerIdle)
		} else {
			timer.Reset(workerIdle)
		}
		quit := *p.quit.Load()
		var ok bool
		select {
		case j, ok = <-p.jobs:
		case <-timer.C:
		case <-quit:
		}
		p.idle.Add(-1)
		if !ok {
			timer.Stop()
			return
		}
	}
}

// readPooled is the reader goroutine's loop with Options.ShallowPark:
// wait for the socket, have a worker take what came, again. A stream
// that stops parsing as frames (framedConn.framing) is read here, as
// without the option.
func (c *Conn) readPooled(onMessage func(MessageType, []byte) error) error {
	readers.join()
	defer readers.leave()
	done := make(chan error, 1)
	for c.framed.framing() {
		if c.framed.idle() {
			c.framed.wait()
		}
		readers.run(readJob{c: c, onMessage: onMessage, done: done})
		if err := <-done; err != nil {
			return err
		}
	}
	return c.readEach(onMessage)
}

// drain reads messages, on a read worker, until every byte read from
// the socket has been taken, or the stream stops parsing as frames.
func (c *Conn) drain(onMessage func(MessageType, []byte) error) error {
	for {
		if err := c.readOne(onMessage); err != nil {
			return err
		}
		if c.framed.idle() || !c.framed.framing() {
			return nil
		}
	}
}
