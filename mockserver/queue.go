package mockserver

import "time"

// Frame kinds of a queued item.
const (
	kindTrigger uint8 = iota + 1
	kindPush
)

// item is one queued frame: the shared event bytes (or the pushed value)
// and the frame's seq. The frame text is built by the writer, so an event
// is encoded once however many sessions it goes to.
type item struct {
	data []byte // event or push data; shared, never modified
	seq  uint64
	at   time.Duration // when queued, as time since Server.epoch (monotonic)
	kind uint8
}

// ring is a FIFO that grows on demand and lets go of its memory when it
// empties, so an idle session holds no queue at all. Sessions queue
// their frames in one (ring[item]), and the flushers take sessions ready
// to write from another (ring[*session]).
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

// shrinkAbove is the capacity over which an emptied ring frees its buffer.
const shrinkAbove = 32

func (q *ring[T]) len() int { return q.n }

func (q *ring[T]) push(it T) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = it
	q.n++
}

func (q *ring[T]) grow() {
	buf := make([]T, max(8, 2*len(q.buf)))
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

func (q *ring[T]) pop() (T, bool) {
	var zero T
	if q.n == 0 {
		return zero, false
	}
	it := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if q.n == 0 {
		q.head = 0
		if len(q.buf) > shrinkAbove {
			q.buf = nil
		}
	}
	return it, true
}

// front is the first item, if any, without taking it.
func (q *ring[T]) front() (T, bool) {
	if q.n == 0 {
		var zero T
		return zero, false
	}
	return q.buf[q.head], true
}

// clear empties the ring and returns how many items it held.
func (q *ring[T]) clear() int {
	n := q.n
	q.buf, q.head, q.n = nil, 0, 0
	return n
}
