package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/wording"
)

// serverJSON is the shape of `servers --json`, one per server. It keeps
// the full values from plex.tv (JSON escapes them); only the table and
// messages go through textsafe.
type serverJSON struct {
	Name             string           `json:"name"`
	ClientIdentifier string           `json:"clientIdentifier"`
	Owned            bool             `json:"owned"`
	SourceTitle      *string          `json:"sourceTitle"`
	Presence         bool             `json:"presence"`
	LastSeenAt       *time.Time       `json:"lastSeenAt"`
	Best             *string          `json:"best"`
	BestKind         *servers.URIKind `json:"bestKind"`
	Decided          bool             `json:"decided"`
	BestDecidedMs    *float64         `json:"bestDecidedMs"`
	Summary          string           `json:"summary"`
	Connections      []connectionJSON `json:"connections"`
}

type connectionJSON struct {
	URI       string         `json:"uri"`
	Protocol  string         `json:"protocol"`
	Local     bool           `json:"local"`
	Relay     bool           `json:"relay"`
	IPv6      bool           `json:"ipv6"`
	State     servers.State  `json:"state"`
	Label     string         `json:"label"`
	LatencyMs *float64       `json:"latencyMs"`
	Status    *int           `json:"httpStatus,omitempty"`
	Reason    servers.Reason `json:"reason,omitempty"`
	Detail    string         `json:"detail"`
	DNS       string         `json:"dns,omitempty"`
}

// toJSONAt is the `servers --json` shape: name, clientIdentifier, owned,
// sourceTitle (null when owned), presence, lastSeenAt (plex.tv's, RFC 3339,
// null when unknown), best (servers.Server.URI, the URI Copy URI and
// `uri` give, or null), bestKind (why it is that one: "best",
// "other_connection", "needs_plex_direct_dns"; null with best), decided,
// bestDecidedMs (null until decided), summary, and connections, each with
// uri, protocol, local, relay, ipv6, state (e.g. "timed_out"), label,
// latencyMs (null unless the peer answered), httpStatus (HTTPError only),
// reason (why, as a word: "probe_timeout", "https_required", …; absent when
// the state says it all), detail (the same in a sentence) and dns ("resolved" or "failed" for plex.direct names, else
// absent).
func toJSONAt(s servers.Server, now time.Time) serverJSON {
	out := serverJSON{
		Name:             s.Name,
		ClientIdentifier: s.ClientIdentifier,
		Owned:            s.Owned,
		Presence:         s.Presence,
		Decided:          s.Decided,
		Summary:          wording.ServerName(s) + " — " + wording.ServerStatus(s, now),
		Connections:      make([]connectionJSON, 0, len(s.Connections)),
	}
	if s.SourceTitle != "" && !s.Owned {
		out.SourceTitle = &s.SourceTitle
	}
	if s.URI != "" {
		out.Best, out.BestKind = &s.URI, &s.URIKind
	}
	if !s.LastSeenAt.IsZero() {
		t := s.LastSeenAt.UTC()
		out.LastSeenAt = &t
	}
	if s.Decided {
		out.BestDecidedMs = ms(s.DecidedAfter)
	}
	for _, c := range s.Connections {
		jc := connectionJSON{
			URI: c.URI, Protocol: c.Protocol, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6,
			State: c.State, Label: wording.ConnLabel(c), Reason: c.Reason, Detail: wording.ConnDetail(c),
		}
		if answered(c.State) {
			jc.LatencyMs = ms(c.Latency)
		}
		if c.State == servers.HTTPError && c.StatusCode != 0 {
			jc.Status = &c.StatusCode
		}
		switch c.DNS {
		case servers.DNSResolved:
			jc.DNS = "resolved"
		case servers.DNSFailed:
			jc.DNS = "failed"
		}
		out.Connections = append(out.Connections, jc)
	}
	return out
}

// answered reports whether the state means a peer sent an HTTP answer.
func answered(s servers.State) bool {
	return s == servers.Reachable || s == servers.WrongServer || s == servers.HTTPError
}

// ms is d in milliseconds, rounded to 0.1 ms.
func ms(d time.Duration) *float64 {
	v := math.Round(float64(d)/float64(100*time.Microsecond)) / 10
	return &v
}

// writeJSON writes servers as an indented JSON array ([] when empty).
func writeJSON(w io.Writer, list []servers.Server) error { return writeJSONAt(w, list, time.Now()) }

// writeJSONAt is writeJSON with "last seen" counted from now.
func writeJSONAt(w io.Writer, list []servers.Server, now time.Time) error {
	out := make([]serverJSON, 0, len(list))
	for _, s := range list {
		out = append(out, toJSONAt(s, now))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// writeTable writes servers as plain text: per server a heading line
// (name, owned or shared by whom, best URI) and a table of its
// connections (kind, state, latency, URI), then a hint for a DNS failure
// of a plex.direct name. Every string from plex.tv goes through textsafe:
// one line each, no control characters, shortened.
//
//	Living Room · owned · best https://192-168-1-2.….plex.direct:32400
//	  local https   reachable (best)  4 ms  https://192-168-1-2.….plex.direct:32400
//	  remote https  timed out         -     https://203-0-113-7.….plex.direct:32400
func writeTable(w io.Writer, list []servers.Server) error { return writeTableAt(w, list, time.Now()) }

// writeTableAt is writeTable with "last seen" counted from now.
func writeTableAt(w io.Writer, list []servers.Server, now time.Time) error {
	bw := bufio.NewWriter(w)
	if len(list) == 0 {
		fmt.Fprintln(bw, "No Plex Media Servers on this account.")
		return bw.Flush()
	}
	for i, s := range list {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		owner := "owned"
		if !s.Owned {
			owner = "shared"
			if s.SourceTitle != "" {
				owner += " by " + name(s.SourceTitle)
			}
		}
		best := "best " + uri(s.URI)
		if s.URI == "" {
			best = wording.ServerStatus(s, now)
		}
		n := name(s.Name)
		if n == "" {
			n = "Unnamed server"
		}
		fmt.Fprintf(bw, "%s · %s · %s\n", n, owner, best)
		if len(s.Connections) == 0 {
			fmt.Fprintln(bw, "  (no connections listed)")
			continue
		}
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		hint := ""
		for ci, c := range s.Connections {
			lat := "-"
			if answered(c.State) {
				lat = wording.Latency(c.Latency)
			}
			state := wording.ConnLabel(c)
			if c.State == servers.Reachable {
				state = "reachable" // the latency has its own column
			}
			if ci == s.URIIndex {
				state += " (best)"
			}
			kind := wording.Location(c) + " " + c.Protocol
			if c.IPv6 {
				kind += " IPv6"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", kind, state, lat, uri(c.URI))
			if c.State == servers.DNSFailure && servers.IsPlexDirect(c.URI) && hint == "" {
				hint = "  note: " + wording.ConnDetail(c)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if hint != "" {
			fmt.Fprintln(bw, hint)
		}
		switch s.URIKind {
		case servers.URIOther:
			fmt.Fprintf(bw, "  note: best is not the fastest connection, %s: this network's DNS does not resolve that name.\n", uri(s.Best))
		case servers.URINeedsDNS:
			fmt.Fprintln(bw, "  note: "+needsDNSNote(s))
		}
	}
	if servers.DNSBlocked(list) {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "note: this network's DNS does not resolve plex.direct names (DNS-rebinding protection in the router?). plextray reaches those servers by the address in the name, with their certificates verified, but other programs here cannot use such URIs: allow plex.direct in your router or DNS (dnsmasq: rebind-domain-ok=/plex.direct/).")
	}
	return bw.Flush()
}
