package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/wstrigger/wstrigger/loadresult"
)

// LoadText writes the console summary of a load run, as "wstrigger load"
// and "wstrigger check" print it: configuration, subscriptions, pushes,
// the delivery accounting with its invariant, latencies, errors, the mock
// reconciliation, driver warnings and SLOs. An interrupted run says so
// under its first line, and its SLOs read "not judged".
func LoadText(w io.Writer, r *loadresult.Result) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	c, s, pu, d := r.Config, r.Subscriptions, r.Pushes, r.Delivery
	p("Load run against %s (shard %s, %s, Go %s, %d CPUs)", targetText(r.Meta.Target, r.Meta.TargetName), c.Shard, r.Meta.Version, r.Meta.GoVersion, r.Meta.NumCPU)
	if r.Interrupted {
		p("  ✘ %s; the figures are those of the run so far", loadInterruptedText(r))
	}
	p("  %s", LoadConfigText(r))
	if strings.Contains(c.Shard, ",") {
		p("  merged shards %s; their push starts spread over %v", c.Shard, usDuration(int64(r.Meta.PushStartSkewSeconds*1e6)))
	}
	p("")
	p("Subscriptions  joined %d of %d in %.1fs (never joined %d), open at the end %d, sessions %d, reconnects %d, join failures %d of %d attempts",
		s.Joined, s.Requested, s.JoinSeconds, s.NeverJoined, s.OpenAtEnd, s.Sessions, s.Reconnects, s.JoinFailures, s.JoinAttempts)
	mn, mean, mx := spread(s.TriggersPerSubscription)
	p("               trigger frames %d (per subscription min %d, mean %.1f, max %d); seq gaps %d, repeated %d, out of order %d",
		s.TriggersReceived, mn, mean, mx, s.SeqGaps, s.SeqDuplicates, s.OutOfOrderFrames)
	p("Pushes         scheduled %d, sent %d, accepted %d, rejected %d, failed %d, unsent (no session) %d, not due %d",
		pu.Scheduled, pu.Sent, pu.Accepted, pu.Rejected, pu.Failed, pu.Unsent, pu.NotDue)
	p("               rate: target %.1f/s, achieved %.1f/s, accepted %.1f/s; started late %d (max lag %v)",
		pu.TargetRate, pu.AchievedRate, pu.AcceptedRate, pu.LateSends, usDuration(pu.MaxSendLagUs))
	p("Delivery       received %d (exactly once %d, duplicated %d), lost %d (across reconnects %d), in flight %d",
		d.Received, d.ExactlyOnce, d.Duplicated, d.Lost, d.LostAcrossReconnect, d.InFlight)
	p("               late %d, out of order %d, misrouted %d, received though not accepted %d, foreign %d; delivered %.4f%%",
		d.Late, d.OutOfOrder, d.Misrouted, d.ReceivedUnaccepted, d.ForeignFrames, d.DeliveredPercent)
	p("Invariant      %s", d.Invariant)
	if rj := RejoinsText(r); rj != "" {
		p("Rejoins        %s", rj)
	}
	p("")
	p("Latency        %8s %9s %9s %9s %9s %9s %9s", "count", "p50", "p90", "p99", "p99.9", "max", "mean")
	for _, k := range latencyKindList {
		s := k.of(&r.Latency)
		p("  %-13s%8d %9v %9v %9v %9v %9v %9v", k.short, s.Count, usDuration(s.P50Us), usDuration(s.P90Us), usDuration(s.P99Us), usDuration(s.P999Us), usDuration(s.MaxUs), usMean(s.MeanUs))
	}
	if c := CensoredText(&r.Latency); c != "" {
		p("  %s", c)
	}
	if f := FloorText(r.DriverFloor); f != "" {
		p("  %s", f)
	}
	writeErrors(p, r.Errors)
	writeMock(p, r.Mock)
	p("")
	p("Driver         max CPU %.0f%% of GOMAXPROCS, max scheduler p99 %v, max GC pause %v, GC CPU %.2fs",
		r.Driver.MaxCPUPercent, usDuration(r.Driver.MaxSchedLatencyP99Us), usDuration(r.Driver.MaxGCPauseUs), r.Driver.GCCPUSeconds)
	if m := r.Driver.Memory; m.Source != "" {
		per := fmt.Sprintf("%.1f KB per subscription", r.Driver.MemoryPerSubscriptionBytes/1024)
		if r.Driver.MemoryPerSubscriptionBytes == 0 {
			per = "per subscription not measurable (memory did not grow, or nothing was held)"
		}
		p("               memory (%s) %.1f MB with %d subscriptions held, %.1f MB before the first join: %s; Go heap %.1f MB, stacks %.1f MB, %d goroutines",
			m.Source, mb(m.HeldBytes), m.SubscriptionsHeld, mb(m.BaselineBytes), per, mb(m.GoHeapBytes), mb(m.GoStackBytes), m.Goroutines)
	}
	for _, warn := range r.Driver.Warnings {
		p("  WARNING: %s", warn)
	}
	for i, v := range r.SLOs {
		if i == 0 {
			p("")
		}
		switch {
		case r.Interrupted:
			p("SLO --   %s (actual so far %s; not judged: the run was interrupted)", v.SLO, v.Actual)
		case v.Passed:
			p("SLO pass %s (actual %s)", v.SLO, v.Actual)
		default:
			p("SLO FAIL %s (actual %s)", v.SLO, v.Actual)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RejoinsText is the line of a run's reconnect storm: the sessions that
// ended before the run did, by close code, the largest storm (the most
// closes in one interval), how long the subscriptions took to come back
// (rejoin time p50, p99, max), the joins refused on the way and the
// pushes lost with the sessions. It is empty when no session ended, as
// in results written before these figures existed.
func RejoinsText(r *loadresult.Result) string {
	rj := r.Rejoins
	if rj == nil {
		return ""
	}
	codes := make([]int, 0, len(rj.Closes))
	for code := range rj.Closes {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	byCode := make([]string, len(codes))
	for i, code := range codes {
		byCode[i] = fmt.Sprintf("%d: %d", code, rj.Closes[code])
	}
	var peak loadresult.Interval
	for _, iv := range r.Intervals {
		if iv.Closes > peak.Closes {
			peak = iv
		}
	}
	storm := ""
	if peak.Closes > 0 {
		storm = fmt.Sprintf("; largest storm %d in the second to %.1fs", peak.Closes, peak.T)
	}
	t := rj.Time
	return fmt.Sprintf("sessions dropped %d (%s)%s; back %d, not back %d, joins refused on the way %d; rejoin time p50 %v, p99 %v, max %v; pushes lost with the sessions %d",
		rj.Dropped(), strings.Join(byCode, ", "), storm, rj.Back, rj.NotBack, rj.Refused,
		usDuration(t.P50Us), usDuration(t.P99Us), usDuration(t.MaxUs), r.Delivery.LostAcrossReconnect)
}

func writeErrors(p func(string, ...any), errs []loadresult.ErrorClass) {
	if len(errs) == 0 {
		p("\nErrors         none")
		return
	}
	p("\nErrors")
	for _, e := range errs {
		p("  %-40s %d", e.Key, e.Count)
		for _, ex := range e.Examples {
			p("      e.g. %s", ex)
		}
	}
}

func writeMock(p func(string, ...any), m *loadresult.MockCheck) {
	if m == nil {
		return
	}
	verdict := "matches"
	if !m.Match {
		verdict = "differs"
	}
	p("\nMock stats     %s: push frames sent %d / read %d, trigger frames sent %d / read %d, 202s %d / accepted %d, joins %d / sessions %d, dropped %d",
		verdict, m.PushFramesSent, m.PushFramesReceived, m.TriggersSent, m.TriggersReceived, m.Pushes202, m.Accepted, m.Joins, m.JoinsSeen, m.Dropped)
	for _, n := range m.Notes {
		p("  note: %s", n)
	}
}

// usMean is a mean latency in microseconds, rounded to the nearest.
func usMean(v float64) time.Duration { return usDuration(int64(math.Round(v))) }

// mb is b in MiB.
func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// spread is the least, mean and largest of v.
func spread(v []uint64) (mn uint64, mean float64, mx uint64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	mn = v[0]
	var sum uint64
	for _, x := range v {
		mn, mx, sum = min(mn, x), max(mx, x), sum+x
	}
	return mn, float64(sum) / float64(len(v)), mx
}

// stagesText is the --stages flag's form of st.
func stagesText(st []loadresult.Stage) string {
	parts := make([]string, len(st))
	for i, s := range st {
		parts[i] = fmt.Sprintf("%v:%g/s", s.Duration, s.Rate)
	}
	return strings.Join(parts, ",")
}

// IntervalLine is the plain progress line of one second of a load run,
// as "wstrigger load" prints it when its output is not a terminal: rates
// per second of the interval, errors as counted in it.
func IntervalLine(iv loadresult.Interval) string {
	e2e := iv.Latency.PushEndToEnd
	return fmt.Sprintf("%6.1fs %-9s joined %d open %d  pushes %.0f/s (target %.0f/s) accepted %.0f/s  frames %.0f/s  e2e p50 %v p99 %v  errors %d  cpu %.0f%%",
		iv.T, iv.Phase, iv.Joined, iv.Open, iv.PerSecond(iv.Sent), iv.TargetRate, iv.PerSecond(iv.Accepted), iv.PerSecond(iv.Frames),
		usDuration(e2e.P50Us), usDuration(e2e.P99Us), iv.Errors, iv.DriverCPU)
}
