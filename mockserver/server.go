package mockserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/wstrigger/wstrigger/mockserver/mockapi"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec/pattern"
)

// ControlPrefix is the path prefix of the control API.
const ControlPrefix = mockapi.ControlPrefix

// readHeaderTimeout bounds how long a client may take to send its
// request headers.
const readHeaderTimeout = 10 * time.Second

// MaxHeaderBytes bounds a request's line and headers: the longest join
// the protocol allows is a pattern of pattern.MaxSize bytes, each
// percent-encoded (three characters a byte), with its credentials and
// a browser's headers, well under it. A request over it gets 431 (Go's
// server reads at most this plus 4 KiB before answering), so a client
// that sends an endless header costs the mock that much, not the 1 MiB
// of net/http's default.
const MaxHeaderBytes = 32 << 10

// idleTimeout closes keep-alive connections that carry no request.
const idleTimeout = 2 * time.Minute

// requestReadTimeout bounds the read of a whole request, body included,
// so that a body that stalls does not hold its handler. Joins are not
// bound by it once upgraded (a hijack clears the deadline).
const requestReadTimeout = 30 * time.Second

// Server is a running mock of the websocket trigger API, in the manner of
// httptest.Server: New starts it, URL says where, Close stops it and
// waits for everything it started.
type Server struct {
	// URL is the base URL, http://ip:port, without a trailing slash.
	URL string

	opts         Options
	log          *slog.Logger
	accts        accounts
	origins      map[string]bool
	heartbeat    time.Duration
	hbSeconds    int
	queueSize    int
	closeTimeout time.Duration
	retryAfter   int
	readTimeout  time.Duration
	epoch        time.Time // frames are stamped with the time since, on the monotonic clock
	rand         *lockedRand
	upgrader     websocket.Upgrader
	joinHeader   http.Header // on every accepted join: mockapi.Header, unless NoControl
	handler      http.Handler
	httpSrv      *http.Server
	ln           net.Listener
	serveErr     error // set before the serve goroutine's wg.Done

	mu       sync.RWMutex
	sessions map[string]*session
	draining bool
	dropping bool // Shutdown's context ended: connections are dropped, not closed
	index    *pattern.Index[*session]

	wg       sync.WaitGroup // session goroutines, the replay, the serve loop
	faults   atomic.Pointer[Faults]
	stats    counters
	replay   replayer
	shutOnce sync.Once

	disconnects disconnectLoop // the disconnect fault's
	flushers    flushers
}

// New starts a mock server on Options.Addr (or Options.Listener) and
// returns it once it accepts connections. The replay of the recording
// starts with the first join, or with StartReplay when
// Options.HoldReplay is set.
func New(opts *Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	events, err := prepareRecording(o.Recording)
	if err != nil {
		return nil, fmt.Errorf("mockserver: options: %w", err)
	}
	ln := o.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", o.Addr); err != nil {
			return nil, fmt.Errorf("mockserver: %w", err)
		}
	}
	s := &Server{
		URL:          "http://" + ln.Addr().String(),
		opts:         o,
		log:          o.Logger,
		accts:        newAccounts(o.Credentials, o.MaxSessions),
		origins:      make(map[string]bool, len(o.AllowedOrigins)),
		heartbeat:    o.Heartbeat,
		hbSeconds:    heartbeatSeconds(o.Heartbeat),
		queueSize:    o.QueueSize,
		closeTimeout: o.CloseTimeout,
		retryAfter:   retryAfterSeconds(o.RetryAfter),
		readTimeout:  o.requestTimeout,
		epoch:        time.Now(),
		rand:         newLockedRand(o.Rand),
		ln:           ln,
		sessions:     make(map[string]*session),
		index:        pattern.NewIndex[*session](),
	}
	for _, origin := range o.AllowedOrigins {
		s.origins[strings.ToLower(origin)] = true
	}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  512,
		WriteBufferSize: 4096,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true }, // checked before, see checkJoin
	}
	if !o.NoControl { // identify as the mock whose counters a driver may read
		s.joinHeader = http.Header{mockapi.Header: {mockapi.HeaderStats}}
	}
	f := o.Faults.resolved(time.Now())
	s.faults.Store(&f)
	s.replay.init(s, events)
	s.disconnects.init()
	s.flushers.init()
	s.wg.Go(s.runDisconnects)
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.httpSrv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		IdleTimeout:       idleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.wg.Go(func() {
		if err := s.httpSrv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	})
	return s, nil
}

// Handler returns the server's handler, to mount it in another
// http.Server or test it with httptest. Sessions joined through it belong
// to this Server: Shutdown and Close end them too.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Credentials returns the accepted credentials, for printing by a
// command: they are the demo credentials unless configured otherwise.
func (s *Server) Credentials() []Credential {
	return append([]Credential(nil), s.opts.Credentials...)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Bound the read of the request, so that a body that stalls cannot
	// hold the handler. A ResponseWriter that cannot set deadlines (one
	// wrapped by another server's middleware) leaves it to that server.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.readTimeout))
	switch p := r.URL.Path; {
	case p == protocol.JoinPath:
		s.serveJoin(w, r)
	case p == protocol.PushPath && isPreflight(r):
		s.servePreflight(w, r)
	case p == protocol.PushPath:
		s.setPushCORS(w, r)
		s.servePush(w, r)
	case !s.opts.NoControl && strings.HasPrefix(p, ControlPrefix):
		s.serveControl(w, r)
	default:
		newError(http.StatusNotFound, protocol.CodeNotFound, "no such endpoint").write(w, s.retryAfter)
	}
}

// Shutdown stops the server gracefully: joins are refused with 503, the
// replay stops, every session is closed with 1001, and Shutdown waits
// for the close handshakes, each bounded by Options.CloseTimeout. When
// ctx ends first, the remaining connections are dropped, and so is a
// join that completes its upgrade after that; ctx's error is returned.
// Shutdown returns once every goroutine of the server has ended, which
// is promptly after ctx ends. It may be called more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	var httpErr error
	s.shutOnce.Do(func() {
		s.mu.Lock()
		s.draining = true
		open := make([]*session, 0, len(s.sessions))
		for _, ss := range s.sessions {
			open = append(open, ss)
		}
		s.mu.Unlock()
		s.replay.stop()
		s.disconnects.stop()
		for _, ss := range open {
			ss.close(closeFrame, protocol.CloseGoingAway)
		}
		httpErr = s.httpSrv.Shutdown(ctx)
	})
	done := make(chan struct{})
	go func() { // waited for below, on both paths
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		_ = s.httpSrv.Close()
		s.dropAll()
		<-done
	}
	if err == nil {
		err = httpErr
	}
	if err == nil {
		err = s.serveErr
	}
	if err != nil {
		return fmt.Errorf("mockserver: shutdown: %w", err)
	}
	return nil
}

// Close shuts the server down, waiting at most Options.CloseTimeout for
// the close handshakes (then dropping the connections), and returns once
// every goroutine it started has ended.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), s.closeTimeout)
	defer cancel()
	_ = s.Shutdown(ctx)
}

// dropAll closes every session's connection at once, and those of the
// sessions added from now on (see addSession).
func (s *Server) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropping = true
	for _, ss := range s.sessions {
		_ = ss.nc.Close()
	}
}

// addSession registers an upgraded session; it reports false when the
// server began draining meanwhile. A session added once Shutdown has
// begun dropping connections is dropped at once, so that it does not
// make Shutdown wait for its close handshake.
func (s *Server) addSession(ss *session) bool {
	s.mu.Lock()
	s.sessions[ss.id] = ss
	draining, dropping := s.draining, s.dropping
	s.mu.Unlock()
	s.index.Add(ss, ss.pat)
	if dropping {
		ss.close(closeAbort, websocket.CloseAbnormalClosure)
		_ = ss.nc.Close()
	}
	return !draining
}

// since is the time since the server started, on the monotonic clock.
func (s *Server) since() time.Duration { return time.Since(s.epoch) }

func (s *Server) removeSession(ss *session) {
	s.index.Remove(ss)
	s.mu.Lock()
	delete(s.sessions, ss.id)
	s.mu.Unlock()
	ss.acct.open.Add(-1)
}

func (s *Server) lookup(id string) *session {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sessions[id]
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot()
	s.mu.RLock()
	st.OpenSessions = len(s.sessions)
	s.mu.RUnlock()
	return st
}

// Outcomes returns the joins and the pushes counted by how the server
// answered them, since it started or since ResetStats: the accepted joins
// under 101 (Stats.Joins), the rejected ones by status and error code
// (Stats.RejectedJoins adds them up by status), the pushes likewise
// (Stats.Pushes). A join the upgrade itself failed (gorilla answered) is
// in neither, as in Stats.
func (s *Server) Outcomes() (joins, pushes map[Outcome]uint64) { return s.stats.outcomes() }

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() { s.stats.reset() }

// Faults returns the faults in force, with defaults filled in and the
// stall's start resolved.
func (s *Server) Faults() Faults { return *s.faults.Load() }

// SetFaults replaces the faults in force. A zero Stall.Start means now.
// Sessions waiting out a stall or latency re-read the faults at once.
func (s *Server) SetFaults(f Faults) error {
	if err := f.check(); err != nil {
		return fmt.Errorf("mockserver: %w", err)
	}
	r := f.resolved(time.Now())
	s.faults.Store(&r)
	s.disconnects.poke()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, ss := range s.sessions {
		ss.wakeRunning() // a parked writer waits out no fault
	}
	return nil
}
