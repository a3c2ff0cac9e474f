package servers

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

func TestPlexDirectIP(t *testing.T) {
	for host, want := range map[string]string{
		"192-168-1-5.0123456789abcdef0123456789abcdef.plex.direct":                             "192.168.1.5",
		"10-0-0-1.ABCDEF0123456789ABCDEF0123456789.PLEX.DIRECT.":                               "10.0.0.1",
		"240e-03a1-02f1-9f70-ca8a-d8ff-fe32-766b.0123456789abcdef0123456789abcdef.plex.direct": "240e:3a1:2f1:9f70:ca8a:d8ff:fe32:766b",
		"0000-0000-0000-0000-0000-0000-0000-0001.0123456789abcdef0123456789abcdef.plex.direct": "::1",
		"192-168-1-5.plex.direct":                               "", // no hash
		"192-168-1-256.x.plex.direct":                           "",
		"192-168-01-5.x.plex.direct":                            "", // leading zero
		"192-168-1.x.plex.direct":                               "",
		"240e-3a1-2f1-9f70-ca8a-d8ff-fe32-766b.x.plex.direct":   "", // not zero-padded
		"0000-0000-0000-0000-0000-ffff-0a00-0001.x.plex.direct": "", // v4-mapped
		"192-168-1-5.x.plex.direct.evil.com":                    "",
		"192-168-1-5.example.com":                               "",
		"nas.local":                                             "",
		"-.x.plex.direct":                                       "",
		"1-2-3-4-5-6-7-8.x.plex.direct":                         "",
		"+1-2-3-4.x.plex.direct":                                "",
	} {
		ip, ok := PlexDirectIP(host)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != want {
			t.Errorf("PlexDirectIP(%q) = %q, want %q", host, got, want)
		}
	}
	// The guardrail: only when the name encodes plex.tv's address.
	if _, ok := directIP("192-168-1-5.x.plex.direct", "192.168.1.6"); ok {
		t.Error("directIP accepted a name that encodes another address")
	}
	if _, ok := directIP("192-168-1-5.x.plex.direct", ""); ok {
		t.Error("directIP accepted an empty address")
	}
	if ip, ok := directIP("0000-0000-0000-0000-0000-0000-0000-0001.x.plex.direct", "[::1]"); !ok || ip != netip.IPv6Loopback() {
		t.Errorf("directIP v6 = %v %v", ip, ok)
	}
}

func FuzzPlexDirectIP(f *testing.F) {
	for _, s := range []string{"192-168-1-5.h.plex.direct", "240e-03a1-02f1-9f70-ca8a-d8ff-fe32-766b.h.plex.direct", "a.plex.direct", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ip, ok := PlexDirectIP(host)
		if !ok {
			return
		}
		// Whatever decodes must be a plex.direct name whose first label is
		// that IP written back the same way.
		label, _, _ := strings.Cut(strings.ToLower(host), ".")
		var back string
		if ip.Is4() {
			back = strings.ReplaceAll(ip.String(), ".", "-")
		} else {
			b := ip.As16()
			var g []string
			for i := 0; i < 16; i += 2 {
				g = append(g, strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1])|1<<16, 16)[1:])
			}
			back = strings.Join(g, "-")
		}
		if back != label {
			t.Fatalf("%q decoded to %v, which writes back as %q", host, ip, back)
		}
	})
}

// plexDirectServer lists a simulator TLS PMS under its plex.direct name,
// with address (what plex.tv says) as given.
func plexDirectServer(t *testing.T, address string) (plextv.Resource, *plextvsim.PMS) {
	t.Helper()
	p, err := plextvsim.StartPMS(plextvsim.PMSOptions{Name: "Attic", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.URL(), "https://"))
	n, _ := strconv.Atoi(port)
	c := plextv.Connection{Protocol: "https", Address: address, Port: n, URI: p.PlexDirectURL(), Local: true}
	return server("Attic", p.MachineIdentifier(), true, c), p
}

func simPool(t *testing.T) Options {
	t.Helper()
	pool, err := plextvsim.CACertPool()
	if err != nil {
		t.Fatal(err)
	}
	return Options{RootCAs: pool}
}

// Behind DNS-rebinding protection a plex.direct server is still reachable,
// over https with its certificate verified, by the IP in its name.
func TestPlexDirectBlockedDNSReachable(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	s := only(t, newProber(t, o), r)
	c := s.Connections[0]
	if c.State != Reachable || c.DNS != DNSFailed || !c.ViaAddress {
		t.Fatalf("state %v dns %v via address %v (%s), want reachable, failed, true", c.State, c.DNS, c.ViaAddress, c.Reason)
	}
	if s.Best != r.Connections[0].URI {
		t.Errorf("best %q", s.Best)
	}
	// Other programs here cannot resolve the name, and the server has no
	// other connection: the URI is still the name (verified https, never
	// plain http to the address, even though the server accepts http),
	// and says it needs plex.direct DNS.
	if s.URIKind != URINeedsDNS || s.URI != s.Best || s.URIIndex != 0 {
		t.Errorf("URI %v %q (%d)", s.URIKind, s.URI, s.URIIndex)
	}
	if !DNSBlocked([]Server{s}) {
		t.Error("DNSBlocked false")
	}
}

// The certificate is still checked: a server whose certificate is not for
// that name fails as a TLS error even when dialled by the IP in the name.
func TestPlexDirectCertificateStillVerified(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	r.Connections[0].URI = strings.Replace(r.Connections[0].URI, plextvsim.PlexDirectHash(), strings.Repeat("0", 32), 1)
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	c := only(t, newProber(t, o), r).Connections[0]
	if c.State != TLSError {
		t.Fatalf("state %v (%s), want TLS error", c.State, c.Reason)
	}
}

// With working DNS the name resolves; both paths lead to the same server.
func TestPlexDirectWorkingDNS(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	o := simPool(t)
	o.Resolver = plextvsim.WorkingDNS
	s := only(t, newProber(t, o), r)
	c := s.Connections[0]
	if c.State != Reachable || c.DNS != DNSResolved {
		t.Fatalf("state %v dns %v (%s)", c.State, c.DNS, c.Reason)
	}
	if s.URIKind != URIBest || s.URI != s.Best || DNSBlocked([]Server{s}) {
		t.Errorf("URI %v %q, blocked %v", s.URIKind, s.URI, DNSBlocked([]Server{s}))
	}
}

// The IP in the name is dialled only when it is plex.tv's address for the
// connection: a name pointing elsewhere gets ordinary DNS only.
func TestPlexDirectOnlyOwnAddress(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.2")
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	c := only(t, newProber(t, o), r).Connections[0]
	if c.State != DNSFailure || c.ViaAddress {
		t.Fatalf("state %v via %v (%s), want DNS failure", c.State, c.ViaAddress, c.Reason)
	}
}

// A reachable connection that needs no plex.direct name is handed out
// instead of the blocked best one, but never a plain-http one in place of
// https; and Best (what `uri` answers) agrees with the full check.
func TestURIOtherConnection(t *testing.T) {
	r, p := plexDirectServer(t, "127.0.0.1")
	plain, err := plextvsim.StartPMS(plextvsim.PMSOptions{Name: "Attic", MachineIdentifier: p.MachineIdentifier()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	r.Connections = append(r.Connections,
		plextv.Connection{Protocol: "http", URI: plain.URL(), Address: "127.0.0.1", Local: true}, // local, plain http
		plextv.Connection{Protocol: "https", URI: p.URL(), Address: "127.0.0.1"})                 // remote, by IP
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	pr := newProber(t, o)
	s := only(t, pr, r)
	if s.Best != r.Connections[0].URI || s.URIKind != URIOther || s.URI != p.URL() || s.URIIndex != 2 {
		t.Fatalf("best %q URI %v %q (%d)", s.Best, s.URIKind, s.URI, s.URIIndex)
	}
	b, err := pr.Best(context.Background(), []plextv.Resource{r}, "")
	if err != nil || b.URI != s.URI || b.Kind != URIOther || b.Connection.URI != p.URL() {
		t.Fatalf("Best = %q %v (%q), %v; want %q as the check says", b.URI, b.Kind, b.Connection.URI, err, s.URI)
	}
}

// Checks with blocked DNS leave nothing behind either (the losing dial path
// is closed).
func TestPlexDirectNothingLeft(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	o := simPool(t)
	o.Resolver = plextvsim.WorkingDNS
	p := newProber(t, o)
	only(t, p, r) // warm up
	before := settleGoroutines(1 << 30)
	for range 5 {
		only(t, p, r)
	}
	if n := settleGoroutines(before); n > before {
		t.Errorf("%d goroutines after, %d before:\n%s", n, before, allStacks())
	}
	_ = context.Background
}

// IPv6: eight zero-padded groups in the name, dialled as [::1].
func TestPlexDirectIPv6BlockedDNS(t *testing.T) {
	p, err := plextvsim.StartPMS(plextvsim.PMSOptions{Name: "v6", TLS: true, Addr: "[::1]:0"})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(p.URL(), "https://"))
	n, _ := strconv.Atoi(port)
	u := plextvsim.PlexDirectURLFor(net.JoinHostPort("::1", port))
	if !strings.HasPrefix(u, "https://0000-0000-0000-0000-0000-0000-0000-0001.") {
		t.Fatalf("URL %q", u)
	}
	r := server("v6", p.MachineIdentifier(), true, plextv.Connection{Protocol: "https", Address: "::1", Port: n, URI: u, Local: true, IPv6: true})
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	s := only(t, newProber(t, o), r)
	if c := s.Connections[0]; c.State != Reachable || !c.ViaAddress || c.DNS != DNSFailed {
		t.Fatalf("state %v via %v dns %v (%s)", c.State, c.ViaAddress, c.DNS, c.Reason)
	}
	if s.URIKind != URINeedsDNS || s.URI != u {
		t.Errorf("URI %v %q", s.URIKind, s.URI)
	}
}

// slowDNS answers "no such host" for plex.direct names only once released.
type slowDNS struct{ release chan struct{} }

func (d slowDNS) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	select {
	case <-d.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return plextvsim.BlockedDNS.LookupIPAddr(ctx, host)
}

// The server answers by the IP in its name long before DNS says no: the
// DNS check still lands before ServerChecked, so the final snapshot knows
// other programs cannot use the name.
func TestPlexDirectDNSAnswerAfterTheProbe(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	dns := slowDNS{release: make(chan struct{})}
	o := simPool(t)
	o.Resolver = dns
	var kinds []EventKind
	var final Server
	res := newProber(t, o).Stream(context.Background(), []plextv.Resource{r}, func(e Event) {
		kinds = append(kinds, e.Kind)
		if e.Kind == ConnectionChecked {
			if c := e.Server.Connections[0]; c.State != Reachable || !c.ViaAddress {
				t.Errorf("probe: %v via %v (%s)", c.State, c.ViaAddress, c.Reason)
			}
			close(dns.release) // only now does DNS answer
		}
		if e.Kind == ServerChecked {
			final = e.Server
		}
	})
	if want := []EventKind{ConnectionChecked, BestDecided, URIDecided, ServerChecked}; !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if final.Connections[0].DNS != DNSFailed || final.URIKind != URINeedsDNS || !DNSBlocked(res) {
		t.Errorf("final: dns %v URI %v blocked %v", final.Connections[0].DNS, final.URIKind, DNSBlocked(res))
	}
}
