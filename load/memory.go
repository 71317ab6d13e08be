package load

import (
	"bufio"
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"

	"github.com/wstrigger/wstrigger/loadresult"
)

// memSample is the process's memory at one moment.
type memSample struct {
	source                   string
	bytes                    uint64
	heap, stacks, goroutines uint64
}

// runtime/metrics names of the memory sample.
const (
	mMemTotal    = "/memory/classes/total:bytes"
	mMemReleased = "/memory/classes/heap/released:bytes"
	mMemStacks   = "/memory/classes/heap/stacks:bytes"
	mGoroutines  = "/sched/goroutines:goroutines"
)

// sampleMemory reads the process's resident set, or the Go runtime's
// estimate of it, and the runtime's heap, stack and goroutine figures.
func sampleMemory() memSample {
	s := []metrics.Sample{{Name: mMemTotal}, {Name: mMemReleased}, {Name: mHeap}, {Name: mMemStacks}, {Name: mGoroutines}}
	metrics.Read(s)
	u := func(i int) uint64 {
		if s[i].Value.Kind() == metrics.KindUint64 {
			return s[i].Value.Uint64()
		}
		return 0
	}
	m := memSample{heap: u(2), stacks: u(3), goroutines: u(4)}
	if rss, ok := residentSet(); ok {
		m.source, m.bytes = "VmRSS", rss
	} else {
		m.source, m.bytes = "go-runtime", u(0)-min(u(1), u(0))
	}
	return m
}

// residentSet is VmRSS from /proc/self/status, in bytes.
func residentSet() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	return parseVmRSS(data)
}

// parseVmRSS finds the "VmRSS:  1234 kB" line of a /proc status file.
func parseVmRSS(status []byte) (uint64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseUint(string(f[0]), 10, 64)
		return kb << 10, err == nil
	}
	return 0, false
}

// memory sums the two samples up; held is the sessions open at the
// second one.
func memory(base, at memSample, held int64) (loadresult.Memory, float64) {
	m := loadresult.Memory{
		Source: at.source, BaselineBytes: base.bytes, HeldBytes: at.bytes, SubscriptionsHeld: held,
		GoHeapBytes: at.heap, GoStackBytes: at.stacks, Goroutines: at.goroutines,
	}
	if held <= 0 || at.bytes < base.bytes || base.source != at.source {
		return m, 0
	}
	return m, float64(at.bytes-base.bytes) / float64(held)
}
