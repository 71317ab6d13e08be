// Package load is the load driver of wstrigger: it holds many
// subscriptions on an implementation of the websocket trigger API,
// pushes into them on an open-model schedule, and accounts for every
// push and every frame with honest latency.
//
//	res, err := load.Run(ctx, "http://127.0.0.1:8080", creds, &load.Options{
//		Subscriptions: 1000, PushRate: 2000, Duration: 10 * time.Second,
//	})
//	if err != nil { ... }
//	ok := res.CheckSLOs(slos) // loadresult.ParseSLO; for CI gates
//	_ = reports.LoadText(os.Stdout, res) // accounting, latencies, errors
//
// # Model
//
// Subscriptions join at Options.ConnectRate, each with a pattern from
// Options.Patterns, and are held for the run; a session the server
// closes is joined again after a full-jitter exponential backoff (unless
// Options.NoReconnect), spread over at least the time the first joins
// took at Options.ConnectRate, so that a server that ends every session
// at once (a restart) sees them come back at about that rate, not all
// together. Result.Rejoins reports
// such a reconnect storm: the sessions ended by close code, the rejoin
// times (from a session's end to the next session frame), the joins
// refused on the way; the intervals count the closes and rejoins of
// each second. Pushes follow a Schedule, a pure function of the
// push number, whatever the answers: push n is due at Schedule.Due(n)
// and carries its id and its intended and actual send times in its body
// ({"lt":{"id":N,"sub":S,"t":INTENDED,"s":SENT},"pad":"..."}). The
// receiver measures end-to-end latency from the intended time, so a
// stalled target shows in the percentiles instead of slowing the driver
// down (coordinated omission), and service time from the actual send;
// pushes that started more than Options.LateSend behind are counted.
//
// Every push ends in the push table as accepted, rejected, failed or
// unsent, and is received once, several times, or never (lost: with a
// session that ended, or by the end plus PushTimeout). The invariant
// accepted = received + lost (+ in flight, when the run was cut short)
// is checked. Seq gaps, repeats and reordering are counted per session;
// trigger frames per subscription. When Options.Observer is set (the
// target is a wstrigger mock), the target's counters before and after
// the run are reconciled with what the driver saw (Result.Mock).
// Without it the driver sends the target nothing but joins and pushes.
//
// Latencies are HdrHistograms in microseconds (1 µs to 1 h, three
// significant digits), recorded into a few lock-striped shards and merged
// at the end; the Result carries each one encoded, for merging shards
// and comparing runs. Result is package loadresult's plain data, named
// here too, versioned (loadresult.SchemaVersion) and merged across shards
// by loadresult.Merge; its SLOs are loadresult.SLO. A run whose
// context is cancelled before it ends stops early and returns what it
// measured so far with Result.Interrupted set; none of its SLOs pass.
//
// # Scale
//
// A process holds about as many subscriptions as it may open files
// (MaxSubscriptions; RaiseFileLimit raises the soft limit); Options.Shard
// splits a larger run over processes. Each subscription keeps small
// websocket buffers (DefaultReadBuffer, DefaultWriteBuffer, a pooled
// write buffer, frames read into pooled buffers: client.Options.ReuseFrames),
// one goroutine (the client's reader: no frame buffer, no goroutine of
// the driver's), no timer and not the join's 101 headers
// (client.Options.DiscardHeader). Options.OnJoined lets the command
// return the join ramp's garbage to the system before the run goes on. Options.Idle holds
// the subscriptions without pushing, and every run reports the driver's
// memory per subscription held (DriverHealth.MemoryPerSubscriptionBytes,
// the process's resident set with them held less before the first join,
// divided by those held); load/scale/run.sh measures how many one and
// several processes hold on one machine, load/scale/memory.sh what each
// costs, idle and under traffic. Joins to
// a loopback target are spread over Options.SourceAddrs source addresses
// so each has its own ephemeral ports. The driver watches its own CPU,
// scheduler latency and GC pauses and warns when it, not the target, may
// have set the pace.
//
// # Parts
//
// A Driver is composed of small parts, each tested on its own: the
// Schedule, a pure function of the push number; the ticker, which
// closes the intervals on the driver's clock (Options.Now) and the time
// package's timers, so that a testing/synctest bubble runs it exactly;
// the ledger, the push table and the accounting of every push sent and
// frame received; and the joiners, which hold the subscriptions, join
// and reconnect them and close them at the end. The driver runs the
// pacer and the push workers and gathers the Result from the parts.
//
// # Concurrency
//
// Run owns every goroutine it starts and waits for all of them before it
// returns: one goroutine per open session, the client's reader, which
// hands the frames to the driver (client.JoinWith) and, when the session
// ends, starts a joiner goroutine that reconnects after backoff; a joiner
// per subscription while it joins; Options.Workers push workers fed by
// one pacer goroutine through one channel; and one ticker goroutine that
// closes the one-second intervals and calls Options.OnInterval. Workers
// and readers share the push table through atomics and the histograms
// through striped locks; each subscription's own figures pass from its
// joiner to its reader and back, one at a time, until Run gathers them.
// Live and EndToEnd may be called from any goroutine while Run runs
// (TestLiveWhileRunning does so under the race detector; a metrics
// exporter reads them at every scrape): they read the same atomic
// counters and histograms the Result is built from. The Observer is called from Run's
// own goroutine, before the first join and after the last session
// closed.
package load
