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
// The package has no UI imports; Summary, Label, WriteTable and WriteJSON
// give the menu and the CLI their words.
package servers
