package main

import (
	"fmt"

	"github.com/wstrigger/wstrigger/internal/metrics"
	"github.com/wstrigger/wstrigger/protocol"
)

// metricsAddrUsage is the --metrics-addr flag's usage, on load and mock.
const metricsAddrUsage = "serve Prometheus metrics at http://ADDR/metrics, such as :9090 (default: off)"

// listenMetrics starts the --metrics-addr server, if addr is set, and
// says where it is on stderr (with :0, the port chosen). Its error is a
// usage error: the address cannot be listened on.
func listenMetrics(e *env, addr string) (*metrics.Server, error) {
	if addr == "" {
		return nil, nil
	}
	ms, err := metrics.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	fmt.Fprintf(e.stderr, "metrics on %s\n", protocol.RedactURLString(ms.URL))
	return ms, nil
}

// closeMetrics stops a --metrics-addr server, if there is one.
func closeMetrics(ms *metrics.Server) {
	if ms != nil {
		_ = ms.Close()
	}
}
