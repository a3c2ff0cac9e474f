package wording

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
)

func TestAgo(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 5 * time.Minute: "5 min ago", 61 * time.Minute: "1 hour ago",
		5 * time.Hour: "5 hours ago", 47 * time.Hour: "47 hours ago", 73 * time.Hour: "3 days ago",
	} {
		if got := Ago(d); got != want {
			t.Errorf("Ago(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLatency(t *testing.T) {
	for d, want := range map[time.Duration]string{
		300 * time.Microsecond: "<1 ms", 4 * time.Millisecond: "4 ms", 1500 * time.Millisecond: "1.5 s",
	} {
		if got := Latency(d); got != want {
			t.Errorf("Latency(%v) = %q, want %q", d, got, want)
		}
	}
}

// Every reason a check can give has words, and what came from the
// network is cleaned on the way.
func TestConnDetail(t *testing.T) {
	for r := servers.SkipHTTPSRequired; r <= servers.ReasonNetwork; r++ {
		c := servers.Connection{State: servers.TimedOut, Reason: r, Err: "boom\x1b[2J", Found: "abc\n", StatusCode: 401}
		d := ConnDetail(c)
		if d == "" || strings.ContainsAny(d, "\x1b\n") || r.String() == "" || strings.HasPrefix(r.String(), "Reason(") {
			t.Errorf("%d (%v): %q", r, r, d)
		}
	}
	pd := servers.Connection{URI: "https://1-2-3-4.h.plex.direct:32400", State: servers.DNSFailure, Reason: servers.ReasonNoSuchHost, Err: "no such host"}
	if d := ConnDetail(pd); !strings.Contains(d, "allow plex.direct") {
		t.Errorf("plex.direct: %q", d)
	}
	if d := ConnDetail(servers.Connection{State: servers.Refused}); !strings.Contains(d, "refused") {
		t.Errorf("refused: %q", d)
	}
}

func TestServerStatus(t *testing.T) {
	now := time.Now()
	gone := servers.Server{Name: "Living Room", Owned: true, Decided: true, BestIndex: -1, Presence: true,
		Connections: []servers.Connection{{State: servers.TimedOut}}}
	off := servers.Server{Name: "Cabin", Owned: true, Decided: true, BestIndex: -1, LastSeenAt: now.Add(-73 * time.Hour),
		Connections: []servers.Connection{{State: servers.Refused}}}
	skipped := servers.Server{Name: "Dad", Decided: true, BestIndex: -1,
		Connections: []servers.Connection{{State: servers.Skipped, Reason: servers.SkipSharedLocal}}}
	for s, want := range map[*servers.Server]string{
		&gone: UnreachableHere, &off: "offline · last seen 3 days ago", &skipped: "not tried (local address of a shared server)",
	} {
		if got := ServerStatus(*s, now); got != want {
			t.Errorf("%s: %q, want %q", s.Name, got, want)
		}
	}
	if got := ServerName(skipped); got != "Dad (shared)" {
		t.Errorf("%q", got)
	}
}

func TestKeychainProblem(t *testing.T) {
	for _, err := range []error{keychain.ErrLocked, keychain.ErrNoSessionBus, keychain.ErrUnavailable, fmt.Errorf("x: %w", errors.New("y"))} {
		if KeychainProblem(err) == "" {
			t.Errorf("%v: no words", err)
		}
	}
	if !strings.Contains(KeychainProblem(keychain.ErrLocked), "locked") {
		t.Error(KeychainProblem(keychain.ErrLocked))
	}
}

func TestNetFailureOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want NetFailure
	}{
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, NetRefused},
		{fmt.Errorf("resources: %w", &net.DNSError{Err: "no such host", Name: "x.plex.direct"}), NetNoName},
		{x509.UnknownAuthorityError{}, NetCertificate},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), NetTimeout},
		{io.ErrUnexpectedEOF, NetBroken},
		{syscall.EHOSTUNREACH, NetNoRoute},
		{errors.New("something else"), NetOther},
	} {
		if got := NetFailureOf(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}

func TestPlexTVFailureOf(t *testing.T) {
	for _, c := range []struct {
		err    error
		want   PlexTVFailure
		status int
	}{
		{fmt.Errorf("resources: %w", &plextv.StatusError{Op: "resources", StatusCode: 429}), PlexTVLimited, 429},
		{&plextv.StatusError{Op: "user", StatusCode: 503}, PlexTVTrouble, 503},
		{&plextv.StatusError{Op: "user", StatusCode: 401}, PlexTVRefused, 401},
		{&plextv.DecodeError{Op: "resources", Err: io.ErrUnexpectedEOF}, PlexTVUnreadable, 0},
		{&plextv.NetworkError{Op: "user", Err: syscall.ECONNREFUSED}, PlexTVUnreachable, 0},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, PlexTVUnreachable, 0},
		{fmt.Errorf("get: %w", context.DeadlineExceeded), PlexTVUnreachable, 0},
		{errors.New("something else"), PlexTVOther, 0},
	} {
		got, se := PlexTVFailureOf(c.err)
		status := 0
		if se != nil {
			status = se.StatusCode
		}
		if got != c.want || status != c.status {
			t.Errorf("%v: %d (HTTP %d), want %d (HTTP %d)", c.err, got, status, c.want, c.status)
		}
	}
}
