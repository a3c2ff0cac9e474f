package plextvsim

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
)

// plex.direct names in the simulator.
//
// Real Plex servers are reached as https://<ip>.<hash>.plex.direct:port,
// where <ip> is the address with "-" for "." (IPv6: eight zero-padded
// groups joined by "-") and the certificate is a wildcard for
// *.<hash>.plex.direct. The simulator's certificate (see tls.go) also
// covers *.<PlexDirectHash()>.plex.direct, so a TLS PMS's PlexDirectURL
// verifies against the simulator CA, provided the client dials 127.0.0.1
// for the name. Nothing here ever asks real DNS: tests pick a Resolver.

var plexDirectHash = sync.OnceValue(func() string { return randHex(16) })

// PlexDirectHash is the simulator's 32-hex plex.direct hash (one per
// process).
func PlexDirectHash() string { return plexDirectHash() }

// PlexDirectURL is the PMS's URL under a plex.direct name, e.g.
// https://127-0-0-1.<hash>.plex.direct:40123, or "" for a plain-http PMS.
func (p *PMS) PlexDirectURL() string {
	if p.tlsConf == nil {
		return ""
	}
	return PlexDirectURLFor(p.addr)
}

// PlexDirectURLFor is https://<ip-as-label>.<hash>.plex.direct:port for an
// "ip:port" address.
func PlexDirectURLFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return "https://" + net.JoinHostPort(plexDirectLabel(ip)+"."+PlexDirectHash()+".plex.direct", port)
}

func plexDirectLabel(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is4() {
		return strings.ReplaceAll(ip.String(), ".", "-")
	}
	b := ip.As16()
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = fmt.Sprintf("%02x%02x", b[2*i], b[2*i+1])
	}
	return strings.Join(groups, "-")
}

// plexDirectAddress decodes the IP in a plex.direct URI's host, or "".
func plexDirectAddress(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	label, rest, ok := strings.Cut(host, ".")
	if !ok || !strings.HasSuffix(rest, ".plex.direct") {
		return ""
	}
	parts := strings.Split(label, "-")
	var s string
	switch len(parts) {
	case 4:
		s = strings.Join(parts, ".")
	case 8:
		s = strings.Join(parts, ":")
	default:
		return ""
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return ip.String()
}

// Resolver answers host lookups without DNS traffic, for the prober's
// injectable resolver (servers.Options.Resolver). It knows IP literals and
// "localhost"; every other name fails with "no such host", except
// *.plex.direct names when PlexDirect is set, which resolve to the IP in
// their first label, as Plex's DNS does.
//
//	BlockedDNS: a router with DNS-rebinding protection (plex.direct fails)
//	WorkingDNS: plex.direct resolves
type Resolver struct{ PlexDirect bool }

var (
	BlockedDNS = Resolver{PlexDirect: false}
	WorkingDNS = Resolver{PlexDirect: true}
)

// LookupIPAddr implements the servers.Resolver interface.
func (r Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return []net.IPAddr{{IP: ip.AsSlice()}}, nil
	}
	if host == "localhost" {
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
	if r.PlexDirect {
		if a := plexDirectAddress("https://" + host); a != "" {
			return []net.IPAddr{{IP: net.ParseIP(a)}}, nil
		}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}
