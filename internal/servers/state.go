package servers

import "fmt"

// State is how one connection's check ended. Every connection of a
// finished check is in exactly one state other than Pending.
type State int

const (
	// Pending: not finished yet (only seen while a check runs).
	Pending State = iota
	// Reachable: the right server answered /identity; Latency is set.
	Reachable
	// Refused: nothing listens there (connection refused).
	Refused
	// TimedOut: no answer within the probe timeout.
	TimedOut
	// TLSError: the TLS handshake or certificate check failed.
	TLSError
	// DNSFailure: the host name did not resolve. For *.plex.direct names
	// this is usually DNS-rebinding protection in the router.
	DNSFailure
	// WrongServer: something answered, but not this server (another
	// machineIdentifier, or not a Plex identity at all).
	WrongServer
	// HTTPError: a non-2xx answer (401/403 included; see the package doc).
	HTTPError
	// Skipped: not tried, by policy; Reason says why.
	Skipped
	// Unreachable: any other network failure (no route, reset, …).
	Unreachable
	// Cancelled: the check was cancelled before this connection finished.
	Cancelled
)

var stateNames = [...]string{
	Pending:     "pending",
	Reachable:   "reachable",
	Refused:     "refused",
	TimedOut:    "timed_out",
	TLSError:    "tls_error",
	DNSFailure:  "dns_failure",
	WrongServer: "wrong_server",
	HTTPError:   "http_error",
	Skipped:     "skipped",
	Unreachable: "unreachable",
	Cancelled:   "cancelled",
}

// String is the state's JSON word: "reachable", "timed_out", …
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// MarshalText writes the JSON word.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the JSON word.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("servers: unknown state %q", b)
}

// Final reports whether the state is an end state (not Pending).
func (s State) Final() bool { return s != Pending }

// answered reports whether the state means a peer sent an HTTP answer.
func (s State) answered() bool { return s == Reachable || s == WrongServer || s == HTTPError }
