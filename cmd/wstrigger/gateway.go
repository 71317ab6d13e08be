package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http/httpproxy"

	"github.com/wstrigger/wstrigger/client"
	"github.com/wstrigger/wstrigger/protocol"
)

// gatewayOptions are the flags for a target behind a gateway: extra
// headers on every join and push, the CA that signed its certificate or
// no verification at all. Proxies come from $HTTPS_PROXY, $HTTP_PROXY
// and $NO_PROXY, as for curl and Go's own clients.
type gatewayOptions struct {
	Header   http.Header
	CACert   string
	Insecure bool
	gw       *gateway // resolveGateway's
}

// register defines --header, --ca-cert and --insecure.
func (g *gatewayOptions) register(fs *flag.FlagSet) {
	fs.Var(repeatable(g.addHeader), "header", "extra header 'Name: value' on every join and push, such as a gateway's key (repeatable); the values of headers named like credentials are never printed")
	fs.StringVar(&g.CACert, "ca-cert", "", "PEM `FILE` of the CA certificates an https or wss target's certificate is checked against, beside the system's")
	fs.BoolVar(&g.Insecure, "insecure", false, "do not verify an https or wss target's certificate (a test set-up only)")
}

// reservedHeaders are the headers --header may not set: the protocol's
// credentials (--access-token, --secret-key) and what the client
// writes itself.
var reservedHeaders = []string{protocol.HeaderAccessToken, protocol.HeaderSecretKey, "Host", "Connection", "Upgrade",
	"Content-Length", "Content-Type", "Transfer-Encoding", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Sec-Websocket-Protocol"}

// addHeader adds one --header 'Name: value'. Its errors never hold the
// value, which may be a credential.
func (g *gatewayOptions) addHeader(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch {
	case !ok:
		return errors.New("want 'Name: value', with a colon after the name")
	case !httpguts.ValidHeaderFieldName(name):
		return fmt.Errorf("%q is not a header name", name)
	case !httpguts.ValidHeaderFieldValue(value):
		return fmt.Errorf("the value of %s holds a character a header cannot", name)
	}
	for _, r := range reservedHeaders {
		if strings.EqualFold(name, r) {
			if strings.EqualFold(name, protocol.HeaderAccessToken) || strings.EqualFold(name, protocol.HeaderSecretKey) {
				return fmt.Errorf("%s is the protocol's credential: give it with --access-token and --secret-key", name)
			}
			return fmt.Errorf("%s is written by wstrigger itself", name)
		}
	}
	if g.Header == nil {
		g.Header = http.Header{}
	}
	g.Header.Add(name, value)
	return nil
}

// tlsConfig is the TLS configuration --ca-cert and --insecure ask for;
// nil for the default.
func (g *gatewayOptions) tlsConfig() (*tls.Config, error) {
	if g.CACert == "" && !g.Insecure {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: g.Insecure} //nolint:gosec // --insecure asks for it
	if g.CACert != "" {
		pem, err := os.ReadFile(g.CACert)
		if err != nil {
			return nil, fmt.Errorf("--ca-cert: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-cert %s: no PEM certificate in it", g.CACert)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// proxyFromEnv is the proxy of a request by $HTTPS_PROXY, $HTTP_PROXY
// and $NO_PROXY (or their lower-case forms) as getenv reads them, with
// the rules of http.ProxyFromEnvironment, which reads them the same
// way (golang.org/x/net/http/httpproxy) but from the process, once:
// here they are read through the command's environment, so that a test
// can set them. Loopback targets are never proxied.
func proxyFromEnv(getenv func(string) string) func(*http.Request) (*url.URL, error) {
	either := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return getenv(strings.ToLower(name))
	}
	cfg := &httpproxy.Config{HTTPProxy: either("HTTP_PROXY"), HTTPSProxy: either("HTTPS_PROXY"), NoProxy: either("NO_PROXY")}
	proxy := cfg.ProxyFunc()
	return func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
}

// gateway is what the commands hand the client, load and contract
// packages for a target behind a gateway.
type gateway struct {
	header http.Header
	tls    *tls.Config
	proxy  func(*http.Request) (*url.URL, error)
}

// resolveGateway checks the flags and keeps what they ask for in
// g.gw, reading the proxy settings from the environment.
func (g *gatewayOptions) resolveGateway(e *env) error {
	if g.gw != nil {
		return nil
	}
	cfg, err := g.tlsConfig()
	if err != nil {
		return err
	}
	g.gw = &gateway{header: g.Header, tls: cfg, proxy: proxyFromEnv(e.getenv)}
	if g.Insecure {
		fmt.Fprintln(e.stderr, "warning: --insecure: the target's TLS certificate is not verified")
	}
	return nil
}

// clientOptions are the client options of a join or push through gw.
func (gw *gateway) clientOptions() *client.Options {
	if gw == nil {
		return nil
	}
	return &client.Options{Header: gw.header, TLSConfig: gw.tls, Proxy: gw.proxy,
		HTTPClient: &http.Client{Transport: gw.transport()}}
}

// transport is an HTTP transport through gw: its TLS configuration and
// proxy.
func (gw *gateway) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig, t.Proxy = gw.tls, gw.proxy
	return t
}
