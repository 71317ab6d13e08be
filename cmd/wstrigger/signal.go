package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// exitInterrupted is the exit status of a command stopped by Ctrl-C
// (SIGINT) or SIGTERM, whichever it was: 128 + 2, the shell's status
// of a command killed by SIGINT. A command that was interrupted writes
// what it has, marked interrupted, and exits with it; a second signal
// exits with it at once.
const exitInterrupted = 130

// lastWords is what a command writes when a second signal quits it at
// once: the command sets it while it has something to write (a load
// run's figures so far), and the signal watcher says it before exiting.
type lastWords struct {
	mu  sync.Mutex
	say func()
}

// set makes f the last words (nil: none). A nil *lastWords (a command
// run in-process, in tests) takes nothing.
func (l *lastWords) set(f func()) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.say = f
	l.mu.Unlock()
}

// exitWith returns exit preceded by the last words, if any.
func (l *lastWords) exitWith(exit func(int)) func(int) {
	return func(code int) {
		l.mu.Lock()
		say := l.say
		l.mu.Unlock()
		if say != nil {
			say()
		}
		exit(code)
	}
}

// notifyInterrupt returns a context that the first SIGINT or SIGTERM
// cancels, so that the command stops and writes what it has; the second
// calls exit(exitInterrupted) at once, even if the command is stuck on a
// frozen target. stop stops listening, ignores later signals (main
// exits next) and releases the context.
func notifyInterrupt(w io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, done := watchSignals(context.Background(), sigs, w, exit)
	return ctx, func() {
		// The process exits next with its own status: a signal from now
		// on is ignored, not turned back into the default that kills the
		// process (a second Ctrl-C racing that exit read as status -1,
		// killed by SIGINT, instead of 130).
		signal.Ignore(os.Interrupt, syscall.SIGTERM)
		signal.Stop(sigs)
		done()
	}
}

// watchSignals cancels the returned context on the first value of sigs
// and calls exit(exitInterrupted) on the second, saying so on w. done
// stops the watch and waits for it to end.
func watchSignals(parent context.Context, sigs <-chan os.Signal, w io.Writer, exit func(int)) (ctx context.Context, done func()) {
	ctx, cancel := context.WithCancel(parent)
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		seen := 0
		for {
			select {
			case sig := <-sigs:
				seen++
				if seen == 1 {
					fmt.Fprintf(w, "\nwstrigger: %s: stopping and writing what was done (status %d); press Ctrl-C again to quit at once\n", signalName(sig), exitInterrupted)
					cancel()
					continue
				}
				fmt.Fprintf(w, "wstrigger: %s again: quitting at once (status %d)\n", signalName(sig), exitInterrupted)
				exit(exitInterrupted)
				return
			case <-quit:
				return
			}
		}
	}()
	return ctx, func() {
		close(quit)
		<-ended
		cancel()
	}
}

// signalName names a signal as people know it.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "interrupted (SIGINT)"
	case syscall.SIGTERM:
		return "terminated (SIGTERM)"
	}
	return sig.String()
}
