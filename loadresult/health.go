package loadresult

// DriverHealth is how the driver process itself fared. CPU is the
// process's user and system time (with the embedded mock, the mock's
// too) as a share of what GOMAXPROCS threads could use.
type DriverHealth struct {
	MaxCPUPercent        float64 `json:"maxCpuPercent"` // of GOMAXPROCS, the worst interval
	MaxSchedLatencyP99Us int64   `json:"maxSchedLatencyP99Us"`
	MaxGCPauseUs         int64   `json:"maxGcPauseUs"`
	GCCPUSeconds         float64 `json:"gcCpuSeconds"`
	BusySeconds          int     `json:"busySeconds"` // intervals (seconds, mostly) over the CPU or scheduler threshold
	// MemoryPerSubscriptionBytes is the process's memory with its
	// subscriptions held less its memory before the first join, divided
	// by the subscriptions held (see Memory; 0 when none was held). It is
	// the cost of an idle subscription in an idle run (load.Options.Idle).
	MemoryPerSubscriptionBytes float64  `json:"memoryPerSubscriptionBytes"`
	Memory                     Memory   `json:"memory"`
	Warnings                   []string `json:"warnings"`
}

// Memory is the driver process's memory before its first join and with
// its subscriptions held, from which DriverHealth.MemoryPerSubscriptionBytes
// is derived. HeldBytes is sampled when the hold (load.Options.Idle) or the
// pushes end, before the drain: in a push run it includes the push
// path's memory too, so an idle run gives the cost of a subscription.
type Memory struct {
	// Source says what BaselineBytes and HeldBytes are: "VmRSS", the
	// process's resident set from /proc/self/status (Linux), or
	// "go-runtime", the memory the Go runtime has mapped less what it has
	// released to the system, where /proc is not available. Neither
	// counts the kernel's socket buffers. A merge of shards adds their
	// processes' figures up ("mixed" when they measured differently).
	Source        string `json:"source"`
	BaselineBytes uint64 `json:"baselineBytes"` // before the first join
	HeldBytes     uint64 `json:"heldBytes"`     // with the subscriptions held
	// SubscriptionsHeld is how many sessions were open when HeldBytes
	// was sampled.
	SubscriptionsHeld int64 `json:"subscriptionsHeld"`
	// The Go runtime's view when HeldBytes was sampled: heap objects
	// (live and not yet swept), goroutine stacks, goroutines.
	GoHeapBytes  uint64 `json:"goHeapBytes"`
	GoStackBytes uint64 `json:"goStackBytes"`
	Goroutines   uint64 `json:"goroutines"`
}
