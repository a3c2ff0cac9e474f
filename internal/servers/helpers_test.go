package servers

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Loopback helpers: every server here listens on 127.0.0.1, and every
// name that is not an IP literal is resolved by an injected fake, so no
// test sends a packet off this machine or asks real DNS anything.

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

var testInfo = plextv.Info{
	Product:          "plextray-test",
	Version:          "0.0.0",
	Platform:         "Linux",
	DeviceName:       "test",
	ClientIdentifier: "plextray-test-client-id",
}

// pms answers /identity like a Plex Media Server. The machine id is the
// first path element when there is one (/<id>/identity), else id; so one
// listener can stand in for many servers.
type pms struct {
	id    string
	delay time.Duration // answer after this long (or when the client leaves)
	xml   bool
	quit  chan struct{}

	mu      sync.Mutex
	headers []http.Header
	hits    atomic.Int64
}

func (p *pms) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.hits.Add(1)
	p.mu.Lock()
	p.headers = append(p.headers, r.Header.Clone())
	p.mu.Unlock()
	id := p.id
	path := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case path == "identity":
	case strings.HasSuffix(path, "/identity"):
		id = strings.TrimSuffix(path, "/identity")
	default:
		http.NotFound(w, r)
		return
	}
	if p.delay > 0 {
		t := time.NewTimer(p.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-p.quit:
			return
		}
	}
	if p.xml {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<MediaContainer size="0" claimed="1" machineIdentifier="%s" version="1.41.0"/>`, id)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"MediaContainer":{"size":0,"claimed":true,"machineIdentifier":%q,"version":"1.41.0"}}`, id)
}

func (p *pms) lastHeader() http.Header {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.headers) == 0 {
		return nil
	}
	return p.headers[len(p.headers)-1]
}

// start serves h on a fresh loopback listener, over TLS if tls.
// Cleanup ends hanging handlers first (quit), then closes the server.
func start(t testing.TB, h http.Handler, tls bool, quit chan struct{}) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // dropped TLS handshakes are the point
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		if quit != nil {
			select {
			case <-quit:
			default:
				close(quit)
			}
		}
		srv.Close()
	})
	return srv
}

func newPMS(t testing.TB, id string, tls bool) (*httptest.Server, *pms) {
	p := &pms{id: id, quit: make(chan struct{})}
	return start(t, p, tls, p.quit), p
}

func newSlowPMS(t testing.TB, id string, tls bool, delay time.Duration) (*httptest.Server, *pms) {
	p := &pms{id: id, delay: delay, quit: make(chan struct{})}
	return start(t, p, tls, p.quit), p
}

// hang accepts requests and never answers; a handler returns when its
// client goes away or the test ends. Each arrival is signalled on arrived
// (if non-nil; never blocks), and each handler exit counted.
type hang struct {
	quit    chan struct{}
	arrived chan struct{}
	active  atomic.Int64
}

func (h *hang) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.active.Add(1)
	defer h.active.Add(-1)
	if h.arrived != nil {
		select {
		case h.arrived <- struct{}{}:
		default:
		}
	}
	select {
	case <-r.Context().Done():
	case <-h.quit:
	}
}

func newHang(t testing.TB, tls bool, buffer int) (*httptest.Server, *hang) {
	h := &hang{quit: make(chan struct{})}
	if buffer > 0 {
		h.arrived = make(chan struct{}, buffer)
	}
	return start(t, h, tls, h.quit), h
}

// answer serves a fixed status and body.
func answer(t testing.TB, status int, body string, header map[string]string) *httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
	return start(t, h, false, nil)
}

// silent accepts TCP connections and never sends a byte (a TLS handshake
// against it hangs). It returns the address and a count of connections
// still open on its side.
func silent(t testing.TB) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var open atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			open.Add(1)
			wg.Go(func() {
				defer open.Add(-1)
				defer c.Close()
				io.Copy(io.Discard, c) // until the client closes
			})
		}
	})
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return l.Addr().String(), &open
}

// closedPort returns a loopback host:port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func pool(srvs ...*httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	for _, s := range srvs {
		p.AddCert(s.Certificate())
	}
	return p
}

func conn(uri string, local, relay bool) plextv.Connection {
	proto := "http"
	if strings.HasPrefix(uri, "https:") {
		proto = "https"
	}
	return plextv.Connection{Protocol: proto, URI: uri, Local: local, Relay: relay}
}

func server(name, id string, owned bool, conns ...plextv.Connection) plextv.Resource {
	return plextv.Resource{
		Name: name, Product: "Plex Media Server", Provides: "server",
		ClientIdentifier: id, Owned: owned, Presence: true,
		AccessToken: "FxSrvTok_test", Connections: conns,
	}
}

// fakeResolver answers from a table; anything else is NXDOMAIN.
type fakeResolver map[string]string

func (f fakeResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if ip, ok := f[strings.ToLower(host)]; ok {
		return []net.IPAddr{{IP: net.ParseIP(ip)}}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// refuseDial fails every dial with ECONNREFUSED, without a socket.
func refuseDial(ctx context.Context, network, addr string) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// loopbackOnly dials 127.0.0.1/::1 addresses and refuses anything else,
// so a test can never reach the outside even by mistake.
func loopbackOnly(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return refuseDial(ctx, network, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// newProber returns a Prober that can reach only loopback addresses and
// resolves names only through res (nil: none).
func newProber(t testing.TB, o Options) *Prober {
	t.Helper()
	if o.Info.ClientIdentifier == "" {
		o.Info = testInfo
	}
	if o.DialContext == nil {
		o.DialContext = loopbackOnly
	}
	if o.Resolver == nil {
		o.Resolver = fakeResolver{}
	}
	p := New(o)
	t.Cleanup(p.Close)
	return p
}

// settleGoroutines waits (polling) until at most want goroutines run,
// and returns the last count. Transport and server goroutines end
// asynchronously, shortly after the sockets they serve are closed.
func settleGoroutines(want int) int {
	n := 0
	eventually(func() bool { n = runtime.NumGoroutine(); return n <= want })
	return n
}

// eventually polls cond until it holds or 5 s pass (for effects that
// finish asynchronously, like a server noticing its client left).
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// collect runs Stream and returns the result and every event.
func collect(ctx context.Context, p *Prober, rs []plextv.Resource, on func(Event)) ([]Server, []Event) {
	var evs []Event
	res := p.Stream(ctx, rs, func(e Event) {
		evs = append(evs, e)
		if on != nil {
			on(e)
		}
	})
	return res, evs
}

// only checks one resource and returns its only server.
func only(t *testing.T, p *Prober, r plextv.Resource) Server {
	t.Helper()
	res := p.Check(context.Background(), []plextv.Resource{r})
	if len(res) != 1 {
		t.Fatalf("got %d servers, want 1", len(res))
	}
	return res[0]
}
