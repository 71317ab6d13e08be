package mockserver

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// flushers do the writing of the sessions that have something to send,
// a few goroutines for all of them, instead of one goroutine each: a
// session that frames are queued for joins the ready list, and a
// flusher takes the sessions in turn, writing each one's queued frames
// (and ping, if due) in one system call. Under a burst the list is long,
// and by the time a session's turn comes, several frames have gathered
// for it: the writes, and the client's reads, grow fewer as the load
// grows, with no timer delaying any frame.
//
// A flusher never waits on a client: it writes what the socket takes at
// once (corkConn.corkNoWait), and a session whose work would wait is
// handed to a goroutine of its own (writeLoop), as every session was
// before: a socket that did not take everything, a session closing, a
// fault that delays or closes frames, a connection another goroutine is
// writing to, or a connection that is not a socket. The session comes
// back to the ready list once that goroutine has emptied its queue and
// parked.
type flushers struct {
	mu      sync.Mutex
	ready   ring[*session]
	running int // flusher goroutines; each ends when the list is empty
	max     int

	handoffs atomic.Uint64 // turns whose write the socket did not take whole
}

// init sets the number of flushers to half the processors: the other
// half reads the sessions, matches events and answers pushes. On two
// cores, BenchmarkFanout at 5,000 sessions delivered 0.9–1.0 M frames/s
// with one flusher, 0.75–0.79 M with two and 0.63–0.74 M with four: fewer
// flushers go round the sessions more slowly, and more frames gather
// for each turn.
func (f *flushers) init() { f.max = max(1, runtime.GOMAXPROCS(0)/2) }

// schedule puts a session whose writer is marked running (see signal) on
// the ready list, starting a flusher if fewer than max are running.
func (s *Server) schedule(ss *session) {
	f := &s.flushers
	f.mu.Lock()
	f.ready.push(ss)
	start := f.running < f.max
	if start {
		f.running++
	}
	f.mu.Unlock()
	if start {
		// Counted in s.wg, which is not zero: ss's writer holds a count
		// until its teardown, and nothing schedules a session after it.
		s.wg.Add(1)
		go s.flush()
	}
}

// flush is a flusher goroutine: it takes turns until the list is empty.
func (s *Server) flush() {
	defer s.wg.Done()
	f := &s.flushers
	for {
		f.mu.Lock()
		ss, ok := f.ready.pop()
		if !ok {
			f.running--
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		ss.turn()
	}
}

// turn is a flusher's work for one session: the ping if due and the
// frames queued, gathered into one write of what the socket takes at
// once. The session goes back on the list if more is queued, parks if
// not, and goes to a goroutine of its own when its work would wait.
func (ss *session) turn() {
	if !ss.flushable() || !ss.nc.corkNoWait() {
		go ss.writeLoop(false)
		return
	}
	it, ok, closing := ss.pop()
	if closing { // nothing more to write: the close is the writer's
		_ = ss.nc.uncork()
		go ss.writeLoop(false)
		return
	}
	_, out0, _ := ss.nc.texts()
	ss.batch = ss.batch[:0]
	if now := time.Now(); !now.Before(ss.nextPing) {
		ss.ping(now)
	}
	var err error
	if ok {
		err = ss.gather(it)
	}
	if ferr := ss.nc.uncork(); ferr != nil {
		err = ferr
	}
	if errors.Is(err, errWouldBlock) {
		ss.srv.flushers.handoffs.Add(1)
		go ss.finishTurn(out0)
		return
	}
	ss.account(out0)
	if err != nil {
		ss.writeFailed(err)
	}
	ss.afterTurn()
}

// flushable reports whether a flusher may do the session's work: no
// fault delays or closes its frames.
func (ss *session) flushable() bool {
	f := ss.srv.faults.Load()
	if f.oneByOne() {
		return false
	}
	_, stalled := f.stalled(time.Now())
	return !stalled
}

// afterTurn decides what comes after a flusher's turn: a closing session
// goes to a goroutine of its own, which closes it; one with frames still
// queued goes back on the list; an idle one parks until its next ping.
func (ss *session) afterTurn() {
	ss.mu.Lock()
	closing, more := ss.closing, ss.q.len() > 0
	ss.mu.Unlock()
	switch {
	case closing:
		go ss.writeLoop(false)
	case more || !ss.park(time.Until(ss.nextPing)):
		ss.srv.schedule(ss)
	}
}

// finishTurn is the session's own goroutine, taking over a turn whose
// write the socket did not take whole: it writes the rest, waiting as
// long as the write deadline allows, and goes on as the session's writer
// until the queue is empty.
func (ss *session) finishTurn(out0 uint64) {
	err := ss.nc.flush()
	ss.account(out0)
	if err != nil {
		ss.writeFailed(err)
	}
	ss.writeLoop(false)
}
