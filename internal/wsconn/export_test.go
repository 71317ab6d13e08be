package wsconn

import "time"

// SetWorkerIdle sets how long an idle read worker waits before it ends,
// until the returned func restores the default.
func SetWorkerIdle(d time.Duration) (restore func()) {
	readers.mu.Lock()
	defer readers.mu.Unlock()
	readers.idleFor = d
	return func() { SetWorkerIdle(0) }
}

// MaxIdleWorkers is how many read workers may stay idle.
const MaxIdleWorkers = maxIdleWorkers

// Polls says that connections with Options.ShallowPark are read through
// the poller here, with no reader goroutine.
const Polls = canPoll

// PollFallbacks counts the connections the poller has left to a reader
// goroutine of their own after Start.
func PollFallbacks() int64 { return polls.fallbacks.Load() }

// SetPollFault has the poller take fault's error, when not nil, for its
// epoll_ctl calls ("add", "mod", "del") and epoll_wait ("epoll_wait"),
// until the returned func restores the system's.
func SetPollFault(fault func(op string) error) (restore func()) {
	setPollFault(fault)
	return func() { setPollFault(nil) }
}

// ErrLostWakeUp, from a poll fault for "epoll_wait", has the poller wait
// again without looking at its epoll set.
var ErrLostWakeUp = errLostWakeUp
