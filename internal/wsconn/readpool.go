package wsconn

import (
	"slices"
	"sync"
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
// connection ended. The readers' stacks stay as they start, at the
// 2 KiB minimum (or at the runtime's starting size, the average of the
// stacks it last scanned, when that is larger), and the deep stacks are
// those of the few workers, each reused by one connection after
// another.
//
// A connection is read by one worker at a time, its reader waiting
// meanwhile, so its messages are handed on in order, one at a time, as
// when its reader read them itself. The workers are elastic: a hand-off
// goes to an idle worker, or, when none is idle, to a new one, so a
// worker held by a connection whose frame came only in part (a stalled
// or hostile server) never delays another connection. The worker that
// went idle last is the first to work again, so that the number of
// workers follows the connections read at once: one that stays idle for
// workerIdle, or finds maxIdleWorkers idle already, ends, and every
// idle worker ends as soon as no connection uses the workers, so that
// none outlives the connections.

// workerIdle is how long a read worker waits for the next connection
// before it ends (readPool.idleFor, when set, instead).
const workerIdle = time.Second

// maxIdleWorkers bounds the idle read workers: one that finishes a job
// with this many idle ends.
const maxIdleWorkers = 64

// readers is the read workers all connections share.
var readers readPool

type readPool struct {
	mu    sync.Mutex
	idle  []*readWorker // the last to go idle is the first to work again, so that the first ones time out when fewer are needed
	conns int           // connections whose reader uses the pool

	idleFor time.Duration // workerIdle, when 0; tests change it
}

// readWorker is an idle read worker's mailbox.
type readWorker struct {
	jobs chan readJob // buffered 1: one job, or a zero job to end
}

// readJob is one hand-off: read c until it is idle, then send why it
// ended (nil: it did not) on done; without done, c is read through the
// poller, and the worker registers it again or ends it (Conn.serve).
type readJob struct {
	c         *Conn
	onMessage func(MessageType, []byte) error
	done      chan<- error
}

// do does j.
func (j readJob) do() {
	if j.done == nil {
		j.c.serve()
		return
	}
	j.done <- j.c.drain(j.onMessage) // j.c is the reader's again
}

// join registers a connection whose reader is about to use the pool.
func (p *readPool) join() {
	p.mu.Lock()
	p.conns++
	p.mu.Unlock()
}

// leave unregisters a connection whose reader has had its last job
// done; the last one to leave ends the idle workers.
func (p *readPool) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns--; p.conns > 0 {
		return
	}
	for i, w := range p.idle {
		w.jobs <- readJob{}
		p.idle[i] = nil
	}
	p.idle = p.idle[:0]
}

// run hands j to the worker that went idle last, or to a new one when
// none is idle.
func (p *readPool) run(j readJob) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.jobs <- j
		return
	}
	p.mu.Unlock()
	go p.work(j)
}

// work is a read worker: it does j, then the jobs handed to it, until
// it has been idle for workerIdle, finds enough workers idle, or no
// connection uses the pool.
func (p *readPool) work(j readJob) {
	w := &readWorker{jobs: make(chan readJob, 1)}
	var timer *time.Timer
	for j.c != nil {
		j.do()
		idleFor, ok := p.park(w)
		if !ok {
			break
		}
		if timer == nil {
			timer = time.NewTimer(idleFor)
		} else {
			timer.Reset(idleFor)
		}
		select {
		case j = <-w.jobs:
		case <-timer.C:
			if p.unpark(w) {
				return
			}
			j = <-w.jobs // taken off the idle list meanwhile: a job is coming
		}
	}
	if timer != nil {
		timer.Stop()
	}
}

// park puts w on the idle list, for how long it returns, unless enough
// workers are idle or no connection uses the pool.
func (p *readPool) park(w *readWorker) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == 0 || len(p.idle) >= maxIdleWorkers {
		return 0, false
	}
	p.idle = append(p.idle, w)
	if p.idleFor > 0 {
		return p.idleFor, true
	}
	return workerIdle, true
}

// unpark takes w off the idle list; false when a hand-off already has.
func (p *readPool) unpark(w *readWorker) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := slices.Index(p.idle, w)
	if i < 0 {
		return false
	}
	p.idle = slices.Delete(p.idle, i, i+1)
	return true
}

// readPooled is the reader goroutine's loop with Options.ShallowPark:
// wait for the socket, have a worker take what came, again. A stream
// that stops parsing as frames (framedConn.framing) is read here, as
// without the option.
func (c *Conn) readPooled(onMessage func(MessageType, []byte) error) error {
	readers.join()
	defer readers.leave()
	var done chan error // made at the first hand-off: an idle connection holds none
	for c.framed.framing() {
		if c.framed.idle() {
			c.framed.wait()
		}
		if done == nil {
			done = make(chan error, 1)
		}
		readers.run(readJob{c: c, onMessage: onMessage, done: done})
		if err := <-done; err != nil {
			return err
		}
	}
	return c.readEach(onMessage)
}

// drain reads messages, on a read worker, until every byte read from
// the socket has been taken, or the stream stops parsing as frames. The
// socket was ready: when nothing is pending, it reads what came without
// waiting, and answers the pings (and hands on the pongs) that come
// between messages itself, so that the worker never waits in gorilla's
// read for the message after a ping.
func (c *Conn) drain(onMessage func(MessageType, []byte) error) error {
	if c.framed.idle() && !c.framed.fill() {
		return nil // nothing came
	}
	for {
		if err := c.framed.takeControl(c.ws.PingHandler(), c.ws.PongHandler()); err != nil {
			return err
		}
		if c.framed.idle() || !c.framed.framing() {
			return nil
		}
		if err := c.readOne(onMessage); err != nil {
			return err
		}
	}
}
