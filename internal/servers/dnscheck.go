package servers

import (
	"context"
	"errors"
	"net"
	"sync"
)

// The DNS check of a run: whether this network's DNS resolves the
// plex.direct names being probed. It runs beside the probes and never
// delays them (a probe may well reach the server by the IP in the name
// first); a server's ServerChecked waits for its names' answers, so the
// final snapshot has Connection.DNS and Server.URI right.

// maxDNSChecks bounds the lookups in flight.
const maxDNSChecks = 8

// planDNS collects the plex.direct names among jobs that encode their
// connection's address (those a probe may reach by IP).
func (r *run) planDNS(jobs []job) {
	for _, j := range jobs {
		host := hostOf(j.uri)
		if _, ok := directIP(host, j.address); !ok {
			continue
		}
		if r.dnsConns == nil {
			r.dnsConns = map[string][][2]int{}
		}
		refs := r.dnsConns[host]
		if !containsServer(refs, j.si) {
			r.dnsWait[j.si]++
		}
		r.dnsConns[host] = append(refs, [2]int{j.si, j.ci})
	}
}

func containsServer(refs [][2]int, si int) bool {
	for _, ref := range refs {
		if ref[0] == si {
			return true
		}
	}
	return false
}

// checkDNS looks every name up, at most maxDNSChecks at a time, each
// bounded by the probe timeout and the check's context.
func (r *run) checkDNS(wg *sync.WaitGroup) {
	sem := make(chan struct{}, maxDNSChecks)
	for host := range r.dnsConns {
		if !acquire(r.ctx, sem) {
			r.finish(msg{dnsHost: host, dns: DNSNotChecked})
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r.finish(msg{dnsHost: host, dns: r.p.resolves(r.ctx, host)})
		})
	}
}

// resolves looks host up with the injected Resolver, else the system's.
func (p *Prober) resolves(parent context.Context, host string) DNSStatus {
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	defer cancel()
	res := p.dnsCheck
	if res == nil {
		res = net.DefaultResolver
	}
	addrs, err := res.LookupIPAddr(ctx, host)
	var de *net.DNSError
	switch {
	case err == nil && len(addrs) > 0:
		return DNSResolved
	case ctx.Err() != nil, errors.As(err, &de) && de.IsTimeout:
		return DNSNotChecked // no answer in time: unknown, not "blocked"
	}
	return DNSFailed
}

// applyDNS records a name's answer on its connections and touches their
// servers (their URI may change).
func (r *run) applyDNS(m msg) {
	r.pending--
	for i, ref := range r.dnsConns[m.dnsHost] {
		si, ci := ref[0], ref[1]
		if m.dns != DNSNotChecked {
			r.servers[si].Connections[ci].DNS = m.dns
		}
		if !containsServer(r.dnsConns[m.dnsHost][:i], si) {
			r.dnsWait[si]--
		}
		r.touch(si) // settle chooses its URI again
	}
}
