package servers

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/plextv"
)

const fixturesDir = "../../testdata/plex-fixtures/resources"

// fixtures returns the resources fixtures by base name. Missing fixtures
// skip the test locally and fail it in CI.
func fixtures(t *testing.T) map[string][]plextv.Resource {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(fixturesDir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", fixturesDir)
	}
	out := map[string][]plextv.Resource{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rs []plextv.Resource
		if err := json.Unmarshal(b, &rs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = rs
	}
	return out
}

func TestPlanFixtures(t *testing.T) {
	fx := fixtures(t)
	tests := []struct {
		file    string
		servers []string
	}{
		{"resources_empty.json", nil},
		{"resources_spec_example.json", []string{"StreamMaster", "PirateBay", "Plexify", "HouseOfFun", "StreamerMaster", "desktop-mars", "MEDIA-HUB"}},
		{"resources_mixed_players_ipv6.json", []string{"StreamMaster", "PirateBay", "Plexify"}}, // 4 players dropped
	}
	for _, tt := range tests {
		rs, ok := fx[tt.file]
		if !ok {
			t.Errorf("missing fixture %s", tt.file)
			continue
		}
		plan := Plan(rs)
		var names []string
		for _, s := range plan {
			names = append(names, s.Name)
			if s.Decided || s.Best != "" || s.BestIndex != -1 {
				t.Errorf("%s/%s: planned server already decided", tt.file, s.Name)
			}
			for _, c := range s.Connections {
				want := Pending
				switch {
				case !s.Owned && c.Local && !s.PublicAddressMatches:
					want = Skipped
				case c.Protocol != "http" && c.Protocol != "https":
					t.Errorf("%s/%s: protocol %q", tt.file, s.Name, c.Protocol)
				}
				if c.State != want {
					t.Errorf("%s/%s %s: %v, want %v", tt.file, s.Name, c.URI, c.State, want)
				}
			}
		}
		if strings.Join(names, ",") != strings.Join(tt.servers, ",") {
			t.Errorf("%s: servers %v, want %v", tt.file, names, tt.servers)
		}
	}

	mixed := Plan(fx["resources_mixed_players_ipv6.json"])
	sm := mixed[0]
	if !sm.Owned || sm.SourceTitle != "" || len(sm.Connections) != 5 || !sm.Connections[1].IPv6 || !sm.Connections[4].Relay {
		t.Errorf("StreamMaster: %+v", sm)
	}
	plexify := mixed[2]
	if plexify.Presence || plexify.Owned || plexify.SourceTitle != "PlayerOne" || plexify.Connections[0].State != Pending {
		t.Errorf("Plexify (offline, null platform, plain http): %+v", plexify)
	}
}

// A full check of the fixtures with no network: every dial is refused
// (no socket) and names resolve through a fake that knows none, so
// plex.direct names fail like behind DNS-rebinding protection.
func TestCheckFixturesOffline(t *testing.T) {
	fx := fixtures(t)
	// No DNS answers and every dial refused: a plex.direct name that
	// encodes the connection's own address is still dialled by that
	// address (refused), and its failed DNS is recorded.
	p := newProber(t, Options{DialContext: refuseDial, Resolver: fakeResolver{}})
	for file, rs := range fx {
		res, evs := collect(context.Background(), p, rs, nil)
		for _, s := range res {
			if !s.Decided || !s.Done() || s.Best != "" {
				t.Errorf("%s/%s: decided %v done %v best %q", file, s.Name, s.Decided, s.Done(), s.Best)
			}
			for _, c := range s.Connections {
				host := hostOf(c.URI)
				var want State
				switch {
				case c.State == Skipped:
					continue
				case strings.Trim(host, "0123456789.") == "":
					want = Refused // IP literal: dialled, refused
				case isDirect(host, c.Address):
					want = Refused // dialled by the IP in the name
					if c.DNS != DNSFailed || c.ViaAddress {
						t.Errorf("%s/%s %s: dns %v via address %v, want failed, false", file, s.Name, c.URI, c.DNS, c.ViaAddress)
					}
				default:
					want = DNSFailure
				}
				if c.State != want {
					t.Errorf("%s/%s %s: %v (%s), want %v", file, s.Name, c.URI, c.State, c.Reason, want)
				}
			}
		}
		if n := len(res); n > 0 && len(evs) == 0 {
			t.Errorf("%s: no events", file)
		}
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(js), "Fx") {
			t.Errorf("%s: result contains a token:\n%s", file, js)
		}
	}
	res := p.Check(context.Background(), fx["resources_spec_example.json"])
	if !DNSBlocked(res) {
		t.Error("DNSBlocked false after plex.direct names failed to resolve")
	}
	if res[0].Best != "" {
		t.Errorf("StreamMaster: %+v", res[0])
	}
	if res[2].Best != "" || res[2].Owned {
		t.Errorf("Plexify: %+v", res[2])
	}
}

func isDirect(host, address string) bool {
	_, ok := directIP(host, address)
	return ok
}
