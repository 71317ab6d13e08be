package metrics

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is the one path a Server serves.
const Path = "/metrics"

// shutdownTimeout bounds how long Close waits for a scrape in progress.
const shutdownTimeout = 2 * time.Second

// Server serves GET /metrics from its own Registry (never the global
// default one, so that tests may run side by side).
type Server struct {
	// URL is where the metrics are, http://host:port/metrics.
	URL string
	// Registry holds what the server exposes; register on it at any
	// time.
	Registry *prometheus.Registry

	srv  *http.Server
	done chan struct{}
}

// Listen listens on addr (host:port; port 0 picks one, which URL then
// names) and serves until Close. Its error is one of the address.
func Listen(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	reg := prometheus.NewRegistry()
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	s := &Server{
		URL: "http://" + ln.Addr().String() + Path, Registry: reg, done: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)},
	}
	go func() { // waited for by Close
		defer close(s.done)
		_ = s.srv.Serve(ln) // ErrServerClosed after Close; any other error ends the serving too
	}()
	return s, nil
}

// Close stops the server, letting a scrape in progress finish (for a
// short while), and returns once its goroutine has ended.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}
