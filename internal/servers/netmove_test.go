package servers

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// A network move in the simulator (a connection goes down, the machine now
// shares a shared server's public address) shows in the next check, once
// the resources are fetched again, as the core does on netwatch triggers.
func TestNetworkMoveThroughSimulator(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if err := sim.AddDemoPlexDirectServer(); err != nil {
		t.Fatal(err)
	}
	friend, err := sim.StartPMS(plextvsim.PMSOptions{Name: "Friend", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.AddServer(plextvsim.ServerSpec{Name: "Friend", SourceTitle: "ann",
		Connections: []plextvsim.ConnSpec{{PMS: friend, Local: true}}}); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c, err := plextv.New(sim.URL(), testInfo, plextv.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	fetch := func() []plextv.Resource {
		t.Helper()
		rs, err := c.Resources(context.Background(), plextv.Token(sim.DemoAccount().Token))
		if err != nil {
			t.Fatal(err)
		}
		return plextv.Servers(rs)
	}
	o := simPool(t)
	o.Resolver = plextvsim.BlockedDNS
	p := newProber(t, o)

	before := p.Check(context.Background(), fetch())
	if a := before[0].Connections[0]; a.State != Reachable || !a.ViaAddress || before[0].AccessToken.IsZero() || before[0].LastSeenAt.IsZero() {
		t.Fatalf("Attic before: %+v", before[0])
	}
	if f := before[1].Connections[0]; f.State != Skipped {
		t.Fatalf("Friend before: %v (%s), want skipped (not on its network)", f.State, f.Reason)
	}

	down, matches := true, true
	if err := sim.SetConnection("Attic", 0, plextvsim.ConnChange{Down: &down}); err != nil {
		t.Fatal(err)
	}
	if err := sim.SetServer("Friend", plextvsim.ServerChange{PublicAddressMatches: &matches}); err != nil {
		t.Fatal(err)
	}
	after := p.Check(context.Background(), fetch())
	if a := after[0].Connections[0]; a.State != Refused || after[0].Best != "" {
		t.Errorf("Attic after: %v best %q", a.State, after[0].Best)
	}
	if f := after[1]; f.Connections[0].State != Reachable || f.Best == "" {
		t.Errorf("Friend after: %v (%s)", f.Connections[0].State, f.Connections[0].Reason)
	}
}
