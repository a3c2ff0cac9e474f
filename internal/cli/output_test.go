package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/servers"
	"github.com/plextray/plextray/internal/wording"
)

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func summary(s servers.Server) string { return wording.ServerName(s) + " — " + serverStatus(s) }

func sample() []servers.Server {
	ms := time.Millisecond
	return []servers.Server{
		{
			Name: "Living Room", ClientIdentifier: idA, Owned: true, Presence: true,
			Best: "https://192-168-1-2.abc.plex.direct:32400", BestIndex: 0,
			URI: "https://192-168-1-2.abc.plex.direct:32400", URIKind: servers.URIBest,
			Decided: true, DecidedAfter: 4200 * time.Microsecond,
			Connections: []servers.Connection{
				{URI: "https://192-168-1-2.abc.plex.direct:32400", Protocol: "https", Local: true, State: servers.Reachable, Latency: 4 * ms},
				{URI: "https://203-0-113-7.abc.plex.direct:32400", Protocol: "https", State: servers.TimedOut, Reason: servers.ReasonProbeTimeout},
				{URI: "https://[2001:db8::7]:32400", Protocol: "https", IPv6: true, State: servers.Pending},
			},
		},
		{
			Name: "Dad's Plex", ClientIdentifier: idB, SourceTitle: "dad", BestIndex: 1, Decided: true,
			Best: "https://198-51-100-1.def.plex.direct:8443",
			URI:  "https://198-51-100-1.def.plex.direct:8443", URIIndex: 1, URIKind: servers.URIBest,
			Connections: []servers.Connection{
				{URI: "https://10-0-0-2.def.plex.direct:32400", Protocol: "https", Local: true, State: servers.Skipped, Reason: servers.SkipSharedLocal},
				{URI: "https://198-51-100-1.def.plex.direct:8443", Protocol: "https", Relay: true, State: servers.Reachable, Latency: 80 * ms},
			},
		},
		{
			Name: "Old NAS", Owned: true, BestIndex: -1, URIIndex: -1, Decided: true,
			Connections: []servers.Connection{
				{URI: "http://192.168.1.9:32400", Protocol: "http", Local: true, State: servers.Refused},
				{URI: "https://192-168-1-9.x.plex.direct:32400", Protocol: "https", Local: true, State: servers.DNSFailure, Reason: servers.ReasonNoSuchHost, Err: "no such host"},
			},
		},
		{Name: "Attic", Owned: true, BestIndex: -1, URIIndex: -1, Connections: []servers.Connection{{URI: "http://10.0.0.3:32400", Protocol: "http", State: servers.Pending}}},
	}
}

func TestSummary(t *testing.T) {
	want := []string{
		"Living Room — local · 4 ms",
		"Dad's Plex (shared) — relay · 80 ms",
		"Old NAS — offline · DNS failed (rebinding protection?)",
		"Attic — checking…",
	}
	for i, s := range sample() {
		if got := summary(s); got != want[i] {
			t.Errorf("%q, want %q", got, want[i])
		}
	}
	plainOffline := servers.Server{Name: "Old NAS", Owned: true, BestIndex: -1, Decided: true,
		Connections: []servers.Connection{{Protocol: "http", State: servers.Refused}, {Protocol: "https", State: servers.TimedOut}}}
	if got := summary(plainOffline); got != "Old NAS — offline" {
		t.Errorf("%q", got)
	}
	http := servers.Server{Name: "Box", Owned: true, Decided: true, BestIndex: 0, Best: "http://10.0.0.1:32400",
		Connections: []servers.Connection{{Protocol: "http", Local: true, State: servers.Reachable, Latency: 1500 * time.Millisecond}}}
	if got := summary(http); got != "Box — local http · 1.5 s" {
		t.Errorf("%q", got)
	}
	// A best that is not decided yet is not shown.
	http.Decided = false
	if got := summary(http); got != "Box — checking…" {
		t.Errorf("%q", got)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		c    servers.Connection
		want string
	}{
		{servers.Connection{State: servers.Reachable, Latency: 4 * time.Millisecond}, "4 ms"},
		{servers.Connection{State: servers.Reachable, Latency: 300 * time.Microsecond}, "<1 ms"},
		{servers.Connection{State: servers.Refused}, "refused"},
		{servers.Connection{State: servers.TimedOut}, "timed out"},
		{servers.Connection{State: servers.TLSError}, "TLS error"},
		{servers.Connection{State: servers.DNSFailure, URI: "https://1-2-3-4.h.plex.direct:32400"}, "DNS failed (rebinding protection?)"},
		{servers.Connection{State: servers.DNSFailure, URI: "https://nas.example:32400"}, "DNS failed"},
		{servers.Connection{State: servers.WrongServer}, "wrong server"},
		{servers.Connection{State: servers.HTTPError, StatusCode: 401}, "HTTP 401"},
		{servers.Connection{State: servers.Skipped, Reason: servers.SkipHTTPSRequired}, "not tried: http while https required"},
		{servers.Connection{State: servers.Unreachable}, "unreachable"},
		{servers.Connection{State: servers.Cancelled}, "cancelled"},
		{servers.Connection{State: servers.Pending}, "checking…"},
	}
	for _, tt := range tests {
		if got := wording.ConnLabel(tt.c); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.c.State, got, tt.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(got) != 4 {
		t.Fatalf("%d servers", len(got))
	}
	for _, s := range got {
		for _, k := range []string{"name", "clientIdentifier", "owned", "best", "connections", "summary", "sourceTitle", "bestDecidedMs"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%v: no %q", s["name"], k)
			}
		}
		for _, c := range s["connections"].([]any) {
			m := c.(map[string]any)
			for _, k := range []string{"uri", "local", "relay", "state", "latencyMs", "detail"} {
				if _, ok := m[k]; !ok {
					t.Errorf("%v: connection without %q", s["name"], k)
				}
			}
		}
	}
	lr := got[0]
	if lr["best"] != "https://192-168-1-2.abc.plex.direct:32400" || lr["owned"] != true || lr["sourceTitle"] != nil || lr["bestDecidedMs"] != 4.2 {
		t.Errorf("living room: %v", lr)
	}
	c0 := lr["connections"].([]any)[0].(map[string]any)
	c1 := lr["connections"].([]any)[1].(map[string]any)
	if c0["state"] != "reachable" || c0["latencyMs"] != 4.0 || c1["state"] != "timed_out" || c1["latencyMs"] != nil {
		t.Errorf("connections: %v / %v", c0, c1)
	}
	if got[1]["sourceTitle"] != "dad" || got[2]["best"] != nil || got[3]["bestDecidedMs"] != nil {
		t.Errorf("shared/offline/pending: %v %v %v", got[1]["sourceTitle"], got[2]["best"], got[3]["bestDecidedMs"])
	}
	if strings.Contains(buf.String(), `\u0026`) || strings.Contains(buf.String(), `\u003c`) {
		t.Error("HTML-escaped output")
	}

	buf.Reset()
	if err := writeJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("empty: %q %v", buf.String(), err)
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := writeTable(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Living Room · owned · best https://192-168-1-2.abc.plex.direct:32400\n",
		"  local https ", "reachable (best)", "4 ms", "timed out", "remote https",
		"remote https IPv6", "checking…", "  local http   refused",
		"Dad's Plex · shared by dad · best https://198-51-100-1.def.plex.direct:8443\n",
		"not tried: local address of a shared server",
		"Old NAS · owned · offline · DNS failed (rebinding protection?)\n",
		"DNS failed (rebinding protection?)",
		"  note: 192-168-1-9.x.plex.direct did not resolve",
		"Attic · owned · checking…\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	writeTable(&buf, nil)
	if buf.String() != "No Plex Media Servers on this account.\n" {
		t.Errorf("empty: %q", buf.String())
	}
}
