// Package servers finds out which of a person's Plex Media Servers are
// reachable, and by which URI.
//
// Given the resources plex.tv lists (owned and shared alike; players are
// dropped), a Prober sends GET <uri>/identity to every connection of every
// server at once, with a short timeout and a bound on how many probes run
// together. Each connection ends in exactly one State. The answer's
// machineIdentifier must equal the resource's clientIdentifier, so a
// different box that happens to sit at a LAN address is "wrong server",
// not "reachable".
//
// The best URI of a server is the reachable connection that is local before
// remote before relay, https before http, then fastest. It is reported as
// soon as it can no longer change (see decide in rank.go): a fast local
// https answer wins at once, without waiting for a hung remote to time out.
// Probing goes on so that every connection gets a state for the menu.
//
// Probes never carry a token: /identity needs none. Every probe sends the app's X-Plex-*
// headers, so a server sees one known device, not a new anonymous one per
// check.
//
// Policy choices (see Plan and classify):
//   - a shared server's local connections are Skipped unless plex.tv says
//     we share its public address (publicAddressMatches): its LAN addresses
//     mean nothing on our network and could reach some other device there
//     (python-plexapi and Tautulli do the same);
//   - with httpsRequired, plain-http connections are Skipped;
//   - a non-2xx answer (401/403 included) is HTTPError, never Reachable:
//     /identity needs no sign-in on a real server, so such an answer comes
//     from something else (a proxy, a login wall) and we cannot confirm
//     which machine it is. The Summary says the address answered
//     ("HTTP 401") instead of "offline".
//
// # API for front ends and the core
//
// One check, with progress:
//
//	p := servers.New(servers.Options{Info: info, Resolver: r, CheckTimeout: d})
//	tab := servers.NewTable(servers.Plan(resources))
//	p.Stream(ctx, resources, func(e servers.Event) {
//		tab.Apply(e)              // O(that server's connections)
//		for _, i := range tab.Dirty() { redraw(tab.Server(i)) }
//	})
//	snap := tab.Snapshot()       // immutable; cheap (one pointer per server)
//	counts := tab.Counts()       // servers, decided, reachable, done: for the icon
//
// Event carries the server's index and clientIdentifier (Index, ID), the
// connection index (Conn, for ConnectionChecked) and a snapshot of that
// one server, so applying it never touches the rest of the list. Check
// itself settles only the servers an event touched.
//
// One URI for a script ("tray uri [SERVER]"):
//
//	best, err := p.Best(ctx, resources, query)
//	// best.URI (= Server.URI, see below), best.Kind, best.Class
//	// (local/remote/relay), best.Latency,
//	// best.Selected (by name, by id, only server, first owned), best.Server
//	// err: ErrNoServers, *UnknownServerError, *AmbiguousError (Matches),
//	//      *NotReachableError (Server with every state), ctx's error
//
// Best returns the moment nothing pending can change the URI (see decide
// and chooseURI) and cancels the rest: a hung connection that could not
// beat it never delays it. Select alone
// picks a server from a list: a clientIdentifier, else a name
// (case-insensitive); with no query the only server, else the first owned
// one; several matches are an *AmbiguousError listing them.
//
// # Scale and deadlines
//
// A probe holds one of Options.Concurrency slots (512) until it ends or
// Options.Grace (10 ms) has passed, and one of Options.MaxOpen places
// (1024, also bounding sockets) until it ends. So hung connections delay
// the start of other probes by at most a grace per round, and 200 servers
// × 5 connections, half of them hung, are fully reported within the probe
// timeout + 0.5 s. A probe dials its TCP connection itself, first, and
// sends its request over that socket, so an address that refuses or
// cannot be reached costs a dial and no HTTP request (with a proxy, or
// headers net/http would refuse, net/http dials as usual).
// Options.CheckTimeout bounds a whole check: probes still
// running end TimedOut with "overall deadline". When Check, Stream or Best
// returns, no goroutine or socket of it is left.
//
// # plex.direct names behind blocked DNS
//
// Routers with DNS-rebinding protection drop answers for local
// *.plex.direct names. For a connection whose URI host is
// <ip>.<hash>.plex.direct and whose first label decodes (PlexDirectIP:
// IPv4 a-b-c-d, IPv6 eight zero-padded groups joined by "-") to the
// connection's own plex.tv "address", the prober dials both ways at once:
// by DNS (a VPN or split DNS may know better) and by that IP. The URL, the
// SNI and the certificate check keep the name, so the server's wildcard
// certificate is verified as usual; a wrong hash still fails. Such a
// connection is Reachable; Connection.DNS says whether DNS resolved its
// name (DNSResolved, DNSFailed) and Connection.ViaAddress whether the
// answer came over the IP in the name. A name that encodes any other
// address gets ordinary DNS only.
//
// Beside the probes, each check looks every such name up once (bounded by
// the probe timeout, never delaying a probe, which may well reach the
// server by IP first); a server's ServerChecked event waits for its
// names' answers, so its final snapshot has Connection.DNS and the
// URI below right. (BestDecided may come earlier, with DNS still
// DNSNotChecked.)
//
// Other programs on this machine still cannot use a name DNS does not
// resolve. DNSBlocked(list) says whether that happened in a check (say it
// once, with the fix: allow plex.direct in the router's rebinding
// protection).
//
// # The URI to hand out
//
// Server.URI is the one URI every front end hands out (uri.go has the
// rule): Best when other programs here can use it (URIBest); else the
// best reachable connection that needs no unresolvable name and is no
// less secure (URIOther); else Best, which needs plex.direct DNS
// (URINeedsDNS). Never plain http in place of https. A URIDecided event
// says it can no longer change; Best (the method) returns then.
//
// # Server facts from plex.tv
//
// Server.LastSeenAt is plex.tv's lastSeenAt ("offline · last seen 3 days
// ago"), zero when unknown. Server.AccessToken is the server's own token
// (a shared server answers only to it): a plextv.Token, which prints as
// "****" through fmt and slog; Reveal() it only for the clipboard or
// stdout of "tray token --server". It is tagged json:"-", and the
// front ends' JSON and table shapes must not include it.
//
// The package has no UI imports and no words: a connection's State and
// Reason (with Err and Found, the network's own words) are kinds, which
// internal/wording and each front end's words file turn into sentences.
package servers
