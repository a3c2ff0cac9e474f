package servers

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// dialLog is a loopback-only dialer that records every address dialled.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	return loopbackOnly(ctx, network, addr)
}

func (d *dialLog) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.addrs)
}

// A probe dials once: the request goes over the socket dialled before it,
// over plain http, https with the Transport's TLS (RootCAs) and https
// with the system-roots verifier (which dials through the Transport's
// DialContext too).
func TestProbeSendsOverTheSocketItDialled(t *testing.T) {
	plain, plainPMS := newPMS(t, idA, false)
	secure, securePMS := newPMS(t, idA, true)
	cases := []struct {
		name  string
		srv   string
		pm    *pms
		roots bool
		state State
	}{
		{"http", plain.URL, plainPMS, false, Reachable},
		{"https, RootCAs", secure.URL, securePMS, true, Reachable},
		// The system roots do not trust the test server: the handshake
		// runs, over the one socket, and fails verification.
		{"https, system roots", secure.URL, securePMS, false, TLSError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var log dialLog
			o := Options{DialContext: log.dial}
			if tc.roots {
				o.RootCAs = pool(secure)
			}
			before := tc.pm.hits.Load()
			s := only(t, newProber(t, o), server("x", idA, true, conn(tc.srv, true, false)))
			if c := s.Connections[0]; c.State != tc.state {
				t.Fatalf("state %v (%v %q), want %v", c.State, c.Reason, c.Err, tc.state)
			}
			u, _ := url.Parse(tc.srv)
			if got := log.list(); len(got) != 1 || got[0] != u.Host {
				t.Errorf("dialled %q, want %q once", got, u.Host)
			}
			if tc.state == Reachable {
				if n := tc.pm.hits.Load() - before; n != 1 {
					t.Errorf("server got %d requests, want 1", n)
				}
			}
		})
	}
}

// A refused connection is one dial, and Refused.
func TestProbeRefusedIsOneDial(t *testing.T) {
	var log dialLog
	addr := closedPort(t)
	s := only(t, newProber(t, Options{DialContext: log.dial}), server("x", idA, true, conn("https://"+addr, true, false)))
	if c := s.Connections[0]; c.State != Refused {
		t.Fatalf("state %v (%v %q), want refused", c.State, c.Reason, c.Err)
	}
	if got := log.list(); len(got) != 1 || got[0] != addr {
		t.Errorf("dialled %q, want %q once", got, addr)
	}
}

// Headers net/http refuses fail the probe before any dial, as net/http
// alone does.
func TestProbeInvalidHeaderFailsBeforeDialling(t *testing.T) {
	srv, pm := newPMS(t, idA, false)
	var log dialLog
	info := testInfo
	info.DeviceName = "living\nroom"
	s := only(t, newProber(t, Options{Info: info, DialContext: log.dial}), server("x", idA, true, conn(srv.URL, true, false)))
	c := s.Connections[0]
	if c.State != Unreachable || c.Reason != ReasonNetwork || !strings.Contains(c.Err, "invalid header") {
		t.Fatalf("state %v reason %v %q, want unreachable: invalid header", c.State, c.Reason, c.Err)
	}
	if got := log.list(); len(got) != 0 {
		t.Errorf("dialled %q, want nothing", got)
	}
	if n := pm.hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// With a proxy, the probe dials the proxy (through net/http), never the
// server itself.
func TestProbeThroughProxyDialsOnlyTheProxy(t *testing.T) {
	srv, _ := newPMS(t, idA, false)
	proxy := closedPort(t)
	var log dialLog
	tr := &http.Transport{Proxy: func(*http.Request) (*url.URL, error) { return &url.URL{Scheme: "http", Host: proxy}, nil }}
	s := only(t, newProber(t, Options{Transport: tr, DialContext: log.dial}), server("x", idA, true, conn(srv.URL, true, false)))
	if c := s.Connections[0]; c.State != Refused {
		t.Fatalf("state %v (%v %q), want refused (by the proxy's port)", c.State, c.Reason, c.Err)
	}
	if got := log.list(); len(got) != 1 || got[0] != proxy {
		t.Errorf("dialled %q, want the proxy %q once", got, proxy)
	}
}

func TestDialFirstAddr(t *testing.T) {
	p := New(Options{Info: testInfo})
	tests := []struct {
		uri  string
		want string // "": not dialled first
	}{
		{"http://127.0.0.1:32400/identity", "127.0.0.1:32400"},
		{"https://10.0.0.2/identity", "10.0.0.2:443"},
		{"http://10.0.0.2/identity", "10.0.0.2:80"},
		{"HTTPS://Host.Example:8443/identity", "Host.Example:8443"},
		{"https://[::1]:32400/identity", "[::1]:32400"},
		{"https://1-2-3-4.0123456789abcdef.plex.direct:32400/identity", "1-2-3-4.0123456789abcdef.plex.direct:32400"},
		{"https://bücher.example:32400/identity", ""}, // net/http converts it to punycode
		{"ftp://10.0.0.2/identity", ""},
		{"http:///identity", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.uri)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := p.dialFirstAddr(u)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("dialFirstAddr(%s) = %q, %v; want %q", tt.uri, got, ok, tt.want)
		}
	}
}

// classifyDial tells a refused dial at once, and otherwise says what
// classify says, for every kind of dial error and context state.
func TestClassifyDialAgreesWithClassify(t *testing.T) {
	p := New(Options{Timeout: time.Second})
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errs := []error{
		refused,
		&url.Error{Op: "Get", URL: "https://127.0.0.1:1/identity", Err: refused},
		&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)},
		&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ETIMEDOUT)},
		&net.DNSError{Err: "no such host", Name: "nas.example.invalid", IsNotFound: true},
		&net.DNSError{Err: "i/o timeout", Name: "nas.example.invalid", IsTimeout: true},
		context.DeadlineExceeded,
		context.Canceled,
		errCheckOver,
	}
	live := context.Background()
	cancelled, cancel := context.WithCancel(live)
	cancel()
	deadline, stop := context.WithTimeoutCause(live, time.Nanosecond, errCheckDeadline)
	defer stop()
	<-deadline.Done()
	ctxs := []struct {
		name        string
		parent, ctx context.Context
	}{
		{"live", live, live},
		{"probe timed out", live, cancelled},
		{"check cancelled", cancelled, cancelled},
		{"check deadline", deadline, deadline},
	}
	for _, c := range ctxs {
		for _, err := range errs {
			if got, want := p.classifyDial(c.parent, c.ctx, err), p.classify(c.parent, c.ctx, err); got != want {
				t.Errorf("%s, %v: classifyDial %+v, classify %+v", c.name, err, got, want)
			}
		}
	}
	if got := p.classifyDial(live, live, refused); got.state != Refused {
		t.Errorf("refused dial: %+v", got)
	}
}
