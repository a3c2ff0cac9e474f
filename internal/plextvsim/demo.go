package plextvsim

import (
	"fmt"
	"net"
	"time"
)

// AddDemoServers starts fake PMSs and lists them, with a player, as the
// demo account's resources:
//
//   - "Living Room", owned: a fast local https connection, a remote one
//     that hangs, and a relay whose port refuses connections;
//   - "Dad's Plex", shared by "dad": relay only;
//   - "Cabin", owned but offline since three days ago (lastSeenAt): two
//     refused ports;
//   - "Living Room TV", a player (not a server);
//
// and gives the demo account a Plex Home (AddDemoHome).
func (s *Sim) AddDemoServers() error {
	id := randHex(20)
	local, err := s.StartPMS(PMSOptions{Name: "Living Room", MachineIdentifier: id, TLS: true})
	if err != nil {
		return err
	}
	remote, err := s.StartPMS(PMSOptions{Name: "Living Room (remote)", MachineIdentifier: id, TLS: true, Behavior: PMSBehavior{Hang: true}})
	if err != nil {
		return err
	}
	dads, err := s.StartPMS(PMSOptions{Name: "Dad's Plex", TLS: true})
	if err != nil {
		return err
	}
	refused1, err := ClosedPortURL("https")
	if err != nil {
		return err
	}
	refused2, err := ClosedPortURL("https")
	if err != nil {
		return err
	}
	// No made-up host names: resolving one would send a DNS query off
	// this machine. DNS failures are tested with an injected resolver.
	refused3, err := ClosedPortURL("https")
	if err != nil {
		return err
	}
	specs := []ServerSpec{
		{Name: "Living Room", Owned: true, PublicAddressMatches: true, Connections: []ConnSpec{
			{PMS: local, Local: true}, {PMS: remote}, {URI: refused1, Relay: true},
		}},
		{Name: "Dad's Plex", SourceTitle: "dad", Connections: []ConnSpec{{PMS: dads, Relay: true}}},
		{Name: "Cabin", Owned: true, Offline: true, Connections: []ConnSpec{
			{URI: refused2, Local: true}, {URI: refused3},
		}},
	}
	for _, spec := range specs {
		if _, err := s.AddServer(spec); err != nil {
			return err
		}
	}
	now := s.now().UTC()
	// An offline server was last seen a while ago, so the demo shows
	// "offline · last seen 3 days ago" as a person would.
	seen := now.Truncate(time.Second).Add(-72 * time.Hour)
	if err := s.SetServer("Cabin", ServerChange{LastSeenAt: &seen}); err != nil {
		return err
	}
	s.AddResource(Resource{
		Name: "Living Room TV", Product: "Plex for Android (TV)", ProductVersion: "10.26.0.1234",
		Platform: "Android", PlatformVersion: "12", Device: "SHIELD Android TV",
		ClientIdentifier: randHex(8), CreatedAt: now.AddDate(-1, 0, 0), LastSeenAt: now.Add(-time.Hour),
		Provides: "client,player,pubsub-player", PublicAddress: "203.0.113.10", Owned: true, Presence: true,
		Connections: []Connection{{Protocol: "http", Address: "192.168.1.60", Port: 32500, URI: "http://192.168.1.60:32500", Local: true}},
	})
	_, err = s.AddDemoHome()
	return err
}

// ClosedPortURL returns scheme://127.0.0.1:PORT for a port nothing listens
// on (it was free a moment ago), so connecting is refused.
func ClosedPortURL(scheme string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("plextvsim: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return scheme + "://" + addr, nil
}

// AddDemoPlexDirectServer starts a TLS PMS and lists it as "Attic", owned,
// with one local connection under a plex.direct name
// (https://127-0-0-1.<hash>.plex.direct:PORT, address 127.0.0.1) whose
// certificate the simulator CA signs. It is separate from AddDemoServers
// because resolving that name with the system's DNS sends a query off this
// machine: tests probe it with an injected Resolver (BlockedDNS or
// WorkingDNS). A prober that dials the IP written in the name reaches it
// even where DNS does not answer.
func (s *Sim) AddDemoPlexDirectServer() error {
	p, err := s.StartPMS(PMSOptions{Name: "Attic", TLS: true})
	if err != nil {
		return err
	}
	_, err = s.AddServer(ServerSpec{Name: "Attic", Owned: true, PublicAddressMatches: true,
		Connections: []ConnSpec{{PMS: p, PlexDirect: true, Local: true}}})
	return err
}
