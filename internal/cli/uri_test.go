package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/servers"
)

// mixedServer lists the simulator's mixed "Study" server
// (plextvsim.AddMixedServer) and returns its fast connection's URI.
func mixedServer(t *testing.T, sim *plextvsim.Sim) string {
	t.Helper()
	fast, err := sim.AddMixedServer()
	if err != nil {
		t.Fatal(err)
	}
	return fast
}

func TestURIPrintsTheFastLocalOne(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	fast := mixedServer(t, f.sim)
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	if code := f.run("uri", "--timeout", "30s"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	if got := f.stdout.String(); got != fast+"\n" {
		t.Fatalf("stdout %q, want the fast local %s", got, fast)
	}
	if !strings.Contains(f.stderr.String(), "Study: the only server") {
		t.Fatalf("stderr %q", f.stderr)
	}
}

func TestURIJSON(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	fast := mixedServer(t, f.sim)
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	if code := f.run("uri", "study", "--json"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	var got uriJSON
	if err := json.Unmarshal([]byte(f.stdout.String()), &got); err != nil {
		t.Fatalf("%v: %s", err, f.stdout)
	}
	if got.URI != fast || got.Class != "local" || got.Protocol != "https" || got.Name != "Study" ||
		got.ClientIdentifier == "" || got.LatencyMs == nil || got.DecidedMs == nil {
		t.Fatalf("%+v", got)
	}
	if f.stderr.String() != "" {
		t.Fatalf("a named server needs no note: %q", f.stderr)
	}
}

func TestURIChoosesAndRefuses(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if err := f.sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	lr := f.sim.FindPMS("Living Room").URL()

	// No name, several servers: the first owned one, said on stderr.
	if code := f.run("uri"); code != ExitOK || f.stdout.String() != lr+"\n" {
		t.Fatalf("exit %d stdout %q\n%s", code, f.stdout, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "Living Room: the first server you own") {
		t.Fatalf("stderr %q", f.stderr)
	}

	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"uri", "Nowhere"}, ExitUsage, []string{`no server "Nowhere"`}},
		{[]string{"uri", "Cabin", "--timeout", "2s"}, ExitFailure, []string{"Cabin", "local refused, remote refused", "within 2s"}},
		{[]string{"uri", "a", "b"}, ExitUsage, []string{"at most one server"}},
		{[]string{"uri", "--timeout", "0s"}, ExitUsage, []string{"positive duration"}},
	}
	for _, c := range cases {
		f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
		code := f.run(c.args...)
		if code != c.code || f.stdout.String() != "" {
			t.Errorf("%v: exit %d stdout %q stderr %q, want exit %d", c.args, code, f.stdout, f.stderr, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(f.stderr.String(), w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, f.stderr, w)
			}
		}
	}
}

func TestURIAmbiguous(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for range 2 {
		p, err := f.sim.StartPMS(plextvsim.PMSOptions{Name: "Twin", TLS: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.sim.AddServer(plextvsim.ServerSpec{Name: "Twin", SourceTitle: "friend", Connections: []plextvsim.ConnSpec{{PMS: p, Relay: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	ids := []string{}
	for _, r := range f.sim.Resources() {
		ids = append(ids, r.ClientIdentifier)
	}
	for _, args := range [][]string{{"uri", "twin"}, {"uri"}} {
		f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
		if code := f.run(args...); code != ExitUsage {
			t.Fatalf("%v: exit %d\n%s", args, code, f.stderr)
		}
		for _, id := range ids {
			if !strings.Contains(f.stderr.String(), id) {
				t.Fatalf("%v: stderr does not list %s: %s", args, id, f.stderr)
			}
		}
	}
	// By clientIdentifier it is one.
	f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
	if code := f.run("uri", ids[1]); code != ExitOK || !strings.HasPrefix(f.stdout.String(), "https://") {
		t.Fatalf("exit %d %q %s", code, f.stdout, f.stderr)
	}
}

func TestTokenServer(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if err := f.sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	raw, _ := f.sim.NewToken("")
	// The stored token, not PLEXTRAY_TOKEN: `token` reads the keychain.
	if err := f.kc.Entry(keychain.Account).Set(t.Context(), plextv.Token(raw)); err != nil {
		t.Fatal(err)
	}
	var dad plextvsim.Resource
	for _, r := range f.sim.Resources() {
		if r.Name == "Dad's Plex" {
			dad = r
		}
	}
	if dad.AccessToken == "" || dad.AccessToken == raw {
		t.Fatalf("the simulator gave Dad's Plex no token of its own: %+v", dad)
	}
	for _, q := range []string{"dad's plex", dad.ClientIdentifier} {
		f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
		if code := f.run("token", "--server", q); code != ExitOK || f.stdout.String() != dad.AccessToken+"\n" {
			t.Fatalf("--server %q: exit %d stdout %q\n%s", q, code, f.stdout, f.stderr)
		}
	}
	f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
	if code := f.run("token", "--server", "Nowhere"); code != ExitUsage || f.stdout.String() != "" {
		t.Fatalf("unknown: exit %d %q", code, f.stdout)
	}
	if code := f.run("token", "--server", "Cabin", "--user", "Kid"); code != ExitUsage {
		t.Fatalf("both: exit %d", code)
	}

	// Never in servers --json or the table.
	for _, args := range [][]string{{"servers", "--json", "--timeout", "300ms"}, {"servers", "--timeout", "300ms"}} {
		f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
		if code := f.run(args...); code != ExitOK {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, r := range f.sim.Resources() {
			if r.AccessToken != "" && strings.Contains(f.stdout.String()+f.stderr.String(), r.AccessToken) {
				t.Fatalf("%v shows %s's token:\n%s", args, r.Name, f.stdout)
			}
		}
	}
}

func TestServersLastSeen(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if err := f.sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	seen := now.Add(-3*24*time.Hour - 5*time.Hour)
	if err := f.sim.SetServer("Cabin", plextvsim.ServerChange{LastSeenAt: &seen}); err != nil {
		t.Fatal(err)
	}
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	run := func(args ...string) string {
		f.stdout, f.stderr = &syncBuf{}, &syncBuf{}
		io := f.io()
		io.Now = func() time.Time { return now }
		if code := Run(args, io); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, f.stderr)
		}
		return f.stdout.String()
	}
	if out := run("servers", "--timeout", "300ms"); !strings.Contains(out, "Cabin · owned · offline · last seen 3 days ago") {
		t.Fatalf("table:\n%s", out)
	}
	var list []struct {
		Name       string     `json:"name"`
		LastSeenAt *time.Time `json:"lastSeenAt"`
		Summary    string     `json:"summary"`
	}
	if err := json.Unmarshal([]byte(run("servers", "--json", "--timeout", "300ms")), &list); err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.LastSeenAt == nil {
			t.Fatalf("%s: no lastSeenAt", s.Name)
		}
		if s.Name == "Cabin" && (!s.LastSeenAt.Equal(seen) || !strings.HasSuffix(s.Summary, "last seen 3 days ago")) {
			t.Fatalf("Cabin: %v %q", s.LastSeenAt, s.Summary)
		}
	}
}

// A plex.direct name this network's DNS does not resolve: the table says
// so once, with the fix and a curl --resolve line for meanwhile; JSON
// has the same URI, why it is that one, and each name's DNS.
func TestServersSayDNSBlocksPlexDirect(t *testing.T) {
	pd := "https://192-168-1-2.0123456789abcdef.plex.direct:32400"
	list := []servers.Server{{Name: "Attic", ClientIdentifier: "a", Owned: true, Best: pd, BestIndex: 0, Decided: true,
		URI: pd, URIIndex: 0, URIKind: servers.URINeedsDNS,
		Connections: []servers.Connection{{URI: pd, Protocol: "https", Local: true, Address: "192.168.1.2", Port: 32400,
			State: servers.Reachable, DNS: servers.DNSFailed, ViaAddress: true}}}}
	var table, js strings.Builder
	now := time.Now()
	if err := writeTableAt(&table, list, now); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(table.String(), "does not resolve plex.direct names"); n != 1 || !strings.Contains(table.String(), "rebind-domain-ok=/plex.direct/") ||
		!strings.Contains(table.String(), "curl --resolve 192-168-1-2.0123456789abcdef.plex.direct:32400:192.168.1.2 "+pd) {
		t.Fatalf("table:\n%s", table.String())
	}
	if err := writeJSONAt(&js, list, now); err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Best        *string `json:"best"`
		BestKind    *string `json:"bestKind"`
		Connections []struct {
			DNS string `json:"dns"`
		} `json:"connections"`
	}
	if err := json.Unmarshal([]byte(js.String()), &out); err != nil {
		t.Fatal(err)
	}
	if out[0].Best == nil || *out[0].Best != pd || out[0].BestKind == nil || *out[0].BestKind != "needs_plex_direct_dns" || out[0].Connections[0].DNS != "failed" {
		t.Fatalf("%s", js.String())
	}
}
