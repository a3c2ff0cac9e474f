package servers

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

func TestProbeReachableSendsIdentityNoToken(t *testing.T) {
	srv, pm := newPMS(t, idA, false)
	p := newProber(t, Options{})
	s := only(t, p, server("Living Room", idA, true, conn(srv.URL, true, false)))
	c := s.Connections[0]
	if c.State != Reachable || c.Latency <= 0 {
		t.Fatalf("state %v latency %v (%s), want reachable with latency", c.State, c.Latency, c.Reason)
	}
	if s.Best != srv.URL || !s.Decided {
		t.Fatalf("best %q decided %v", s.Best, s.Decided)
	}
	h := pm.lastHeader()
	if h.Get("X-Plex-Client-Identifier") != testInfo.ClientIdentifier || h.Get("X-Plex-Product") != testInfo.Product {
		t.Errorf("X-Plex-* headers missing: %v", h)
	}
	if h.Get("Accept") != "application/json" {
		t.Errorf("Accept = %q", h.Get("Accept"))
	}
	for k := range h {
		if strings.Contains(strings.ToLower(k), "token") {
			t.Errorf("probe sent a token header %s", k)
		}
	}
	if !s.Decided || s.Best != c.URI || c.Latency <= 0 {
		t.Errorf("best %q decided %v latency %v", s.Best, s.Decided, c.Latency)
	}
}

func TestProbeXMLIdentity(t *testing.T) {
	p0 := &pms{id: idA, xml: true, quit: make(chan struct{})}
	srv := start(t, p0, false, p0.quit)
	s := only(t, newProber(t, Options{}), server("x", idA, true, conn(srv.URL, false, false)))
	if c := s.Connections[0]; c.State != Reachable {
		t.Fatalf("state %v: %s", c.State, c.Reason)
	}
}

func TestProbeHTTPSWithInjectedRoots(t *testing.T) {
	srv, _ := newPMS(t, idA, true)
	p := newProber(t, Options{RootCAs: pool(srv)})
	s := only(t, p, server("x", idA, true, conn(srv.URL, true, false)))
	if c := s.Connections[0]; c.State != Reachable || c.Protocol != "https" {
		t.Fatalf("state %v proto %s: %s", c.State, c.Protocol, c.Reason)
	}
	if !s.Decided || s.BestIndex != 0 {
		t.Errorf("best %d decided %v", s.BestIndex, s.Decided)
	}
}

func TestProbeStates(t *testing.T) {
	plain, _ := newPMS(t, idA, false)
	tlsSrv, _ := newPMS(t, idA, true)
	hung, _ := newHang(t, false, 0)
	other, _ := newPMS(t, idB, false)
	unauthorized := answer(t, 401, `{"errors":[]}`, nil)
	redirect := answer(t, 302, "", map[string]string{"Location": "http://192.0.2.1/identity"})
	html := answer(t, 200, "<html><body>router login</body></html>", nil)
	huge := answer(t, 200, `{"MediaContainer":{"machineIdentifier":"`+idA+`","x":"`+strings.Repeat("a", maxIdentityBody)+`"}}`, nil)
	refused := "http://" + closedPort(t)
	mute, _ := silent(t)

	resolver := fakeResolver{"pms.test": "127.0.0.1"}
	plainPort := plain.Listener.Addr().(*net.TCPAddr).Port

	// Only the two cases that must time out run with a short timeout; the
	// others have a minute, so a busy machine (a TLS handshake can take
	// over 100 ms on two loaded cores) cannot turn them into timeouts.
	tests := []struct {
		name   string
		uri    string
		state  State
		label  string
		reason Reason
	}{
		{"timed out", hung.URL, TimedOut, "timed out", ReasonProbeTimeout},
		{"TLS handshake hangs", "https://" + mute, TimedOut, "timed out", ReasonProbeTimeout},
		{"refused", refused, Refused, "refused", ReasonNone},
		{"untrusted certificate", tlsSrv.URL, TLSError, "TLS error", ReasonBadCertificate},
		{"https to a plain port", strings.Replace(plain.URL, "http:", "https:", 1), TLSError, "TLS error", ReasonNotTLS},
		{"plex.direct blocked", "https://192-168-1-5.0123456789abcdef.plex.direct:32400", DNSFailure, "DNS failed (rebinding protection?)", ReasonNoSuchHost},
		{"other name not found", "https://nas.example.invalid:32400", DNSFailure, "DNS failed", ReasonNoSuchHost},
		{"resolved name", "http://pms.test:" + itoa(plainPort), Reachable, "", ReasonNone},
		{"wrong server", other.URL, WrongServer, "wrong server", ReasonOtherMachine},
		{"not plex", html.URL, WrongServer, "wrong server", ReasonNotIdentity},
		{"too large", huge.URL, WrongServer, "wrong server", ReasonTooLarge},
		{"401", unauthorized.URL, HTTPError, "HTTP 401", ReasonLoginWall},
		{"redirect not followed", redirect.URL, HTTPError, "HTTP 302", ReasonRedirect},
	}
	const timeouts = 2 // tests[:timeouts] must time out
	short := newProber(t, Options{Timeout: 100 * time.Millisecond, Resolver: resolver})
	long := newProber(t, Options{Timeout: time.Minute, Resolver: resolver})
	var rs []plextv.Resource
	for _, tt := range tests {
		rs = append(rs, server(tt.name, idA, true, conn(tt.uri, true, false)))
	}
	res := append(short.Check(context.Background(), rs[:timeouts]), long.Check(context.Background(), rs[timeouts:])...)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := res[i].Connections[0]
			if c.State != tt.state {
				t.Fatalf("state %v (%s), want %v", c.State, c.Reason, tt.state)
			}
			if c.Reason != tt.reason {
				t.Errorf("reason %v, want %v", c.Reason, tt.reason)
			}
			if c.State.answered() != (c.Latency > 0) {
				t.Errorf("latency %v for state %v", c.Latency, c.State)
			}
			if c.State != Reachable && res[i].Best != "" {
				t.Errorf("best %q from a %v connection", res[i].Best, c.State)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestProbeOtherNetworkErrors(t *testing.T) {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}
	}
	p := newProber(t, Options{DialContext: dial})
	s := only(t, p, server("x", idA, true, conn("http://10.9.9.9:32400", true, false)))
	if c := s.Connections[0]; c.State != Unreachable || c.Reason != ReasonNetwork || !strings.Contains(c.Err, "no route") {
		t.Fatalf("state %v reason %v %q", c.State, c.Reason, c.Err)
	}
	if !s.Decided || s.Best != "" {
		t.Errorf("decided %v best %q", s.Decided, s.Best)
	}
}

func TestSkippedByPolicyIsNeverContacted(t *testing.T) {
	srv, pm := newPMS(t, idA, false)
	p := newProber(t, Options{})

	httpsOnly := server("Secure", idA, true, conn(srv.URL, true, false))
	httpsOnly.HTTPSRequired = true
	shared := server("Dad's Plex", idA, false, conn(srv.URL, true, false))
	shared.SourceTitle = "dad"
	res := p.Check(context.Background(), []plextv.Resource{httpsOnly, shared})

	for i, want := range []Reason{SkipHTTPSRequired, SkipSharedLocal} {
		c := res[i].Connections[0]
		if c.State != Skipped || c.Reason != want {
			t.Errorf("%s: state %v reason %v, want skipped %v", res[i].Name, c.State, c.Reason, want)
		}
		if !res[i].Decided || res[i].Best != "" {
			t.Errorf("%s: decided %v best %q", res[i].Name, res[i].Decided, res[i].Best)
		}
	}
	if n := pm.hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}

	// On the same network as the shared server, its local address is fair game.
	shared.PublicAddressMatches = true
	s := only(t, p, shared)
	if c := s.Connections[0]; c.State != Reachable {
		t.Errorf("shared local with publicAddressMatches: %v (%s)", c.State, c.Reason)
	}
}

func TestNoConnectionsAndNonServers(t *testing.T) {
	p := newProber(t, Options{})
	player := plextv.Resource{Name: "AppleTV", Provides: "client,player", Connections: []plextv.Connection{conn("http://127.0.0.1:1", true, false)}}
	empty := server("Empty", idA, true)
	res, evs := collect(context.Background(), p, []plextv.Resource{player, empty}, nil)
	if len(res) != 1 || res[0].Name != "Empty" {
		t.Fatalf("servers %+v", res)
	}
	if !res[0].Decided || res[0].Best != "" || len(res[0].Connections) != 0 {
		t.Errorf("empty server %+v", res[0])
	}
	if len(evs) != 3 || evs[0].Kind != BestDecided || evs[1].Kind != URIDecided || evs[2].Kind != ServerChecked {
		t.Errorf("events %v", evs)
	}
}

func TestClassifyPrefersCancelled(t *testing.T) {
	p := New(Options{Timeout: time.Second})
	parent, cancel := context.WithCancel(context.Background())
	cancel()
	o := p.classify(parent, parent, context.Canceled)
	if o.state != Cancelled {
		t.Errorf("state %v", o.state)
	}
	o = p.classify(context.Background(), context.Background(), errors.New("remote error: tls: handshake failure"))
	if o.state != TLSError {
		t.Errorf("remote alert: %v", o.state)
	}
}

func TestCleanNetworkText(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc…"},
		{"a\nb\x1b[31mc", 10, "a?b?[31mc"},
		{"ééé", 2, "éé…"},
	}
	for _, tt := range tests {
		if got := clean(tt.in, tt.n); got != tt.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
