package servers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/tlsroots"
)

// Defaults for Options.
const (
	DefaultTimeout = 3 * time.Second
	// DefaultConcurrency bounds the probes starting together. A probe
	// holds its slot until it ends or DefaultGrace has passed, so hung
	// connections delay the others by at most a grace each round:
	// 1 000 probes, half of them hung, all start within 2 × 10 ms
	// (measured: 55–160 ms on two loaded cores).
	DefaultConcurrency = 512
	// DefaultGrace is how long a probe keeps its concurrency slot.
	DefaultGrace = 10 * time.Millisecond
	// DefaultMaxOpen bounds the probes (and so the sockets) open at once.
	DefaultMaxOpen = 1024
)

// errCheckDeadline is the cause of a check's end at Options.CheckTimeout.
var errCheckDeadline = errors.New("servers: check deadline")

// Resolver looks up host names; *net.Resolver satisfies it. Tests inject
// one to simulate DNS failures without DNS traffic.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configures a Prober. The zero value works: system roots, real
// DNS, 3 s timeout, 64 probes at a time, and no X-Plex-* identity (set
// Info: a server lists an unknown prober as a new device).
type Options struct {
	// Info is sent as X-Plex-* headers on every probe; its
	// ClientIdentifier must be the app's stable one.
	Info plextv.Info
	// Timeout bounds one probe (dial, TLS, answer). 0: DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the probes starting together; a probe gives up
	// its slot after Grace even if it has not ended. 0: DefaultConcurrency.
	Concurrency int
	// Grace is how long a probe holds a concurrency slot. 0: DefaultGrace.
	Grace time.Duration
	// MaxOpen bounds the probes in flight (each has at most one socket).
	// 0: DefaultMaxOpen. Never below Concurrency.
	MaxOpen int
	// CheckTimeout bounds a whole check (Check, Stream, Best): at that
	// point unfinished probes end TimedOut ("overall deadline"). 0: none;
	// each probe is still bounded by Timeout.
	CheckTimeout time.Duration
	// RootCAs verifies https servers; nil uses the system roots (which
	// honour SSL_CERT_FILE and SSL_CERT_DIR on Unix).
	RootCAs *x509.CertPool
	// Transport, if set, is cloned as the base of the Prober's own
	// transport. Keep-alives and HTTP/2 are always turned off and the
	// dialer is always wrapped, so no socket outlives its probe.
	Transport *http.Transport
	// DialContext opens TCP connections (address is host:port, or ip:port
	// when Resolver is set). nil: a net.Dialer.
	DialContext func(ctx context.Context, network, address string) (net.Conn, error)
	// Resolver, if set, resolves host names before DialContext is called.
	// nil: the dialer resolves them itself.
	Resolver Resolver
}

// Prober checks servers' connections. It owns one http.Transport; use one
// Prober for the app's life and Close it at the end. Check and Stream may
// run concurrently.
type Prober struct {
	info         plextv.Info
	timeout      time.Duration
	concurrency  int
	grace        time.Duration
	maxOpen      int
	checkTimeout time.Duration
	transport    *http.Transport
	client       *http.Client
	dial         func(ctx context.Context, network, address string) (net.Conn, error)
	resolver     Resolver
	dnsCheck     Resolver // Options.Resolver as given, for the DNS check
	// header is every probe's request header (Accept and Info's X-Plex-*).
	header http.Header
	// dialFirst: a probe dials before it builds its request (see
	// dialFirstAddr). Off with a proxy, or headers net/http refuses
	// before it dials.
	dialFirst bool
}

// New returns a Prober for opts.
func New(opts Options) *Prober {
	p := &Prober{
		info:         opts.Info,
		timeout:      opts.Timeout,
		concurrency:  opts.Concurrency,
		grace:        opts.Grace,
		maxOpen:      opts.MaxOpen,
		checkTimeout: opts.CheckTimeout,
		dial:         opts.DialContext,
		resolver:     opts.Resolver,
		dnsCheck:     opts.Resolver,
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if p.concurrency <= 0 {
		p.concurrency = DefaultConcurrency
	}
	if p.grace <= 0 {
		p.grace = DefaultGrace
	}
	if p.maxOpen <= 0 {
		p.maxOpen = DefaultMaxOpen
	}
	p.maxOpen = max(p.maxOpen, p.concurrency)
	var t *http.Transport
	if opts.Transport != nil {
		t = opts.Transport.Clone()
		if p.dial == nil && t.DialContext != nil {
			p.dial = t.DialContext
		}
	} else {
		t = &http.Transport{} // no proxy: a probe measures the path to the server
	}
	if p.dial == nil {
		d := &net.Dialer{Timeout: p.timeout, KeepAlive: -1}
		if r, ok := p.resolver.(*net.Resolver); ok {
			d.Resolver, p.resolver = r, nil
		}
		p.dial = d.DialContext
	}
	t.DialContext = p.dialTracked
	t.DialTLSContext = nil
	t.DisableKeepAlives = true
	t.ForceAttemptHTTP2 = false
	var protos http.Protocols
	protos.SetHTTP1(true)
	t.Protocols = &protos
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if opts.RootCAs != nil {
		t.TLSClientConfig.RootCAs = opts.RootCAs
	}
	t.TLSHandshakeTimeout = p.timeout
	t.ResponseHeaderTimeout = p.timeout
	t.MaxResponseHeaderBytes = 64 << 10
	// Without RootCAs: the system roots, reading the CA bundle alone
	// unless it cannot verify (same verdicts; a quicker `plextray uri`).
	tlsroots.Install(t)
	p.transport = t
	p.header = http.Header{"Accept": {"application/json"}}
	p.info.Headers(p.header)
	p.dialFirst = t.Proxy == nil && validHeader(p.header)
	p.client = &http.Client{
		Transport: t,
		// /identity does not redirect; a redirect is an answer, not a
		// reason to go elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return p
}

// validHeader reports whether net/http sends h as it is: field values
// without control characters other than tab (the names here are fixed and
// valid). It refuses a request with any other header before dialling.
func validHeader(h http.Header) bool {
	for _, vv := range h {
		for _, v := range vv {
			for i := 0; i < len(v); i++ {
				if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
					return false
				}
			}
		}
	}
	return true
}

// dialFirstAddr is the host:port net/http would dial for u (its canonical
// address), when this probe may dial it before making its request: with
// no proxy and headers net/http accepts (see dialFirst), an http or https
// URL with a host, and an ASCII host (net/http would convert any other to
// punycode first). Otherwise the request is sent as it is and net/http
// dials, through dialTracked, as it always has.
func (p *Prober) dialFirstAddr(u *url.URL) (string, bool) {
	if !p.dialFirst {
		return "", false
	}
	host := u.Hostname()
	if host == "" {
		return "", false
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	port := "80"
	switch u.Scheme {
	case "http":
	case "https":
		port = "443"
	default:
		return "", false
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return net.JoinHostPort(host, port), true
}

// Close releases idle resources. Probes use no keep-alive, so there are
// normally none; Close is still safe to call at any time.
func (p *Prober) Close() { p.transport.CloseIdleConnections() }

// Timeout is the per-probe timeout in use.
func (p *Prober) Timeout() time.Duration { return p.timeout }

// dialRaw resolves (when a Resolver is set) and dials. A *.plex.direct
// name that encodes the probed connection's own address is dialed both by
// DNS and by that address (see dialPlexDirect).
func (p *Prober) dialRaw(ctx context.Context, network, address string, ps *probeScope) (net.Conn, error) {
	if ps != nil && ps.route != nil {
		if host, port, err := net.SplitHostPort(address); err == nil {
			if ip, ok := directIP(host, ps.address); ok {
				return p.dialPlexDirect(ctx, network, host, port, ip, ps.route)
			}
		}
	}
	if p.resolver == nil {
		return p.dial(ctx, network, address)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip != nil {
		return p.dial(ctx, network, address)
	}
	addrs, err := p.resolver.LookupIPAddr(ctx, host)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		if _, ok := err.(*net.DNSError); !ok {
			err = &net.DNSError{Err: err.Error(), Name: host}
		}
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var first error
	for _, a := range addrs {
		c, err := p.dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}
