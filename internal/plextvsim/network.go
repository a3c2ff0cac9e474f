package plextvsim

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Network moves and connections going up or down.
//
// On plex.tv, which connections are "local" and whether the account
// shares the server's public address (publicAddressMatches) depend on
// where the asking machine is. These controls change what
// /api/v2/resources says from the next request on, and take the PMS
// behind a connection down (refusing) or up again.

// ErrUnknownServer: no listed server has that name or clientIdentifier.
var ErrUnknownServer = errors.New("plextvsim: no such server")

// ConnChange changes one connection of a listed server; nil fields stay.
type ConnChange struct {
	// Down takes the PMS behind the connection down (connections are
	// refused) or brings it back up. Every connection served by that PMS
	// goes down with it. Only for connections to PMSs started by the Sim.
	Down *bool `json:"down,omitempty"`
	// Local sets the connection's "local" flag.
	Local *bool `json:"local,omitempty"`
}

// ServerChange changes a listed server's resource; nil fields stay.
type ServerChange struct {
	PublicAddressMatches *bool      `json:"publicAddressMatches,omitempty"`
	Presence             *bool      `json:"presence,omitempty"`
	LastSeenAt           *time.Time `json:"lastSeenAt,omitempty"`
}

// findServer returns the index of the server named (or identified by)
// key; s.mu must be held.
func (s *Sim) findServer(key string) (int, error) {
	for i, r := range s.resources {
		if r.Provides == "server" && (r.ClientIdentifier == key || strings.EqualFold(r.Name, key)) {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%w %q", ErrUnknownServer, key)
}

// SetConnection changes connection index (in the order listed) of the
// server named or identified by server.
func (s *Sim) SetConnection(server string, index int, ch ConnChange) error {
	s.mu.Lock()
	i, err := s.findServer(server)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	conns := s.resources[i].Connections
	if index < 0 || index >= len(conns) {
		s.mu.Unlock()
		return fmt.Errorf("plextvsim: server %q has no connection %d", server, index)
	}
	if ch.Local != nil {
		conns = append([]Connection(nil), conns...) // earlier answers keep theirs
		conns[index].Local = *ch.Local
		s.resources[i].Connections = conns
		s.rawRes = nil
	}
	c := conns[index]
	pmss := append([]*PMS(nil), s.pmss...)
	s.mu.Unlock()

	if ch.Down == nil {
		return nil
	}
	p := pmsFor(pmss, c)
	if p == nil {
		return fmt.Errorf("plextvsim: connection %d of %q (%s) is not served by a simulated PMS", index, server, c.URI)
	}
	b := p.Behavior()
	b.Down = *ch.Down
	return p.SetBehavior(b)
}

// pmsFor finds the PMS listening where c points (its URL, or its
// plex.direct name's address and port).
func pmsFor(pmss []*PMS, c Connection) *PMS {
	u, err := url.Parse(c.URI)
	if err != nil {
		return nil
	}
	port := u.Port()
	host := u.Hostname()
	if a := plexDirectAddress(c.URI); a != "" {
		host = a
	}
	want := net.JoinHostPort(host, port)
	for _, p := range pmss {
		if p.addr == want {
			return p
		}
	}
	return nil
}

// SetServer changes the server named or identified by server: a network
// move (PublicAddressMatches), going offline (Presence), LastSeenAt.
func (s *Sim) SetServer(server string, ch ServerChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.findServer(server)
	if err != nil {
		return err
	}
	r := &s.resources[i]
	if ch.PublicAddressMatches != nil {
		r.PublicAddressMatches = *ch.PublicAddressMatches
	}
	if ch.Presence != nil {
		r.Presence = *ch.Presence
	}
	if ch.LastSeenAt != nil {
		r.LastSeenAt = *ch.LastSeenAt
	}
	s.rawRes = nil
	return nil
}

func (s *Sim) networkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /_sim/connection", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Server string `json:"server"`
			Index  int    `json:"index"`
			ConnChange
		}
		if !readCtl(w, r, &in) {
			return
		}
		if err := s.SetConnection(in.Server, in.Index, in.ConnChange); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrUnknownServer) {
				status = http.StatusNotFound
			}
			ctlError(w, status, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
	mux.HandleFunc("PUT /_sim/server", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Server string `json:"server"`
			ServerChange
		}
		if !readCtl(w, r, &in) {
			return
		}
		if err := s.SetServer(in.Server, in.ServerChange); err != nil {
			ctlError(w, http.StatusNotFound, err)
			return
		}
		writeCtl(w, http.StatusOK, okBody)
	})
}
