package contract

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/internal/wsconn"
	"github.com/wstrigger/wstrigger/protocol"
	"github.com/wstrigger/wstrigger/spec"
)

// runner holds what the checks of one run share: the target, the spec,
// the coverage and the secrets to redact.
type runner struct {
	target Target
	opts   Options
	spec   *spec.Spec
	base   *url.URL
	httpc  *http.Client
	dial   *wsconn.Options
	cov    *coverage
	schema *schemaLog
	red    *protocol.Redactor
	// ownTransport is the transport the runner made, nil when the
	// caller's is used.
	ownTransport *http.Transport
	// wrong are credentials no server accepts, fresh for each run.
	wrong protocol.Credentials
	// proxied is true when the target is reached through a proxy: the
	// checks that write to a connection of their own cannot reach it.
	proxied bool
}

func newRunner(target Target, opts *Options) (*runner, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if err := target.check(); err != nil {
		return nil, err
	}
	base, _ := client.ParseTarget(target.URL)
	r := &runner{
		target: target, opts: o, spec: o.Spec, base: base,
		cov:    newCoverage(o.Spec),
		schema: newSchemaLog(),
		red:    protocol.NewRedactor(),
		wrong:  protocol.Credentials{AccessToken: "wrong-token-" + rand.Text()[:12], SecretKey: "wrong-secret-" + rand.Text()[:12]},
	}
	proxy := o.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	var transport http.RoundTripper
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		transport = o.HTTPClient.Transport
	} else {
		// A transport of our own, whose idle connections close drops.
		own := http.DefaultTransport.(*http.Transport).Clone()
		own.TLSClientConfig, own.Proxy = o.TLSConfig, proxy
		transport, r.ownTransport = own, own
	}
	if len(o.Header) > 0 {
		transport = extraHeader{rt: transport, h: o.Header}
	}
	r.httpc = &http.Client{
		Transport:     transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r.dial = &wsconn.Options{Proxy: proxy, TLSConfig: o.TLSConfig, HandshakeTimeout: o.Timeout, NetDialContext: o.NetDialContext}
	if pu, err := proxy(&http.Request{URL: base}); err == nil && pu != nil {
		r.proxied = true
	}
	for _, c := range r.allCredentials() {
		r.red.Add(c.AccessToken, c.SecretKey)
	}
	r.red.Add(protocol.HeaderSecrets(o.Header)...)
	r.red.Add(r.wrong.AccessToken, r.wrong.SecretKey)
	r.redactNearMisses()
	return r, nil
}

// extraHeader adds Options.Header to each request that has no header
// of those names.
type extraHeader struct {
	rt http.RoundTripper
	h  http.Header
}

func (x extraHeader) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	addHeader(req.Header, x.h)
	return x.rt.RoundTrip(req)
}

// addHeader adds to h the headers of extra it has no value for.
func addHeader(h, extra http.Header) {
	for k, vs := range extra {
		if _, ok := h[k]; !ok {
			h[k] = vs
		}
	}
}

// withHeader is h with Options.Header added (addHeader), a copy when
// there is any.
func (r *runner) withHeader(h http.Header) http.Header {
	if len(r.opts.Header) == 0 {
		return h
	}
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	addHeader(h, r.opts.Header)
	return h
}

// close releases the runner's idle connections.
func (r *runner) close() {
	if r.ownTransport != nil {
		r.ownTransport.CloseIdleConnections()
	}
}

// allCredentials returns the credentials of every tenant the run knows.
func (r *runner) allCredentials() []protocol.Credentials {
	out := []protocol.Credentials{r.target.Credentials}
	if r.target.Other != nil {
		out = append(out, *r.target.Other)
	}
	if r.target.Forbidden != nil {
		out = append(out, *r.target.Forbidden)
	}
	return out
}

// netDial makes a connection to addr for the checks that write their
// own handshakes, through Options.NetDialContext when it is set.
func (r *runner) netDial(ctx context.Context, addr string) (net.Conn, error) {
	if r.opts.NetDialContext != nil {
		return r.opts.NetDialContext(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// url returns the URL of path on the target with a raw query.
func (r *runner) url(path, rawQuery string, ws bool) *url.URL {
	u := *r.base
	u.Path += path
	u.RawQuery = rawQuery
	if ws {
		u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
		if u.Scheme == "" {
			u.Scheme = "ws"
		}
	}
	return &u
}

// preflight fails with ErrUnreachable when the target does not answer
// HTTP at all.
func (r *runner) preflight(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url(protocol.JoinPath, "", false).String(), nil)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrOptions, r.red.Redact(protocol.RedactError(err).Error()))
	}
	resp, err := r.httpc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %s", ErrUnreachable, protocol.RedactURL(r.base), r.red.Redact(protocol.RedactError(err).Error()))
	}
	_ = resp.Body.Close()
	return nil
}

// checkDef is a check of the catalogue and the function that runs it.
type checkDef struct {
	Check
	// observe adds Options.Observe to the check's timeout.
	observe bool
	// extraObserve adds that many more Options.Observe to the timeout of
	// an observe check that watches more than one window (PAT-003).
	extraObserve int
	// needsSession: the check opens sessions, so it waits for the
	// session prerequisites (sessionPrereqs) and is skipped when one
	// failed.
	needsSession bool
	// needsOther and needsForbidden: the check is skipped at once when
	// the target has no second tenant, or no forbidden account.
	needsOther, needsForbidden bool
	// needsForbiddenOrigin: the check is skipped at once when no origin
	// the target refuses is given (Options.ForbiddenOrigin).
	needsForbiddenOrigin bool
	// after lists further checks this one waits for; when one failed it
	// is skipped as blocked by it, when one was skipped it is skipped for
	// the same cause.
	after []string
	// exclusive checks run alone: they load the target (aggressive
	// checks) or count its sessions.
	exclusive bool
	// collector checks judge what the other checks saw (the SCHEMA
	// checks): they start when every other check has ended.
	collector bool
	run       func(ctx context.Context, c *checkCtx) error
}

// errSkip is returned by a check that cannot run; its text is the reason
// and cause groups it with other checks skipped for the same reason.
type errSkip struct{ cause, reason string }

func (e *errSkip) Error() string { return e.reason }

// skipf skips a check for a reason of its own.
func skipf(format string, args ...any) error { return &errSkip{reason: fmt.Sprintf(format, args...)} }

// skipBecause skips a check for a reason shared with others (see the
// cause constants).
func skipBecause(cause, format string, args ...any) error {
	return &errSkip{cause: cause, reason: fmt.Sprintf(format, args...)}
}

// checkCtx is what one check works with: the runner, plus the problems
// and evidence it collects. Its methods may be called from several
// goroutines of the check.
type checkCtx struct {
	*runner
	id       string // the check's id
	mu       sync.Mutex
	problems []string
	evidence []Evidence
	dropped  int
	sessions []*wsSession
}

// failf records a problem: the check fails, and the problem is part of
// its reason.
func (c *checkCtx) failf(format string, args ...any) {
	msg := c.red.Redact(fmt.Sprintf(format, args...))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.problems {
		if p == msg {
			return
		}
	}
	c.problems = append(c.problems, msg)
}

// failed reports whether a problem has been recorded.
func (c *checkCtx) failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.problems) > 0
}

// addEvidence records an exchange; past maxEvidence entries only a
// count is kept.
func (c *checkCtx) addEvidence(e Evidence) {
	e.Step = c.red.Redact(e.Step)
	e.Note = c.red.Redact(e.Note)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.evidence) >= maxEvidence {
		c.dropped++
		return
	}
	c.evidence = append(c.evidence, e)
}

// note records a summary of the check; it is kept even past maxEvidence.
func (c *checkCtx) note(step, note string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.evidence = append(c.evidence, Evidence{Step: c.red.Redact(step), Note: c.red.Redact(note)})
}

func (c *checkCtx) track(s *wsSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions = append(c.sessions, s)
}

// cleanup closes every session the check opened and waits for their
// readers.
func (c *checkCtx) cleanup() {
	c.mu.Lock()
	ss := c.sessions
	c.sessions = nil
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Go(func() { s.close() })
	}
	wg.Wait()
}

// runCheck runs one check and returns its result.
func (r *runner) runCheck(ctx context.Context, d checkDef) (res Result) {
	start := time.Now()
	res.Check = d.Check
	timeout := r.opts.Timeout
	if d.observe {
		timeout += time.Duration(1+d.extraObserve) * r.opts.Observe
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := &checkCtx{runner: r, id: d.ID}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("check panicked: %v", p)
			}
		}()
		return d.run(cctx, c)
	}()
	c.cleanup()
	var skip *errSkip
	switch {
	case errors.As(err, &skip) && !c.failed():
		res.Status, res.Reason, res.Cause = StatusSkip, r.red.Redact(skip.reason), r.red.Redact(skip.cause)
	case err != nil && !errors.As(err, &skip):
		if cctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("%w (the check's time limit is %v)", err, timeout)
		}
		c.failf("%v", err)
	}
	if res.Status != StatusSkip {
		res.Status = StatusPass
		if c.failed() {
			res.Status = StatusFail
			res.Reason = truncate(strings.Join(c.problems, "; "), maxReason)
		}
	}
	r.strict(&res)
	res.Evidence = c.evidence
	if c.dropped > 0 {
		res.Evidence = append(res.Evidence, Evidence{Step: "more exchanges", Note: fmt.Sprintf("%d more exchanges not shown", c.dropped)})
	}
	if res.Status == StatusFail {
		res.Evidence = append(res.Evidence, Evidence{Step: "run this check again", Reproduce: r.reproduceCheck(d.ID),
			Note: "credentials from $" + EnvAccessToken + " and $" + EnvSecretKey})
	}
	res.Duration = time.Since(start)
	return res
}
