package load

import (
	"context"
	"math/rand/v2"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/wstrigger/wstrigger/loadresult"
)

// job is one push due: its number in the schedule and its intended send
// time.
type job struct {
	n        uint64
	intended time.Time
}

// setPushPhase enters the phase the pushes start in.
func (d *Driver) setPushPhase() {
	switch {
	case d.opts.Idle:
		d.live.setPhase(loadresult.PhaseHolding)
	case d.opts.Warmup > 0:
		d.live.setPhase(loadresult.PhaseWarmup)
	default:
		d.live.setPhase(loadresult.PhasePushing)
	}
}

// pushAll runs the pacer and the workers until the schedule is done and
// every push has had its answer, or ctx is done.
func (d *Driver) pushAll(ctx context.Context) {
	if d.opts.Idle {
		sleepUntil(ctx, d.now, d.pushStart.Add(d.led.sched.Duration()))
		return
	}
	jobs := make(chan job, d.opts.Workers)
	var g errgroup.Group
	for w := range d.opts.Workers {
		g.Go(func() error { d.worker(ctx, w, jobs); return nil })
	}
	d.pace(ctx, jobs)
	_ = g.Wait()
}

// pace hands each push to the workers at its due time. It never waits
// for an answer; when every worker is busy it waits for the first free
// one and then hands over the overdue pushes at once, each keeping its
// intended time, so that their latency counts from when they were due.
func (d *Driver) pace(ctx context.Context, jobs chan<- job) {
	defer close(jobs)
	warm := d.opts.Warmup > 0
	for n := uint64(0); ctx.Err() == nil; n++ { // select below may pick a job over a done ctx
		elapsed := d.now().Sub(d.pushStart)
		if warm && elapsed >= d.opts.Warmup {
			warm = false
			d.live.setPhase(loadresult.PhasePushing)
		}
		wait, stop := d.led.sched.Pace(elapsed, n)
		if stop {
			// Hold the subscriptions to the end of the schedule, which
			// may end with a stage that pushes nothing.
			sleepUntil(ctx, d.now, d.pushStart.Add(d.led.sched.Duration()))
			return
		}
		due, _ := d.led.sched.Due(n)
		if wait > 0 && !sleepUntil(ctx, d.now, d.now().Add(wait)) {
			return
		}
		select {
		case jobs <- job{n: n, intended: d.pushStart.Add(due)}:
			d.live.dispatched.Add(1)
		case <-ctx.Done():
			return
		}
	}
}

// picker chooses the subscription of each push.
type picker struct {
	n    int
	rng  *rand.Rand
	zipf *rand.Zipf
}

func newPicker(n int, skew Skew, seed uint64) picker {
	p := picker{n: n, rng: rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))}
	if skew.S > 1 && n > 1 {
		p.zipf = rand.NewZipf(p.rng, skew.S, 1, uint64(n-1))
	}
	return p
}

func (p *picker) pick() int {
	if p.zipf != nil {
		return int(p.zipf.Uint64())
	}
	return p.rng.IntN(p.n)
}

// worker sends the pushes it is handed, one at a time.
func (d *Driver) worker(ctx context.Context, w int, jobs <-chan job) {
	n := len(d.joins.subs)
	if n == 0 {
		for j := range jobs {
			d.led.unsent(j.n)
		}
		return
	}
	p := newPicker(n, d.opts.Skew, uint64(w))
	for j := range jobs {
		d.send(ctx, w, j, p.pick())
	}
}

// send makes one push and records its fate.
func (d *Driver) send(ctx context.Context, w int, j job, i int) {
	s, c := d.joins.openSub(i)
	if c == nil {
		d.led.unsent(j.n)
		return
	}
	sentAt := d.now()
	d.led.sending(j.n, j.intended, sentAt)
	h := header{ID: d.led.id(j.n), Sub: s.idx, Intended: j.intended.UnixNano(), Sent: sentAt.UnixNano()}
	// a body of its own: the transport may still be writing it when the
	// answer has come (an early refusal)
	body := appendPayload(make([]byte, 0, max(d.opts.PayloadSize, 96)), h, d.opts.PayloadSize)
	pctx, cancel := context.WithTimeout(ctx, d.opts.PushTimeout)
	_, err := d.cl.PushBytes(pctx, c.sess.ID(), body)
	cancel()
	d.led.answered(j.n, c, err)
	switch {
	case err == nil:
		d.rec.record(w, mPushResponse, d.now().Sub(sentAt), d.led.measured(j.intended))
	case ctx.Err() == nil:
		d.errs.add("push", err)
	}
}
