package servers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// jsonServer is the shape of `tray servers --json`, one per server.
type jsonServer struct {
	Name             string           `json:"name"`
	ClientIdentifier string           `json:"clientIdentifier"`
	Owned            bool             `json:"owned"`
	SourceTitle      *string          `json:"sourceTitle"`
	Presence         bool             `json:"presence"`
	Best             *string          `json:"best"`
	Decided          bool             `json:"decided"`
	BestDecidedMs    *float64         `json:"bestDecidedMs"`
	Summary          string           `json:"summary"`
	Connections      []jsonConnection `json:"connections"`
}

type jsonConnection struct {
	URI       string   `json:"uri"`
	Protocol  string   `json:"protocol"`
	Local     bool     `json:"local"`
	Relay     bool     `json:"relay"`
	IPv6      bool     `json:"ipv6"`
	State     State    `json:"state"`
	Label     string   `json:"label"`
	LatencyMs *float64 `json:"latencyMs"`
	Status    *int     `json:"httpStatus,omitempty"`
	Detail    string   `json:"detail"`
}

// MarshalJSON writes the `tray servers --json` shape: name,
// clientIdentifier, owned, sourceTitle (null when owned), presence, best
// (URI or null), decided, bestDecidedMs (null until decided), summary, and
// connections, each with uri, protocol, local, relay, ipv6, state (e.g.
// "timed_out"), label, latencyMs (null unless the peer answered),
// httpStatus (HTTPError only) and detail.
func (s Server) MarshalJSON() ([]byte, error) {
	out := jsonServer{
		Name:             s.Name,
		ClientIdentifier: s.ClientIdentifier,
		Owned:            s.Owned,
		Presence:         s.Presence,
		Decided:          s.Decided,
		Summary:          s.Summary(),
		Connections:      make([]jsonConnection, 0, len(s.Connections)),
	}
	if s.SourceTitle != "" && !s.Owned {
		out.SourceTitle = &s.SourceTitle
	}
	if s.Best != "" {
		out.Best = &s.Best
	}
	if s.Decided {
		out.BestDecidedMs = ms(s.DecidedAfter)
	}
	for _, c := range s.Connections {
		jc := jsonConnection{
			URI: c.URI, Protocol: c.Protocol, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6,
			State: c.State, Label: c.Label(), Detail: c.Detail,
		}
		if c.State.answered() {
			jc.LatencyMs = ms(c.Latency)
		}
		if c.State == HTTPError && c.StatusCode != 0 {
			jc.Status = &c.StatusCode
		}
		out.Connections = append(out.Connections, jc)
	}
	return json.Marshal(out)
}

// ms is d in milliseconds, rounded to 0.1 ms.
func ms(d time.Duration) *float64 {
	v := math.Round(float64(d)/float64(100*time.Microsecond)) / 10
	return &v
}

// WriteJSON writes servers as an indented JSON array ([] when empty).
func WriteJSON(w io.Writer, servers []Server) error {
	if servers == nil {
		servers = []Server{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(servers)
}

// WriteTable writes servers as plain text: per server a heading line
// (name, owned or shared by whom, best URI) and a table of its
// connections (kind, state, latency, URI), then a hint for each DNS
// failure of a plex.direct name.
//
//	Living Room · owned · best https://192-168-1-2.….plex.direct:32400
//	  local https   reachable (best)  4 ms  https://192-168-1-2.….plex.direct:32400
//	  remote https  timed out         -     https://203-0-113-7.….plex.direct:32400
func WriteTable(w io.Writer, servers []Server) error {
	bw := bufio.NewWriter(w)
	if len(servers) == 0 {
		fmt.Fprintln(bw, "No Plex Media Servers on this account.")
		return bw.Flush()
	}
	for i, s := range servers {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		owner := "owned"
		if !s.Owned {
			owner = "shared"
			if s.SourceTitle != "" {
				owner += " by " + s.SourceTitle
			}
		}
		best := "best " + s.Best
		if s.Best == "" {
			best = s.Status()
		}
		name := strings.TrimSpace(s.Name)
		if name == "" {
			name = "Unnamed server"
		}
		fmt.Fprintf(bw, "%s · %s · %s\n", name, owner, best)
		if len(s.Connections) == 0 {
			fmt.Fprintln(bw, "  (no connections listed)")
			continue
		}
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		var hints []string
		for ci, c := range s.Connections {
			lat := "-"
			if c.State.answered() {
				lat = formatLatency(c.Latency)
			}
			state := stateWords(c)
			if ci == s.BestIndex {
				state += " (best)"
			}
			kind := c.Location() + " " + c.Protocol
			if c.IPv6 {
				kind += " IPv6"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", kind, state, lat, c.URI)
			if c.State == DNSFailure && isPlexDirect(hostOf(c.URI)) && len(hints) == 0 {
				hints = append(hints, "  note: "+c.Detail)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, h := range hints {
			fmt.Fprintln(bw, h)
		}
	}
	return bw.Flush()
}

// stateWords is the table's state column: the label, but "reachable"
// instead of the latency, which has its own column.
func stateWords(c Connection) string {
	if c.State == Reachable {
		return "reachable"
	}
	return c.Label()
}
