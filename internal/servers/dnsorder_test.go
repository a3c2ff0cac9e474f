package servers

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/plextray/plextray/internal/plextvsim"
)

// checkFirst is a network whose DNS blocks plex.direct names. The run's
// DNS check of the name gets its answer at once; a probe's own lookup of
// it never does, and the probe's dials wait until the DNS check has its
// answer. So the check's "failed" arrives before the probe ends, having
// reached the server by the IP in its name without a DNS answer.
type checkFirst struct {
	once    sync.Once
	checked chan struct{}
}

func (r *checkFirst) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if !strings.HasSuffix(host, ".plex.direct") {
		return plextvsim.BlockedDNS.LookupIPAddr(ctx, host)
	}
	if calledFrom("(*Prober).resolves") {
		defer r.once.Do(func() { close(r.checked) })
		return plextvsim.BlockedDNS.LookupIPAddr(ctx, host)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (r *checkFirst) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	select {
	case <-r.checked:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// calledFrom reports whether a function whose name ends in fn is on the
// caller's stack.
func calledFrom(fn string) bool {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.Function, fn) {
			return true
		}
		if !more {
			return false
		}
	}
}

// The DNS check's answer is kept when the probe ends later without one
// of its own: the name stays "DNS failed", and Best (that name) is not
// offered to other programs as if it worked for them.
func TestDNSCheckAnswerOutlivesTheProbe(t *testing.T) {
	r, _ := plexDirectServer(t, "127.0.0.1")
	res := &checkFirst{checked: make(chan struct{})}
	o := simPool(t)
	o.Resolver, o.DialContext = res, res.dial
	s := only(t, newProber(t, o), r)
	c := s.Connections[0]
	if c.State != Reachable || !c.ViaAddress {
		t.Fatalf("state %v via address %v (%s)", c.State, c.ViaAddress, c.Reason)
	}
	if c.DNS != DNSFailed || !DNSBlocked([]Server{s}) {
		t.Fatalf("DNS %v after the check said failed", c.DNS)
	}
	if s.URIKind == URIBest {
		t.Fatalf("URI %v %q: a name this DNS cannot resolve offered as usable", s.URIKind, s.URI)
	}
}
