// Package plextvsim simulates plex.tv and Plex Media Servers over real
// loopback HTTP, for tests and for trying plextray without a Plex account.
// It is written independently of internal/plextv, from plex.tv's
// documented behaviour (its endpoints, headers, status codes and
// fields), so the two check each other.
//
// # In a test
//
//	clock := plextvsim.NewManualClock(time.Now())
//	sim, err := plextvsim.Start(plextvsim.Options{Now: clock.Now})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer sim.Close()
//	// point the app at sim.URL() (plex.tv and the auth app), let it create
//	// a PIN, then sign it in as the person would:
//	tok, err := sim.LinkPIN(sim.PINs()[0].Code, "") // "" = demo account
//	clock.Advance(16 * time.Minute)                // or sim.ExpirePIN(code)
//	if v := sim.Violations(); len(v) > 0 { t.Errorf("%v", v) }
//
// # plex.tv endpoints
//
//   - POST /api/v2/pins (strong=true|false, form or query): 201 with a PIN
//     (4-character code, 900 s; strong: 25 characters, 1800 s).
//   - GET /api/v2/pins/{id}: 200 with the PIN, authToken set once linked;
//     404 code 1020 when unknown, expired or made by another client
//     identifier; 429 code 1003 past Options.PINPollLimit.
//   - PUT /api/v2/pins/link (form code=…, X-Plex-Token): 204; links a PIN
//     (any code length) to the token's account. As on plex.tv, an account
//     keeps one token per client identifier: the PIN's new token revokes
//     the token an earlier PIN of the same client identifier got (Sim.LinkPIN).
//   - GET /api/v2/user: 200 UserPlexAccount, or 401 code 1001.
//   - DELETE /api/v2/users/signout: 204 and the token is revoked.
//   - GET /api/v2/resources: 200 JSON array (relay connections only with
//     includeRelay=1, IPv6 only with includeIPv6=1), or 401. A Home's
//     managed profile sees each server with an accessToken of its own.
//   - GET /devices.xml: the token's account's authorized devices (one per
//     client identifier that linked a PIN: product and device name from
//     the PIN, createdAt, lastSeenAt in Unix seconds, and its token).
//   - DELETE /devices/{id}.xml: 200; removes that device and revokes
//     exactly its token; 404 for another account's device or none.
//   - GET /api/claim/token.json: 200 {"token":"claim-…"}, good for 4
//     minutes (Sim.ClaimTokenValid).
//   - GET /api/v2/ping: 200 {"pong":true}, or 401.
//   - GET /api/v2/home/users: 200 {id, name, …, users: [...]} (managed
//     profiles with null username and email); an account without a Home
//     gets a Home of one.
//   - POST /api/v2/home/users/{uuid}/switch?pin=NNNN: 201 with the
//     profile's account and a new authToken for it; 403 code 1041 for a
//     missing or wrong PIN of a protected profile (or admin); 404 for a
//     uuid (or numeric id) not in the token's Home. See Sim.AddHome.
//
// Every API request needs X-Plex-Client-Identifier (else 400 code 1000).
// Unlike plex.tv, a token in the URL query is refused with 400, and each
// such request, and each lacking X-Plex-Client-Identifier, X-Plex-Product
// or Accept: application/json, is listed by Sim.Violations. Without
// Accept: application/json the answer is XML, as on plex.tv (the
// simulator's XML is a stand-in that JSON decoders reject).
//
// # Pages for people
//
//   - GET /link/?pin=CODE: the plex.tv/link page; "Link" signs the
//     4-character code in to the demo account.
//   - GET /auth#?clientID=…&code=…&context%5Bdevice%5D%5Bproduct%5D=…: the
//     app.plex.tv/auth page for strong PINs; "Sign in" links the code.
//
// # Control API
//
// JSON in and out under /_sim/; errors are {"error":"…"}. Requests to
// /_sim/ are not logged. GET /_sim/ lists the endpoints.
//
//	GET    /_sim/accounts                     accounts, with their first token
//	POST   /_sim/accounts   {"username":"bob"} add an account → the account
//	POST   /_sim/tokens     {"username":"bob"} another token → {"token":…}
//	POST   /_sim/revoke     {"token":"…"}      revoke a token
//	GET    /_sim/pins                         every PIN made, with code and state
//	GET    /_sim/devices[?username=bob]       authorized devices, with their tokens
//	POST   /_sim/link       {"code":"7RQZ","username":""} link a PIN without a token
//	                                          (username "" = demo) → {"authToken":…}
//	POST   /_sim/expire     {"code":"7RQZ"}    expire a PIN now
//	PUT    /_sim/ratelimit  {"pinPollsPerSecond":2} 0 turns the limit off
//	GET    /_sim/resources                    the resource list
//	PUT    /_sim/resources  [ … ]             serve this JSON array verbatim
//	GET    /_sim/faults                       active faults
//	POST   /_sim/faults     {"endpoint":"pins.check","status":429,"retryAfter":3,"count":1}
//	DELETE /_sim/faults                       clear all faults
//	GET    /_sim/requests                     the request log (tokens redacted)
//	DELETE /_sim/requests                     clear log, violations and client ids
//	GET    /_sim/violations                   rule-breaking API requests
//	GET    /_sim/clients                      distinct X-Plex-Client-Identifier values
//	GET    /_sim/pms                          PMSs started by the Sim, with behaviour
//	PUT    /_sim/pms        {"name":"Living Room","behavior":{"down":true}}
//	GET    /_sim/home                         Plex Homes, with profiles and PINs
//	POST   /_sim/home       {"admin":"","adminPin":"","profiles":[{"title":"Kid","pin":"1234"}]}
//	POST   /_sim/home/token {"uuid":"…"}       a profile token without a switch → {"token":…}
//	PUT    /_sim/connection {"server":"Attic","index":0,"down":true,"local":false}
//	                                          take the PMS behind a connection down/up,
//	                                          change its "local" flag (a network move)
//	PUT    /_sim/server     {"server":"Attic","publicAddressMatches":false,
//	                         "presence":false,"lastSeenAt":"2026-11-27T10:00:00Z"}
//
// A fault is {"endpoint", "count", "delay", "hang", "status", "retryAfter",
// "body", "size", "noRetryAfter"}: endpoint is "" (all), "pins.create", "pins.check",
// "pins.link", "user", "signout", "resources", "home.users",
// "home.switch", "ping", "claim", "devices" or "devices.delete"; count 0 means until
// cleared; delay is a Go duration ("1.5s"); status 403 on
// home.switch answers code 1041 (PIN required); noRetryAfter sends a 429
// without Retry-After; body is "truncated", "html" or
// "oversized". A PMS behaviour is {"delay", "hang", "down",
// "wrongMachine"}; it replaces the whole behaviour.
//
// # Fake Plex Media Servers
//
// StartPMS (or Sim.StartPMS) serves GET /identity like a PMS, over https
// with a certificate from the simulator CA when PMSOptions.TLS is set
// (trust it with WriteCACert and SSL_CERT_FILE, or CACertPool), and can
// be slowed, hung, taken down or made to answer for another machine.
// Sim.AddServer lists PMSs (or any URI) as a server resource, each with
// its own random accessToken (which its PMSs accept on GET /) and a
// lastSeenAt. AddDemoServers sets up a ready-made mix; cmd/plextv-sim runs
// it all.
//
// # Network moves, connections up and down
//
// Sim.SetConnection (PUT /_sim/connection) takes the PMS behind a
// connection down or up and changes its "local" flag; Sim.SetServer (PUT
// /_sim/server) changes publicAddressMatches, presence and lastSeenAt.
// Both take effect from the next /api/v2/resources request, as when a
// laptop moves from home to a café. Servers are named by name
// (case-insensitive) or clientIdentifier.
//
// # plex.direct names and blocked DNS
//
// The simulator's certificate also covers *.<PlexDirectHash()>.plex.direct,
// so PMS.PlexDirectURL (https://127-0-0-1.<hash>.plex.direct:PORT) verifies
// against the simulator CA for a client that dials 127.0.0.1 for that name.
// ConnSpec.PlexDirect lists a PMS under that name, with address 127.0.0.1;
// AddDemoPlexDirectServer adds "Attic" that way. Resolving such a name with
// the system's DNS would send a query off this machine, so tests inject a
// Resolver into the prober (servers.Options.Resolver):
//
//	plextvsim.BlockedDNS // plex.direct names do not resolve (rebinding protection)
//	plextvsim.WorkingDNS // they resolve to the IP in their first label
//
// Neither sends DNS traffic; names other than IP literals and localhost
// fail. With BlockedDNS, a prober that dials the IP written in the name
// still reaches the PMS over verified https.
package plextvsim
