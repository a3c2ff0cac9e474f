package servers

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// DNSStatus says whether ordinary DNS resolved a connection's *.plex.direct
// name during its probe.
type DNSStatus int

const (
	// DNSNotChecked: not a plex.direct name whose IP could be dialed
	// directly, or the probe ended before DNS answered.
	DNSNotChecked DNSStatus = iota
	// DNSResolved: DNS answered with at least one address.
	DNSResolved
	// DNSFailed: DNS did not resolve the name (typically a router's
	// DNS-rebinding protection). Other programs here cannot use the URI.
	DNSFailed
)

func (d DNSStatus) String() string {
	switch d {
	case DNSResolved:
		return "resolved"
	case DNSFailed:
		return "failed"
	}
	return "not checked"
}

// PlexDirectIP decodes the IP address written in a *.plex.direct host
// name's first label: IPv4 "a-b-c-d", IPv6 eight zero-padded groups of four
// hex digits joined by "-". It reports false for any other host.
func PlexDirectIP(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if !strings.HasSuffix(host, ".plex.direct") {
		return netip.Addr{}, false
	}
	label, rest, ok := strings.Cut(host, ".")
	if !ok || rest == "plex.direct" { // need <ip>.<hash>.plex.direct
		return netip.Addr{}, false
	}
	parts := strings.Split(label, "-")
	switch len(parts) {
	case 4:
		for _, p := range parts {
			if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
				return netip.Addr{}, false
			}
		}
		a, err := netip.ParseAddr(strings.Join(parts, "."))
		if err != nil || !a.Is4() {
			return netip.Addr{}, false
		}
		return a, true
	case 8:
		for _, p := range parts {
			if len(p) != 4 || strings.Trim(p, "0123456789abcdef") != "" {
				return netip.Addr{}, false
			}
		}
		a, err := netip.ParseAddr(strings.Join(parts, ":"))
		if err != nil || !a.Is6() || a.Is4In6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	return netip.Addr{}, false
}

// directIP returns the IP to dial for host when host is a *.plex.direct
// name whose encoded IP equals the connection's own address (plex.tv's
// "address" field); otherwise false. The guardrail keeps a crafted name
// from steering a probe anywhere plex.tv did not list.
func directIP(host, address string) (netip.Addr, bool) {
	ip, ok := PlexDirectIP(host)
	if !ok {
		return netip.Addr{}, false
	}
	want, err := netip.ParseAddr(strings.Trim(address, "[]"))
	if err != nil || want.Unmap() != ip.Unmap() {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// route records how a probe's socket was made, for Connection.DNS and
// Connection.ViaAddress.
type route struct {
	mu         sync.Mutex
	dns        DNSStatus
	viaAddress bool
}

func (r *route) setDNS(d DNSStatus) {
	r.mu.Lock()
	if r.dns == DNSNotChecked {
		r.dns = d
	}
	r.mu.Unlock()
}

func (r *route) get() (DNSStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dns, r.viaAddress
}

// dialPlexDirect dials a plex.direct name two ways at once: ordinary DNS
// (a VPN or split DNS may know better) and the IP written in the name. The
// first socket wins; the other is closed. TLS still runs over the name
// (net/http sets SNI and verifies the certificate against the URL's host),
// so the server's wildcard certificate is verified as usual.
func (p *Prober) dialPlexDirect(ctx context.Context, network, host, port string, ip netip.Addr, rt *route) (net.Conn, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c      net.Conn
		err    error
		direct bool
	}
	results := make(chan result, 2)
	go func() {
		c, err := p.dial(ctx, network, net.JoinHostPort(ip.String(), port))
		results <- result{c, err, true}
	}()
	go func() {
		c, err := p.dialByName(ctx, network, host, port, rt)
		results <- result{c, err, false}
	}()
	var directErr, dnsErr error
	for n := 1; n <= 2; n++ {
		r := <-results
		if r.err == nil {
			cancel()
			rt.mu.Lock()
			rt.viaAddress = r.direct
			rt.mu.Unlock()
			// The other path stops at once (its context is cancelled);
			// close its socket if it made one. Nothing outlives the dial.
			if n == 1 {
				if l := <-results; l.c != nil {
					l.c.Close()
				}
			}
			return r.c, nil
		}
		if r.direct {
			directErr = r.err
		} else {
			dnsErr = r.err
		}
	}
	// Both failed. The IP path's error says more about the server (refused,
	// timed out); a DNS failure is recorded in rt either way.
	var de *net.DNSError
	if directErr != nil && !errors.As(directErr, &de) {
		return nil, directErr
	}
	if dnsErr != nil {
		return nil, dnsErr
	}
	return nil, directErr
}

// dialByName dials host the ordinary way: through the Resolver when one
// is set, else through the dialer (which resolves it itself). It records
// whether DNS answered.
func (p *Prober) dialByName(ctx context.Context, network, host, port string, rt *route) (net.Conn, error) {
	var de *net.DNSError
	if p.resolver == nil {
		c, err := p.dial(ctx, network, net.JoinHostPort(host, port))
		switch {
		case err == nil:
			rt.setDNS(DNSResolved)
		case errors.As(err, &de) && !de.IsTimeout && ctx.Err() == nil:
			rt.setDNS(DNSFailed)
		}
		return c, err
	}
	addrs, err := p.resolver.LookupIPAddr(ctx, host)
	switch {
	case err == nil && len(addrs) > 0:
		rt.setDNS(DNSResolved)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		rt.setDNS(DNSFailed)
		if !errors.As(err, &de) {
			msg := "no such host"
			if err != nil {
				msg = err.Error()
			}
			err = &net.DNSError{Err: msg, Name: host, IsNotFound: true}
		}
		return nil, err
	}
	var first error
	for _, a := range addrs {
		c, err := p.dial(ctx, network, net.JoinHostPort(a.IP.String(), port))
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

// DNSBlocked reports whether this network's DNS failed to resolve a
// plex.direct name during the check: other programs here cannot use such
// URIs (see Server.PortableURI), and the person can fix it by allowing
// plex.direct in the router's DNS-rebinding protection.
func DNSBlocked(list []Server) bool {
	for _, s := range list {
		for _, c := range s.Connections {
			if c.DNS == DNSFailed {
				return true
			}
		}
	}
	return false
}
