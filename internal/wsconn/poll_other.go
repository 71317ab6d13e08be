//go:build !linux

package wsconn

import (
	"errors"
	"sync/atomic"
)

// canPoll says that there is no poller here: a connection has a reader
// goroutine of its own.
const canPoll = false

var polls poller

type poller struct{ fallbacks atomic.Int64 }

type epoll struct{}

func (*poller) add(*Conn) error { return errors.ErrUnsupported }

func (c *Conn) serve() {}

func (c *Conn) unarm() bool { return false }

func setPollFault(func(op string) error) {}

var errLostWakeUp = errors.New("wsconn: a lost wake-up")
