package servers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plextray/plextray/internal/plextv"
)

// Class is where a connection leads, best first.
type Class int

const (
	ClassLocal Class = iota
	ClassRemote
	ClassRelay
)

func (c Class) String() string {
	switch c {
	case ClassLocal:
		return "local"
	case ClassRemote:
		return "remote"
	}
	return "relay"
}

// ClassOf is c's class (relay wins over local, as in ranking).
func ClassOf(c Connection) Class { return Class(class(c) / 2) }

// Selection says how Select chose a server.
type Selection int

const (
	SelectedByName     Selection = iota + 1 // the query matched its name (case-insensitive)
	SelectedByID                            // the query matched its clientIdentifier
	SelectedOnly                            // no query, and it is the only server
	SelectedFirstOwned                      // no query: the first owned server in plex.tv's order
)

// ErrNoServers: the account lists no Plex Media Server.
var ErrNoServers = errors.New("no Plex Media Server on this account")

// UnknownServerError: no server matches the query.
type UnknownServerError struct{ Query string }

func (e *UnknownServerError) Error() string { return fmt.Sprintf("no server named %q", e.Query) }

// AmbiguousError: several servers match (or, without a query, several
// servers and none owned). Matches lists them.
type AmbiguousError struct {
	Query   string
	Matches []Server
}

func (e *AmbiguousError) Error() string {
	names := make([]string, len(e.Matches))
	for i, s := range e.Matches {
		names[i] = fmt.Sprintf("%q (%s)", s.Name, s.ClientIdentifier)
	}
	if e.Query == "" {
		return "several servers and none owned; name one of " + strings.Join(names, ", ")
	}
	return fmt.Sprintf("%q matches several servers: %s; use the clientIdentifier", e.Query, strings.Join(names, ", "))
}

// Select picks a server from list: by clientIdentifier (exact, then
// case-insensitive), else by name (case-insensitive, surrounding space
// ignored); with an empty query the only server, else the first owned one.
func Select(list []Server, query string) (int, Selection, error) {
	if len(list) == 0 {
		return -1, 0, ErrNoServers
	}
	q := strings.TrimSpace(query)
	if q == "" {
		if len(list) == 1 {
			return 0, SelectedOnly, nil
		}
		for i, s := range list {
			if s.Owned {
				return i, SelectedFirstOwned, nil
			}
		}
		return -1, 0, &AmbiguousError{Matches: list}
	}
	for i, s := range list {
		if s.ClientIdentifier == q {
			return i, SelectedByID, nil
		}
	}
	var byID, byName []int
	for i, s := range list {
		if strings.EqualFold(s.ClientIdentifier, q) {
			byID = append(byID, i)
		}
		if strings.EqualFold(strings.TrimSpace(s.Name), q) {
			byName = append(byName, i)
		}
	}
	pick := func(idx []int, how Selection) (int, Selection, error) {
		if len(idx) == 1 {
			return idx[0], how, nil
		}
		m := make([]Server, len(idx))
		for k, i := range idx {
			m[k] = list[i]
		}
		return -1, 0, &AmbiguousError{Query: q, Matches: m}
	}
	switch {
	case len(byID) > 0:
		return pick(byID, SelectedByID)
	case len(byName) > 0:
		return pick(byName, SelectedByName)
	}
	return -1, 0, &UnknownServerError{Query: q}
}

// BestURI is the answer of Prober.Best: the server's URI (uri.go), the
// same the tray's Copy URI and `servers` give.
type BestURI struct {
	URI        string
	Kind       URIKind       // why it is that URI
	Connection Connection    // the chosen connection (State Reachable, Latency set)
	Class      Class         // ClassOf(Connection)
	Latency    time.Duration // the chosen connection's answer time
	After      time.Duration // from the start of probing to the decision
	Index      int           // the server's index in Plan(resources)
	Selected   Selection
	// Server is a snapshot at the decision: connections that could not
	// have beaten the choice may still be Pending or, once Best returns,
	// Cancelled.
	Server Server
}

// NotReachableError: no connection of the server answered as that server
// (within the probe timeout, or the check's deadline). Server holds every
// connection's final state.
type NotReachableError struct{ Server Server }

func (e *NotReachableError) Error() string {
	return fmt.Sprintf("no connection of %q is reachable", e.Server.Name)
}

// Best selects a server among resources (see Select) and probes its
// connections, returning the moment the best URI is decided: as soon as
// nothing still pending could beat it, never waiting for hung connections,
// which are then cancelled. No goroutine or socket is left when it
// returns. Errors: ErrNoServers, *UnknownServerError, *AmbiguousError,
// *NotReachableError, or ctx's error.
func (p *Prober) Best(ctx context.Context, resources []plextv.Resource, query string) (BestURI, error) {
	plan := Plan(resources)
	i, how, err := Select(plan, query)
	if err != nil {
		return BestURI{}, err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var got Server
	final := newRun(p, ctx, plan[i:i+1], func(e Event) {
		if e.Kind == URIDecided && !got.Decided {
			got = e.Server
			cancel() // the rest cannot change it: stop them now
		}
	}).run()
	c, ok := got.URIConnection()
	if !ok {
		if err := parent.Err(); err != nil {
			return BestURI{}, err
		}
		return BestURI{}, &NotReachableError{Server: final[0]}
	}
	return BestURI{
		URI: got.URI, Kind: got.URIKind, Connection: c, Class: ClassOf(c), Latency: c.Latency,
		After: got.DecidedAfter, Index: i, Selected: how, Server: got,
	}, nil
}
