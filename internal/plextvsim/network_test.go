package plextvsim

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A plex.direct URL of a TLS PMS verifies against the simulator CA when
// the client dials the IP written in the name (as real DNS would answer).
func TestPlexDirectCertificate(t *testing.T) {
	p := startPMS(t, PMSOptions{Name: "Attic", TLS: true})
	u := p.PlexDirectURL()
	if !strings.HasPrefix(u, "https://127-0-0-1."+PlexDirectHash()+".plex.direct:") || len(PlexDirectHash()) != 32 {
		t.Fatalf("PlexDirectURL = %q", u)
	}
	if plain := startPMS(t, PMSOptions{Name: "plain"}); plain.PlexDirectURL() != "" {
		t.Errorf("plain PMS has a plex.direct URL")
	}
	pool, err := CACertPool()
	if err != nil {
		t.Fatal(err)
	}
	dialIP := func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, _ := net.SplitHostPort(addr)
		ips, err := WorkingDNS.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{}).DialContext(ctx, network, net.JoinHostPort(ips[0].IP.String(), port))
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool}, DialContext: dialIP, DisableKeepAlives: true,
	}}
	if st, _, err := get(c, u+"/identity"); err != nil || st != 200 {
		t.Fatalf("plex.direct identity: %d %v", st, err)
	}
	// Another hash is not covered by the certificate.
	other := strings.Replace(u, PlexDirectHash(), strings.Repeat("0", 32), 1)
	if _, _, err := get(c, other+"/identity"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("wrong hash: err = %v, want a certificate error", err)
	}
}

func TestResolvers(t *testing.T) {
	ctx := context.Background()
	name := "127-0-0-1." + PlexDirectHash() + ".plex.direct"
	v6 := "0000-0000-0000-0000-0000-0000-0000-0001." + PlexDirectHash() + ".plex.direct"
	for _, tc := range []struct {
		r    Resolver
		host string
		want string
	}{
		{WorkingDNS, name, "127.0.0.1"},
		{WorkingDNS, v6, "::1"},
		{WorkingDNS, "localhost", "127.0.0.1"},
		{WorkingDNS, "10.0.0.1", "10.0.0.1"},
		{WorkingDNS, "example.com", ""},
		{BlockedDNS, name, ""},
		{BlockedDNS, "127.0.0.1", "127.0.0.1"},
	} {
		ips, err := tc.r.LookupIPAddr(ctx, tc.host)
		var de *net.DNSError
		switch {
		case tc.want == "" && (err == nil || !errors.As(err, &de) || !de.IsNotFound):
			t.Errorf("%+v %s: %v %v, want no such host", tc.r, tc.host, ips, err)
		case tc.want != "" && (err != nil || len(ips) != 1 || ips[0].IP.String() != tc.want):
			t.Errorf("%+v %s: %v %v, want %s", tc.r, tc.host, ips, err, tc.want)
		}
	}
}

func TestNetworkControls(t *testing.T) {
	s := startSim(t, Options{})
	if err := s.AddDemoPlexDirectServer(); err != nil {
		t.Fatal(err)
	}
	attic := s.FindPMS("Attic")
	res := s.Resources()
	if len(res) != 1 || res[0].Connections[0].Address != "127.0.0.1" || res[0].Connections[0].URI != attic.PlexDirectURL() ||
		res[0].AccessToken == "" || res[0].LastSeenAt.IsZero() {
		t.Fatalf("Attic resource = %+v", res)
	}

	// Down by the Go API: the PMS behind the plex.direct name refuses.
	down := true
	if err := s.SetConnection("attic", 0, ConnChange{Down: &down}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := get(pmsClient(t, 5*time.Second), attic.URL()+"/identity"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after down: %v", err)
	}
	if st := ctl(t, "PUT", s.URL()+"/_sim/connection", `{"server":"Attic","index":0,"down":false,"local":false}`, nil); st != 200 {
		t.Fatalf("PUT /_sim/connection: %d", st)
	}
	if attic.Behavior().Down || s.Resources()[0].Connections[0].Local {
		t.Errorf("after up/local=false: behaviour %+v, conn %+v", attic.Behavior(), s.Resources()[0].Connections[0])
	}
	if err := s.SetConnection("Attic", 5, ConnChange{}); err == nil {
		t.Error("connection 5 accepted")
	}
	if err := s.SetConnection("Nope", 0, ConnChange{}); !errors.Is(err, ErrUnknownServer) {
		t.Errorf("unknown server: %v", err)
	}
	seen := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if st := ctl(t, "PUT", s.URL()+"/_sim/server", `{"server":"`+res[0].ClientIdentifier+`","publicAddressMatches":false,"presence":false,"lastSeenAt":"2026-11-27T10:00:00Z"}`, nil); st != 200 {
		t.Fatalf("PUT /_sim/server: %d", st)
	}
	r := s.Resources()[0]
	if r.PublicAddressMatches || r.Presence || !r.LastSeenAt.Equal(seen) {
		t.Errorf("after PUT /_sim/server: %+v", r)
	}
	if st := ctl(t, "PUT", s.URL()+"/_sim/server", `{"server":"Nope"}`, nil); st != 404 {
		t.Errorf("unknown server: %d", st)
	}
}
