package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wstrigger/wstrigger/loadresult"
)

// plural is n and the noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Title names what c holds: "wstrigger check" for both parts (or a
// check run cut short before one), "wstrigger contract" or "wstrigger
// load" for one.
func (c *CheckResult) Title() string {
	switch {
	case len(c.NotRun) > 0: // a check run cut short before a part
	case c.Contract != nil && c.Load == nil:
		return "wstrigger contract"
	case c.Contract == nil && c.Load != nil:
		return "wstrigger load"
	}
	return "wstrigger check"
}

// Verdict says in words what passed or failed, of the parts c holds:
// "every MUST check passed and every SLO held", "1 MUST check and 2
// SLOs failed", "no SLO was set", with the contract's skipped checks
// grouped by cause ("every MUST check that ran passed, 2 MUST checks
// skipped: no trigger observed (2); every SLO held"); or, for an
// interrupted run, how far it got: "interrupted after 12 of 48 checks,
// before the load run — not a verdict".
func (c *CheckResult) Verdict() string {
	if c.IsInterrupted() {
		return c.interruptedVerdict()
	}
	skips := ""
	if c.Contract != nil && c.Contract.Summary.Skipped > 0 {
		skips = skipsText(c.Contract)
	}
	var parts []string
	if !c.Passed() {
		if n := c.MustFailed(); n > 0 {
			parts = append(parts, plural(n, "MUST check"))
		}
		if n := c.SLOsFailed(); n > 0 {
			parts = append(parts, plural(n, "SLO"))
		}
		v := strings.Join(parts, " and ") + " failed"
		if skips != "" {
			v += "; " + skips
		}
		return v
	}
	if c.Contract != nil {
		parts = append(parts, contractPassText(c.Contract))
	}
	if c.Load != nil {
		if len(c.Load.SLOs) > 0 {
			parts = append(parts, "every SLO held")
		} else {
			parts = append(parts, "no SLO was set")
		}
	}
	if len(parts) == 0 {
		return "nothing was run"
	}
	if skips != "" { // the contract's part holds commas of its own
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, " and ")
}

// interruptedVerdict says how far an interrupted run got, and what its
// contract suite found when it had finished before the interruption.
func (c *CheckResult) interruptedVerdict() string {
	loadNotRun := slices.Contains(c.NotRun, "load")
	switch {
	case c.Contract != nil && c.Contract.Interrupted:
		v := ContractVerdict(c.Contract)
		if loadNotRun {
			v = strings.Replace(v, " — not a verdict", ", before the load run — not a verdict", 1)
		}
		return v
	case c.Load != nil && c.Load.Interrupted:
		v := loadInterruptedText(c.Load)
		if c.Contract != nil {
			v += "; the contract suite had finished: " + ContractVerdict(c.Contract)
		}
		return v
	case loadNotRun && c.Contract != nil:
		return "interrupted before the load run — not a verdict; the contract suite had finished: " + ContractVerdict(c.Contract)
	}
	return "interrupted — not a verdict"
}

// Source names the documents c was read or made from, with their schema
// versions.
func (c *CheckResult) Source() string {
	var parts []string
	if c.Contract != nil {
		parts = append(parts, fmt.Sprintf("a contract report (schema version %d)", c.Contract.SchemaVersion))
	}
	if c.Load != nil {
		parts = append(parts, fmt.Sprintf("a load result (%s, schema version %d)", loadresult.ResultKind, c.Load.SchemaVersion))
	}
	if len(parts) == 0 {
		return "an empty result"
	}
	return strings.Join(parts, " and ")
}

// LoadConfigText is a load run's configuration in one line, as every
// report shows it: subscriptions (and the shard's share), join rate, the
// push schedule with its warmup, payload, skew, timeout and workers.
func LoadConfigText(r *loadresult.Result) string {
	c := r.Config
	subs := plural(c.ShardSubscriptions, "subscription")
	shards := strings.Split(c.Shard, ",")
	switch {
	case len(shards) > 1:
		subs += fmt.Sprintf(" (shards %s)", c.Shard)
	case c.Shard != "" && c.Shard != "0/1":
		subs = fmt.Sprintf("%d of %d subscriptions (shard %s)", c.ShardSubscriptions, c.Subscriptions, c.Shard)
	}
	head := fmt.Sprintf("%s at %g joins/s", subs, c.ConnectRate)
	if c.Idle {
		return fmt.Sprintf("%s, held idle for %gs: no pushes", head, c.DurationSeconds)
	}
	rate := pushRateText(c)
	if n := len(shards); n == 1 && c.Shard != "" && c.Shard != "0/1" {
		rate += fmt.Sprintf(" over all shards (this one's share: %.1f/s)", r.Pushes.TargetRate)
	}
	warm := ""
	if c.WarmupSeconds > 0 {
		warm = fmt.Sprintf(" after %gs warmup", c.WarmupSeconds)
	}
	return fmt.Sprintf("%s; pushes %s for %gs%s, %d B, %s, timeout %dms, %d workers",
		head, rate, c.DurationSeconds, warm, c.PayloadSize, c.Skew, c.PushTimeoutMs, c.Workers)
}
