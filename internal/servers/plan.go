package servers

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/plextray/plextray/internal/plextv"
)

// Plan lists the servers among resources (players and other devices are
// dropped) in plex.tv's order, each connection Pending or Skipped by
// policy. It is what a check starts from, and what a menu can show
// ("checking…") before the first answer.
func Plan(resources []plextv.Resource) []Server {
	var out []Server
	for i := range resources {
		r := &resources[i]
		if !r.IsServer() {
			continue
		}
		s := Server{
			Name:                 r.Name,
			ClientIdentifier:     r.ClientIdentifier,
			Owned:                r.Owned,
			SourceTitle:          r.SourceTitle,
			Presence:             r.Presence,
			HTTPSRequired:        r.HTTPSRequired,
			PublicAddressMatches: r.PublicAddressMatches,
			LastSeenAt:           r.LastSeenAt.Time,
			AccessToken:          r.AccessToken,
			AccessTokenErr:       r.AccessTokenErr,
			BestIndex:            -1,
			URIIndex:             -1,
			Connections:          make([]Connection, 0, len(r.Connections)),
		}
		for _, rc := range r.Connections {
			c := Connection{
				Address: rc.Address,
				Port:    rc.Port,
				Local:   rc.Local,
				Relay:   rc.Relay,
				IPv6:    rc.IPv6,
			}
			c.URI, c.Protocol = normalizeURI(rc)
			if reason := skipReason(r, c); reason != ReasonNone {
				c.State, c.Reason = Skipped, reason
			}
			s.Connections = append(s.Connections, c)
		}
		out = append(out, s)
	}
	return out
}

// skipReason says why c is not probed, or ReasonNone.
func skipReason(r *plextv.Resource, c Connection) Reason {
	switch {
	case c.Protocol == "":
		return SkipBadURI
	case r.HTTPSRequired && c.Protocol == "http":
		return SkipHTTPSRequired
	case !r.Owned && c.Local && !c.Relay && !r.PublicAddressMatches:
		// Its LAN addresses are on the owner's network, not ours: at best
		// a DNS or timeout failure, at worst some other device of ours.
		return SkipSharedLocal
	}
	return ReasonNone
}

// normalizeURI returns the connection's URI (built from protocol, address
// and port when plex.tv gave none) and its scheme, or "" for the scheme
// when the URI is not a plain http(s) URL we are willing to probe.
func normalizeURI(rc plextv.Connection) (uri, scheme string) {
	uri = strings.TrimSpace(rc.URI)
	if uri == "" && rc.Address != "" && rc.Port > 0 {
		p := strings.ToLower(rc.Protocol)
		if p == "" {
			p = "http"
		}
		uri = p + "://" + net.JoinHostPort(rc.Address, strconv.Itoa(rc.Port))
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return uri, ""
	}
	switch s := strings.ToLower(u.Scheme); s {
	case "http", "https":
		return uri, s
	}
	return uri, ""
}

// identityURL is uri with /identity appended to its path.
func identityURL(uri string) (*url.URL, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/identity"
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func isPlexDirect(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.HasSuffix(host, ".plex.direct")
}
