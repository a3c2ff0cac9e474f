package servers

import "time"

// class orders connections by kind; lower is better:
// local https, local http, remote https, remote http, relay https, relay http.
func class(c Connection) int {
	loc := 1 // remote
	switch {
	case c.Relay:
		loc = 2
	case c.Local:
		loc = 0
	}
	scheme := 0
	if c.Protocol != "https" {
		scheme = 1
	}
	return loc*2 + scheme
}

// better reports whether reachable connection a (index i) beats b (index j):
// better class, then lower latency, then earlier in plex.tv's list.
func better(a Connection, i int, b Connection, j int) bool {
	if ca, cb := class(a), class(b); ca != cb {
		return ca < cb
	}
	if a.Latency != b.Latency {
		return a.Latency < b.Latency
	}
	return i < j
}

// pickBest returns the index of the best Reachable connection, or -1.
func pickBest(conns []Connection) int {
	best := -1
	for i, c := range conns {
		if c.State != Reachable {
			continue
		}
		if best < 0 || better(c, i, conns[best], best) {
			best = i
		}
	}
	return best
}

// decide says whether the best connection of a server can still change.
// started[i] is when connection i's probe began (zero: not yet started);
// now must be no earlier than the end of every result already applied, and
// every probe that ended before now must already be applied (the caller
// guarantees this; see run.settle).
//
// The choice is final when no connection is pending, or when the current
// best b has no pending rival that could beat it. A pending connection of
// a better class could, and so could one of the same class that has not
// started or has been running for less than b's latency: once it has run
// that long, its answer (which has not come by now) will be strictly
// slower. Worse classes never can. When the only obstacles are such
// running same-class rivals, recheck is the moment the last of them stops
// being one; otherwise recheck is zero and only a new result can help.
func decide(conns []Connection, started []time.Time, now time.Time) (best int, final bool, recheck time.Time) {
	best = pickBest(conns)
	pending := false
	for _, c := range conns {
		if c.State == Pending {
			pending = true
			break
		}
	}
	if !pending {
		return best, true, time.Time{}
	}
	if best < 0 {
		return -1, false, time.Time{}
	}
	b := conns[best]
	cb := class(b)
	for i, c := range conns {
		if c.State != Pending {
			continue
		}
		switch cc := class(c); {
		case cc > cb:
			continue
		case cc < cb || started[i].IsZero():
			return best, false, time.Time{}
		}
		if at := started[i].Add(b.Latency); now.Before(at) && at.After(recheck) {
			recheck = at
		}
	}
	return best, recheck.IsZero(), recheck
}
