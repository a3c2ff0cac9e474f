package servers

import (
	"fmt"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Server is one Plex Media Server and how its connections fared.
// It carries no token, so it may be printed or logged as is.
type Server struct {
	Name                 string
	ClientIdentifier     string
	Owned                bool
	SourceTitle          string // owner's name for a shared server
	Presence             bool   // plex.tv thinks it is online
	HTTPSRequired        bool
	PublicAddressMatches bool // we are on the server's network (plex.tv's view)

	// Best is the chosen URI, set once Decided ("" if none is reachable).
	Best      string
	BestIndex int // index into Connections, -1 if none
	// Decided: Best can no longer change. DecidedAfter counts from the
	// start of the check.
	Decided      bool
	DecidedAt    time.Time
	DecidedAfter time.Duration

	Connections []Connection

	// Added for issue 9 (see doc.go): plex.tv's lastSeenAt (zero if
	// unknown); the server's own token (a plextv.Token never prints);
	// a URI other programs here can use, and why it is that one.
	LastSeenAt  time.Time
	AccessToken plextv.Token `json:"-"`
	PortableURI string
	Portable    Portability
}

// Connection is one way to reach a server, and how its probe ended.
type Connection struct {
	URI      string
	Protocol string // "https" or "http", from the URI
	Address  string
	Port     int
	Local    bool
	Relay    bool
	IPv6     bool

	State State
	// Latency is the time from the start of the probe to the parsed
	// answer, for states where the peer answered (Reachable, WrongServer,
	// HTTPError); 0 otherwise.
	Latency    time.Duration
	StatusCode int    // HTTP status, for HTTPError
	Detail     string // what happened, in words; for Skipped the reason

	// For *.plex.direct names (see doc.go): whether DNS resolved the name,
	// and whether the answer came over the IP written in the name.
	DNS        DNSStatus
	ViaAddress bool
}

// Done reports whether every connection has a final state.
func (s Server) Done() bool {
	for _, c := range s.Connections {
		if c.State == Pending {
			return false
		}
	}
	return true
}

// BestConnection returns the connection behind Best.
func (s Server) BestConnection() (Connection, bool) {
	if s.BestIndex < 0 || s.BestIndex >= len(s.Connections) {
		return Connection{}, false
	}
	return s.Connections[s.BestIndex], true
}

// Title is the name as a menu shows it: "Dad's Plex (shared)".
func (s Server) Title() string {
	name := strings.TrimSpace(s.Name)
	if name == "" {
		name = "Unnamed server"
	}
	if !s.Owned {
		name += " (shared)"
	}
	return name
}

// Summary is one line for a menu: "Living Room — local · 4 ms",
// "Dad's Plex (shared) — relay · 80 ms", "Old NAS — offline",
// "Attic — checking…".
func (s Server) Summary() string {
	return s.Title() + " — " + s.Status()
}

// Status is the part of Summary after the name.
func (s Server) Status() string {
	if c, ok := s.BestConnection(); ok && s.Decided {
		return c.Kind() + " · " + formatLatency(c.Latency)
	}
	if !s.Decided {
		return "checking…"
	}
	var answered, dnsPlexDirect, cancelled, tried bool
	status := 0
	for _, c := range s.Connections {
		switch c.State {
		case HTTPError:
			answered = true
			if status == 0 {
				status = c.StatusCode
			}
		case DNSFailure:
			dnsPlexDirect = dnsPlexDirect || isPlexDirect(hostOf(c.URI))
		case Cancelled:
			cancelled = true
		}
		if c.State != Skipped {
			tried = true
		}
	}
	switch {
	case len(s.Connections) == 0:
		return "no connections listed"
	case !tried:
		return "not tried (" + s.Connections[0].Detail + ")"
	case answered:
		return fmt.Sprintf("answers HTTP %d, not verified", status)
	case cancelled:
		return "check cancelled"
	case dnsPlexDirect:
		return "offline · DNS failed (rebinding protection?)"
	}
	return "offline"
}

// Location is "local", "remote" or "relay" (a relay is never local).
func (c Connection) Location() string {
	switch {
	case c.Relay:
		return "relay"
	case c.Local:
		return "local"
	}
	return "remote"
}

// Kind is Location with " http" added for plain http: "local",
// "local http", "relay".
func (c Connection) Kind() string {
	if c.Protocol != "https" {
		return c.Location() + " http"
	}
	return c.Location()
}

// Label is the connection's state in a few words: "4 ms", "refused",
// "timed out", "TLS error", "DNS failed (rebinding protection?)",
// "wrong server", "HTTP 401", "not tried: http while https required".
func (c Connection) Label() string {
	switch c.State {
	case Pending:
		return "checking…"
	case Reachable:
		return formatLatency(c.Latency)
	case Refused:
		return "refused"
	case TimedOut:
		return "timed out"
	case TLSError:
		return "TLS error"
	case DNSFailure:
		if isPlexDirect(hostOf(c.URI)) {
			return "DNS failed (rebinding protection?)"
		}
		return "DNS failed"
	case WrongServer:
		return "wrong server"
	case HTTPError:
		if c.StatusCode != 0 {
			return fmt.Sprintf("HTTP %d", c.StatusCode)
		}
		return "HTTP error"
	case Skipped:
		return "not tried: " + c.Detail
	case Unreachable:
		return "unreachable"
	case Cancelled:
		return "cancelled"
	}
	return c.State.String()
}

// formatLatency: "<1 ms", "4 ms", "1.2 s".
func formatLatency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// clone copies s deeply enough for a snapshot.
func (s Server) clone() Server {
	s.Connections = append([]Connection(nil), s.Connections...)
	return s
}
