package lastcheck

import (
	"time"

	"github.com/plextray/plextray/internal/servers"
)

// FromCheck is the record's list for a finished check's servers.
func FromCheck(list []servers.Server) []Server {
	out := make([]Server, len(list))
	for i, s := range list {
		out[i] = Server{Name: s.Name, ClientIdentifier: s.ClientIdentifier, Owned: s.Owned}
		c, ok := s.URIConnection()
		if !ok || !s.Decided || s.URIKind != servers.URIBest || s.URI == "" {
			continue
		}
		out[i].URI = s.URI
		out[i].Class = servers.ClassOf(c).String()
		out[i].Protocol = c.Protocol
		out[i].LatencyMs = ms(c.Latency)
		out[i].DecidedMs = ms(s.DecidedAfter)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Find is the server query names in r, chosen as servers.Select chooses
// among plex.tv's list (the record keeps its order), with its URI if the
// check found one that may be printed as it is (else URI is ""). An
// error is Select's.
func (r Record) Find(query string) (Server, servers.Selection, error) {
	list := make([]servers.Server, len(r.Servers))
	for i, s := range r.Servers {
		list[i] = servers.Server{Name: s.Name, ClientIdentifier: s.ClientIdentifier, Owned: s.Owned}
	}
	i, how, err := servers.Select(list, query)
	if err != nil {
		return Server{}, 0, err
	}
	return r.Servers[i].checked(), how, nil
}
