// Package wording holds the words both front ends, the tray and the
// command line, say alike: a server's status ("local · 4 ms",
// "unreachable from here (online at plex.tv)", "offline · last seen 3 days
// ago"), "ago", latency, a connection's state and why, and what is wrong
// with the keychain. Each front end keeps its own words
// file for everything else (tray/words.go, cli/words.go). Every string
// from the network goes through textsafe here.
package wording

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/textsafe"
)

// Name is an untrusted name (user, server, owner) for one line.
func Name(s string) string { return textsafe.Line(s, textsafe.Name) }

// UnreachableHere is a server plex.tv reports online that no connection
// reaches from this machine.
const UnreachableHere = "unreachable from here (online at plex.tv)"

// ServerName: "Living Room", "Dad's Plex (shared)".
func ServerName(s servers.Server) string {
	n := Name(s.Name)
	if n == "" {
		n = "Unnamed server"
	}
	if !s.Owned {
		n += " (shared)"
	}
	return n
}

// ServerStatus: "local · 4 ms", "offline · last seen 3 days ago",
// "checking…", with "last seen" counted back from now.
func ServerStatus(s servers.Server, now time.Time) string {
	o := s.Outcome()
	switch o.Verdict {
	case servers.ServerAvailable:
		return ConnKind(o.Best) + " · " + Latency(o.Best.Latency)
	case servers.ServerChecking:
		return "checking…"
	case servers.ServerNoConnections:
		return "no connections listed"
	case servers.ServerNotTried:
		return "not tried (" + SkipWords(o.Reason) + ")"
	case servers.ServerNotVerified:
		return fmt.Sprintf("answers HTTP %d, not verified", o.HTTPStatus)
	case servers.ServerCheckCancelled:
		return "check cancelled"
	case servers.ServerDNSBlocked:
		return "offline · DNS failed (rebinding protection?)"
	case servers.ServerUnreachable:
		return UnreachableHere
	}
	if !s.LastSeenAt.IsZero() && !now.IsZero() {
		return "offline · last seen " + Ago(now.Sub(s.LastSeenAt))
	}
	return "offline"
}

// Ago: "just now", "5 min ago", "1 hour ago", "3 days ago".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 2*time.Hour:
		return "1 hour ago"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// Latency: "<1 ms", "4 ms", "1.2 s".
func Latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Location is "local", "remote" or "relay" (a relay is never local).
func Location(c servers.Connection) string {
	switch {
	case c.Relay:
		return "relay"
	case c.Local:
		return "local"
	}
	return "remote"
}

// ConnKind is Location with " http" for plain http: "local http".
func ConnKind(c servers.Connection) string {
	if c.Protocol != "https" {
		return Location(c) + " http"
	}
	return Location(c)
}

// ConnLabel is a connection's state in a few words.
func ConnLabel(c servers.Connection) string {
	switch c.State {
	case servers.Pending:
		return "checking…"
	case servers.Reachable:
		return Latency(c.Latency)
	case servers.Refused:
		return "refused"
	case servers.TimedOut:
		return "timed out"
	case servers.TLSError:
		return "TLS error"
	case servers.DNSFailure:
		if servers.IsPlexDirect(c.URI) {
			return "DNS failed (rebinding protection?)"
		}
		return "DNS failed"
	case servers.WrongServer:
		return "wrong server"
	case servers.HTTPError:
		if c.StatusCode != 0 {
			return fmt.Sprintf("HTTP %d", c.StatusCode)
		}
		return "HTTP error"
	case servers.Skipped:
		return "not tried: " + SkipWords(c.Reason)
	case servers.Unreachable:
		return "unreachable"
	case servers.Cancelled:
		return "cancelled"
	}
	return c.State.String()
}

// SkipWords says why a connection was not tried.
func SkipWords(r servers.Reason) string {
	switch r {
	case servers.SkipHTTPSRequired:
		return "http while https required"
	case servers.SkipSharedLocal:
		return "local address of a shared server"
	case servers.SkipBadURI:
		return "not an http(s) URI"
	}
	return "by policy"
}

// ConnDetail says in a sentence what happened to a connection: its
// reason, with what the network said (cleaned), or "" when its label says
// it all.
func ConnDetail(c servers.Connection) string {
	err := textsafe.Line(c.Err, textsafe.Long)
	switch c.Reason {
	case servers.SkipHTTPSRequired, servers.SkipSharedLocal, servers.SkipBadURI:
		return "not tried: " + SkipWords(c.Reason)
	case servers.ReasonProbeTimeout:
		return "no answer within the probe timeout"
	case servers.ReasonDNSTimeout:
		return "the DNS lookup timed out"
	case servers.ReasonCheckDeadline:
		return "no answer within the check's overall deadline"
	case servers.ReasonCancelled:
		return "check cancelled"
	case servers.ReasonNoSuchHost:
		host := "the name"
		if u, perr := url.Parse(c.URI); perr == nil && u.Hostname() != "" {
			host = Name(u.Hostname())
		}
		if servers.IsPlexDirect(c.URI) {
			return host + " did not resolve (" + err + "). This usually means the router's DNS-rebinding protection blocks plex.direct: allow plex.direct in the router's or DNS server's settings"
		}
		return host + " did not resolve (" + err + ")"
	case servers.ReasonNotTLS:
		return "the server does not speak TLS on this port (try its http URI)"
	case servers.ReasonWrongName:
		return "certificate is for another name: " + err + " (Plex certificates cover *.plex.direct names, not raw IPs)"
	case servers.ReasonBadCertificate, servers.ReasonNetwork:
		return err
	case servers.ReasonTooLarge:
		return "the answer is too large to be a Plex identity"
	case servers.ReasonNotIdentity:
		return "answered, but " + err + " (not a Plex Media Server?)"
	case servers.ReasonOtherMachine:
		return "a different Plex server answered (machineIdentifier " + textsafe.Line(c.Found, textsafe.Short) + ")"
	case servers.ReasonLoginWall:
		return fmt.Sprintf("answered HTTP %d %s: /identity needs no sign-in on a Plex server, so this is likely a proxy or login wall; not counted as reachable", c.StatusCode, http.StatusText(c.StatusCode))
	case servers.ReasonRedirect:
		return fmt.Sprintf("answered HTTP %d %s: redirected (not followed)", c.StatusCode, http.StatusText(c.StatusCode))
	case servers.ReasonIdentityUnchecked:
		return "identity not checked (plex.tv gave no clientIdentifier)"
	}
	switch c.State {
	case servers.Refused:
		return "connection refused: nothing listens at that address and port"
	case servers.HTTPError:
		return fmt.Sprintf("answered HTTP %d %s", c.StatusCode, http.StatusText(c.StatusCode))
	}
	return ""
}

// KeychainProblem says in a sentence what is wrong with the keychain;
// each front end adds what to do next there.
func KeychainProblem(err error) string {
	switch {
	case errors.Is(err, keychain.ErrLocked):
		return "The keyring is locked: unlock it (e.g. with Seahorse, or gnome-keyring-daemon --unlock)"
	case errors.Is(err, keychain.ErrNoSessionBus):
		return "No D-Bus session bus here (SSH, cron?), so the keychain can't be used"
	}
	return "No Secret Service is running: install and start gnome-keyring (or KeePassXC with its Secret Service)"
}

// NetFailure is why a connection failed, as a kind: each front end says
// it in words of its own length (the tray's labels are short).
type NetFailure int

const (
	NetOther       NetFailure = iota // none of the below
	NetRefused                       // connection refused
	NetNoName                        // the name does not resolve
	NetCertificate                   // the certificate was not accepted
	NetTimeout                       // no answer in time
	NetBroken                        // the connection broke off
	NetNoRoute                       // no route to the host or network
)

// NetFailureOf classifies a failed connection's error.
func NetFailureOf(err error) NetFailure {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return NetRefused
	case errors.As(err, &dns):
		return NetNoName
	case errors.As(err, &cert), errors.As(err, &unknownCA), errors.As(err, &hostname):
		return NetCertificate
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return NetTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return NetBroken
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return NetNoRoute
	}
	return NetOther
}

// PlexTVFailure is why asking plex.tv failed, as a kind: each front end
// says it in words of its own length.
type PlexTVFailure int

const (
	PlexTVOther       PlexTVFailure = iota // none of the below
	PlexTVUnreachable                      // no answer: the network or a timeout (NetFailureOf says which)
	PlexTVLimited                          // HTTP 429: asked to slow down
	PlexTVTrouble                          // HTTP 5xx
	PlexTVRefused                          // another HTTP status
	PlexTVUnreadable                       // a 2xx answer that could not be read
)

// PlexTVFailureOf classifies an error of a plex.tv call, and returns
// plex.tv's answer for the kinds that come with one (Limited, Trouble,
// Refused).
func PlexTVFailureOf(err error) (PlexTVFailure, *plextv.StatusError) {
	var se *plextv.StatusError
	var de *plextv.DecodeError
	var ne *plextv.NetworkError
	var nerr net.Error
	switch {
	case errors.As(err, &se) && se.StatusCode == http.StatusTooManyRequests:
		return PlexTVLimited, se
	case errors.As(err, &se) && se.StatusCode >= 500:
		return PlexTVTrouble, se
	case errors.As(err, &se):
		return PlexTVRefused, se
	case errors.As(err, &de):
		return PlexTVUnreadable, nil
	case errors.As(err, &ne), errors.As(err, &nerr), errors.Is(err, context.DeadlineExceeded):
		return PlexTVUnreachable, nil
	}
	return PlexTVOther, nil
}
