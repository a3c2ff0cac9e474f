package servers

import "fmt"

// Reason says why a connection ended in its State, as a kind: each front
// end words it (Connection.Err and Connection.Found carry what the words
// need from the network). ReasonNone when the State says it all.
type Reason int

const (
	ReasonNone Reason = iota

	// Skipped, by policy (see Plan).
	SkipHTTPSRequired // plain http while the server requires https
	SkipSharedLocal   // a shared server's local address, and we are not on its network
	SkipBadURI        // not an http(s) URI

	// TimedOut and Cancelled.
	ReasonProbeTimeout  // no answer within the probe timeout
	ReasonDNSTimeout    // the name's DNS lookup timed out
	ReasonCheckDeadline // the check's overall deadline came first (maybe before it was tried)
	ReasonCancelled     // the check was cancelled

	// DNSFailure: the name did not resolve (Err: the resolver's words).
	ReasonNoSuchHost

	// TLSError.
	ReasonNotTLS         // the port answers in plain http, not TLS
	ReasonWrongName      // the certificate is for another name (Err)
	ReasonBadCertificate // any other certificate or handshake failure (Err)

	// WrongServer.
	ReasonTooLarge     // the answer is too large to be a Plex identity
	ReasonNotIdentity  // the answer is not a Plex identity (Err)
	ReasonOtherMachine // another Plex server answered (Found: its machineIdentifier)

	// HTTPError (StatusCode says which).
	ReasonLoginWall // 401 or 403: /identity needs no sign-in, so a proxy or login page
	ReasonRedirect  // 3xx, not followed

	// Reachable.
	ReasonIdentityUnchecked // plex.tv listed no clientIdentifier to compare with

	// Unreachable: any other network failure (Err).
	ReasonNetwork
)

var reasonNames = [...]string{
	ReasonNone:              "",
	SkipHTTPSRequired:       "https_required",
	SkipSharedLocal:         "shared_local",
	SkipBadURI:              "bad_uri",
	ReasonProbeTimeout:      "probe_timeout",
	ReasonDNSTimeout:        "dns_timeout",
	ReasonCheckDeadline:     "check_deadline",
	ReasonCancelled:         "cancelled",
	ReasonNoSuchHost:        "no_such_host",
	ReasonNotTLS:            "not_tls",
	ReasonWrongName:         "certificate_name",
	ReasonBadCertificate:    "certificate",
	ReasonTooLarge:          "too_large",
	ReasonNotIdentity:       "not_plex",
	ReasonOtherMachine:      "other_machine",
	ReasonLoginWall:         "login_wall",
	ReasonRedirect:          "redirect",
	ReasonIdentityUnchecked: "identity_unchecked",
	ReasonNetwork:           "network",
}

// String is the reason's JSON word: "https_required", "probe_timeout", …
// ("" for ReasonNone).
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// MarshalText writes the JSON word.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
