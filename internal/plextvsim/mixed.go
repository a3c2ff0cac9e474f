package plextvsim

import "time"

// AddMixedServer lists "Study" (owned), the setup of the `plextray uri`
// figures (docs/benchmarks.md): a remote connection that hangs, a local https one
// that answers after 2 s, a fast local https one, and a relay whose port
// refuses. It returns the fast connection's URI, the one to choose.
func (s *Sim) AddMixedServer() (string, error) {
	const id = "5tudy0c0ffee0000000000000000000000000001"
	var pms [3]*PMS
	for i, o := range []struct {
		name string
		b    PMSBehavior
	}{
		{"Study (remote)", PMSBehavior{Hang: true}},
		{"Study (slow)", PMSBehavior{Delay: 2 * time.Second}},
		{"Study", PMSBehavior{}},
	} {
		p, err := s.StartPMS(PMSOptions{Name: o.name, MachineIdentifier: id, TLS: true, Behavior: o.b})
		if err != nil {
			return "", err
		}
		pms[i] = p
	}
	hung, slow, fast := pms[0], pms[1], pms[2]
	refused, err := ClosedPortURL("https")
	if err != nil {
		return "", err
	}
	if _, err := s.AddServer(ServerSpec{Name: "Study", Owned: true, PublicAddressMatches: true, Connections: []ConnSpec{
		{PMS: hung}, {PMS: slow, Local: true}, {PMS: fast, Local: true}, {URI: refused, Relay: true},
	}}); err != nil {
		return "", err
	}
	return fast.URL(), nil
}
