package servers

import "testing"

// chooseURI, case by case: the URI to hand out, and whether anything
// still unknown could change it.
func TestChooseURI(t *testing.T) {
	pd := "https://127-0-0-1.0123456789abcdef0123456789abcdef.plex.direct:32400"
	local := Connection{URI: pd, Protocol: "https", Address: "127.0.0.1", Port: 32400, Local: true, State: Reachable}
	blocked := local
	blocked.DNS = DNSFailed
	remote := Connection{URI: "https://203.0.113.7:32400", Protocol: "https", Address: "203.0.113.7", State: Reachable}
	relay := Connection{URI: "https://relay.example:8443", Protocol: "https", Address: "relay.example", Relay: true, State: Reachable}
	plain := Connection{URI: "http://127.0.0.1:32400", Protocol: "http", Address: "127.0.0.1", Local: true, State: Reachable}
	pending := func(c Connection) Connection { c.State = Pending; return c }
	srv := func(conns ...Connection) Server {
		return Server{Decided: true, Best: conns[0].URI, BestIndex: 0, Connections: conns}
	}
	for _, tc := range []struct {
		name       string
		s          Server
		dnsPending bool
		uri        string
		kind       URIKind
		final      bool
	}{
		{"not decided", Server{BestIndex: -1, Connections: []Connection{pending(local)}}, false, "", URINone, false},
		{"nothing reachable", Server{Decided: true, BestIndex: -1}, false, "", URINone, true},
		{"best works here", srv(local), false, pd, URIBest, true},
		{"best's DNS answer still to come", srv(local), true, pd, URIBest, false},
		{"blocked, nothing else", srv(blocked), false, pd, URINeedsDNS, true},
		{"blocked, plain http is never offered", srv(blocked, plain), false, pd, URINeedsDNS, true},
		{"blocked, remote", srv(blocked, relay, remote), false, remote.URI, URIOther, true},
		{"blocked, relay while a remote is pending", srv(blocked, relay, pending(remote)), false, relay.URI, URIOther, false},
		{"blocked, remote while a relay is pending", srv(blocked, remote, pending(relay)), false, remote.URI, URIOther, true},
		{"blocked, a remote still pending", srv(blocked, pending(remote)), false, pd, URINeedsDNS, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			final := chooseURI(&s, tc.dnsPending)
			if s.URI != tc.uri || s.URIKind != tc.kind || final != tc.final {
				t.Fatalf("URI %q %v final %v; want %q %v %v", s.URI, s.URIKind, final, tc.uri, tc.kind, tc.final)
			}
			if c, ok := s.URIConnection(); ok != (tc.uri != "") || (ok && c.URI != tc.uri) {
				t.Fatalf("URIConnection %q %v", c.URI, ok)
			}
		})
	}
}
