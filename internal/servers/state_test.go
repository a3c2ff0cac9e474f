package servers

import "testing"

func TestStateText(t *testing.T) {
	want := []string{"pending", "reachable", "refused", "timed_out", "tls_error", "dns_failure", "wrong_server", "http_error", "skipped", "unreachable", "cancelled"}
	for i, w := range want {
		s := State(i)
		if s.String() != w {
			t.Errorf("%d: %q, want %q", i, s, w)
		}
		var back State
		if err := back.UnmarshalText([]byte(w)); err != nil || back != s {
			t.Errorf("%q: %v %v", w, back, err)
		}
	}
	var s State
	if s.UnmarshalText([]byte("bogus")) == nil {
		t.Error("bogus state accepted")
	}
}
