package servers

// Verdict is what a check says about one server as a whole, in no words:
// each front end words it its own way.
type Verdict int

const (
	ServerChecking       Verdict = iota // not decided yet
	ServerAvailable                     // Best is set: BestConnection says how
	ServerNoConnections                 // plex.tv listed none
	ServerNotTried                      // every connection skipped by policy (Reason says why)
	ServerNotVerified                   // something answered, but not as this Plex server (HTTPStatus)
	ServerCheckCancelled                // the check was cancelled before it ended
	ServerDNSBlocked                    // its plex.direct names didn't resolve here
	ServerUnreachable                   // plex.tv sees it online; nothing answers from here
	ServerOffline                       // plex.tv sees it offline (LastSeenAt: since when)
)

// Outcome is a server's Verdict with what its words need.
type Outcome struct {
	Verdict    Verdict
	Best       Connection // ServerAvailable: the chosen connection
	HTTPStatus int        // ServerNotVerified: the first status code that came back
	Reason     Reason     // ServerNotTried: why the first connection was skipped
}

// Outcome sums up the server's connections, most telling first: an
// answer that was not Plex, a cancelled check, plex.direct names that
// didn't resolve, then plex.tv's own view (online → ServerUnreachable).
func (s Server) Outcome() Outcome {
	if c, ok := s.BestConnection(); ok && s.Decided {
		return Outcome{Verdict: ServerAvailable, Best: c}
	}
	if !s.Decided {
		return Outcome{Verdict: ServerChecking}
	}
	var o Outcome
	var answered, dnsPlexDirect, cancelled, tried bool
	for _, c := range s.Connections {
		switch c.State {
		case HTTPError:
			answered = true
			if o.HTTPStatus == 0 {
				o.HTTPStatus = c.StatusCode
			}
		case DNSFailure:
			dnsPlexDirect = dnsPlexDirect || IsPlexDirect(c.URI)
		case Cancelled:
			cancelled = true
		}
		if c.State != Skipped {
			tried = true
		}
	}
	switch {
	case len(s.Connections) == 0:
		o.Verdict = ServerNoConnections
	case !tried:
		o.Verdict, o.Reason = ServerNotTried, s.Connections[0].Reason
	case answered:
		o.Verdict = ServerNotVerified
	case cancelled:
		o.Verdict = ServerCheckCancelled
	case dnsPlexDirect:
		o.Verdict = ServerDNSBlocked
	case s.Presence:
		o.Verdict = ServerUnreachable
	default:
		o.Verdict = ServerOffline
	}
	return o
}
