package plextvsim

import "testing"

// StartForTest starts a simulator for one test. At cleanup it fails t if
// any request broke plex.tv's rules (a token in a URL, no client
// identifier, no Accept: application/json), then closes the simulator.
func StartForTest(t testing.TB, opts Options) *Sim {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := s.Violations(); len(v) > 0 {
			t.Errorf("plex.tv rule violations: %+v", v)
		}
		s.Close()
	})
	return s
}
