package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextvsim"
)

// TestMain trusts the simulator's CA the way a person would, through
// SSL_CERT_FILE, before anything loads the system roots.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cli-ca")
	if err != nil {
		panic(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := plextvsim.WriteCACert(ca); err != nil {
		panic(err)
	}
	os.Setenv("SSL_CERT_FILE", ca)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type jsonServer struct {
	Name             string  `json:"name"`
	ClientIdentifier string  `json:"clientIdentifier"`
	Owned            bool    `json:"owned"`
	Best             *string `json:"best"`
	Connections      []struct {
		URI       string   `json:"uri"`
		Local     bool     `json:"local"`
		Relay     bool     `json:"relay"`
		State     string   `json:"state"`
		LatencyMs *float64 `json:"latencyMs"`
	} `json:"connections"`
}

func TestServersJSON(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if err := f.sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	// The timeout is what the hung remote costs; it is generous so the
	// local connection answers in time on a busy machine (a TLS
	// handshake with -race on two busy cores took over 100 ms).
	if code := f.run("servers", "--json", "--timeout", "2s"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	var list []jsonServer
	if err := json.Unmarshal([]byte(f.stdout.String()), &list); err != nil {
		t.Fatalf("%v\n%s", err, f.stdout)
	}
	byName := map[string]jsonServer{}
	for _, s := range list {
		byName[s.Name] = s
	}
	if len(list) != 3 {
		t.Fatalf("%d servers (the player must not be listed): %s", len(list), f.stdout)
	}
	lr := byName["Living Room"]
	local := f.sim.FindPMS("Living Room").URL()
	if lr.Best == nil || *lr.Best != local || !lr.Owned || lr.ClientIdentifier == "" {
		t.Fatalf("Living Room: %+v, want best %s", lr, local)
	}
	states := map[string]string{}
	for _, c := range lr.Connections {
		states[c.URI] = c.State
		if c.State == "reachable" && (c.LatencyMs == nil || *c.LatencyMs < 0) {
			t.Fatalf("reachable without latency: %+v", c)
		}
	}
	if states[local] != "reachable" || states[f.sim.FindPMS("Living Room (remote)").URL()] != "timed_out" {
		t.Fatalf("states %v", states)
	}
	if cabin := byName["Cabin"]; cabin.Best != nil || cabin.Connections[0].State != "refused" {
		t.Fatalf("Cabin: %+v", cabin)
	}
	if dad := byName["Dad's Plex"]; dad.Owned || dad.Best == nil {
		t.Fatalf("Dad's Plex: %+v", dad)
	}
	if strings.Contains(f.stdout.String(), raw) {
		t.Fatal("token in output")
	}
	// The probes carried our identity and no token.
	for _, r := range f.sim.FindPMS("Living Room").Requests() {
		if r.Header.Get("X-Plex-Client-Identifier") != "cli-test-client" || r.HasToken() {
			t.Fatalf("probe headers %v", r.Header)
		}
	}
}

func TestServersTable(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	f.sim.AddDemoServers()
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	if code := f.run("servers", "--timeout", "300ms"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	out := f.stdout.String()
	for _, want := range []string{"Living Room", "Dad's Plex", "Cabin", f.sim.FindPMS("Living Room").URL(), "refused", "timed out"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestServersNeedsPlexTV(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if code := f.run("servers"); code != ExitNotSignedIn {
		t.Fatalf("no token: exit %d", code)
	}
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Count: 1, Status: 502})
	if code := f.run("servers"); code != ExitFailure || !strings.Contains(f.stderr.String(), "502") {
		t.Fatalf("plex.tv down: exit %d %s", code, f.stderr)
	}
	f.sim.RevokeToken(raw)
	if code := f.run("servers"); code != ExitRejected {
		t.Fatalf("revoked: exit %d", code)
	}
}
