package servers

// The one URI policy. Every front end hands out Server.URI: the tray's
// Copy URI, `plextray uri`, and `plextray servers` (the table's "best",
// --json's "best") alike, so they agree for every server.
//
// A URI is handed out to be used by other programs on this machine (a
// browser, curl, a script), with the server's certificate verified. So:
//
//  1. Best, when other programs here can use it: anything but a
//     plex.direct name this network's DNS does not resolve (URIBest).
//  2. Otherwise the best reachable connection other programs can use,
//     never a less secure one than Best (https stays https): a remote or
//     relay connection, whose certificate the probe verified (URIOther).
//  3. Otherwise Best itself (URINeedsDNS): it works, verified, the moment
//     the router lets plex.direct names resolve, and meanwhile with
//     curl --resolve. Front ends say so and give the fix.
//
// Never plain http://address:port in place of an https name: that would
// send the X-Plex-Token unencrypted and unverified across the network,
// where any device can read it or pose as the server.

// URIKind says why Server.URI is the URI it is.
type URIKind int

const (
	// URINone: no connection is reachable; URI is "".
	URINone URIKind = iota
	// URIBest: URI is Best, and other programs here can use it.
	URIBest
	// URIOther: Best is a plex.direct name this network's DNS does not
	// resolve; URI is the best reachable connection that needs no such
	// name and is no less secure.
	URIOther
	// URINeedsDNS: as URIOther, but there is no such connection: URI is
	// Best, which other programs here can use only once plex.direct names
	// resolve (or with curl --resolve).
	URINeedsDNS
)

var uriKindNames = [...]string{URINone: "none", URIBest: "best", URIOther: "other_connection", URINeedsDNS: "needs_plex_direct_dns"}

// String is the kind's JSON word: "best", "other_connection", …
func (k URIKind) String() string {
	if k >= 0 && int(k) < len(uriKindNames) {
		return uriKindNames[k]
	}
	return "none"
}

// MarshalText writes the JSON word.
func (k URIKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// URIConnection returns the connection behind URI.
func (s Server) URIConnection() (Connection, bool) {
	if s.URIIndex < 0 || s.URIIndex >= len(s.Connections) {
		return Connection{}, false
	}
	return s.Connections[s.URIIndex], true
}

// dnsUnknown reports whether c is a plex.direct name whose DNS answer is
// still to come (the run's check of the name has not ended).
func dnsUnknown(c Connection, dnsPending bool) bool {
	if !dnsPending || c.DNS != DNSNotChecked {
		return false
	}
	_, ok := directIP(hostOf(c.URI), c.Address)
	return ok
}

// usableHere reports whether other programs here can use c's URI:
// anything but a plex.direct name whose DNS failed.
func usableHere(c Connection) bool { return c.DNS != DNSFailed }

// chooseURI sets s.URI, s.URIIndex and s.URIKind by the policy above from
// what is known now, and reports whether the choice is final: no pending
// connection or DNS answer can change it. dnsPending says some of s's
// plex.direct names still wait for their DNS answer.
func chooseURI(s *Server, dnsPending bool) (final bool) {
	s.URI, s.URIIndex, s.URIKind = "", -1, URINone
	if !s.Decided {
		return false
	}
	b, ok := s.BestConnection()
	if !ok {
		return true // decided with nothing reachable: every probe ended
	}
	if usableHere(b) {
		s.URI, s.URIIndex, s.URIKind = s.Best, s.BestIndex, URIBest
		return !dnsUnknown(b, dnsPending)
	}
	// Best's name does not resolve here: the best other connection that
	// does, once nothing still unknown could beat it.
	alt, waiting := -1, -1 // waiting: the best class still unknown
	for i, c := range s.Connections {
		if i == s.BestIndex || (b.Protocol == "https" && c.Protocol != "https") {
			continue
		}
		switch {
		case c.State == Pending, c.State == Reachable && dnsUnknown(c, dnsPending):
			if waiting < 0 || class(c) < waiting {
				waiting = class(c)
			}
		case c.State == Reachable && usableHere(c):
			if alt < 0 || better(c, i, s.Connections[alt], alt) {
				alt = i
			}
		}
	}
	if alt >= 0 {
		s.URI, s.URIIndex, s.URIKind = s.Connections[alt].URI, alt, URIOther
		return waiting < 0 || waiting > class(s.Connections[alt])
	}
	s.URI, s.URIIndex, s.URIKind = s.Best, s.BestIndex, URINeedsDNS
	return waiting < 0
}
