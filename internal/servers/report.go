package servers

import (
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Server is one Plex Media Server and how its connections fared.
// Its only secret, AccessToken, is a plextv.Token: it prints as ****
// and is left out of JSON, so a Server may be printed or logged as is.
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

	// URI is the one URI to hand out for the server (uri.go): Copy URI,
	// `uri`, and `servers`' best. URIIndex is its connection (-1: none),
	// URIKind why it is that one.
	URI      string
	URIIndex int
	URIKind  URIKind

	// plex.tv's lastSeenAt (zero if unknown); the server's own token
	// (a plextv.Token never prints).
	LastSeenAt  time.Time
	AccessToken plextv.Token `json:"-"`
	// AccessTokenErr is plextv.ErrBadToken when plex.tv sent a server
	// token that is not a token (AccessToken is then empty).
	AccessTokenErr error `json:"-"`
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
	Reason     Reason // why it ended so, as a kind (front ends word it)
	// Err is the network's own words for the failure (ReasonNoSuchHost,
	// ReasonWrongName, ReasonBadCertificate, ReasonNotIdentity,
	// ReasonNetwork); Found the machineIdentifier that answered instead
	// (ReasonOtherMachine). Both untrusted.
	Err   string
	Found string

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

// clone copies s deeply enough for a snapshot.
func (s Server) clone() Server {
	s.Connections = append([]Connection(nil), s.Connections...)
	return s
}

// IsPlexDirect reports whether uri's host is a *.plex.direct name.
func IsPlexDirect(uri string) bool { return isPlexDirect(hostOf(uri)) }
