package launch

import "testing"

func TestManyProbes(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"servers"}, true},
		{[]string{"--verbose", "servers", "--json"}, true},
		{[]string{"uri", "servers"}, false}, // a server named "servers"
		{[]string{"uri", "Study"}, false},
		{[]string{"--verbose", "uri"}, false},
		{[]string{"token", "--server", "servers"}, false},
		{[]string{"--version"}, false},
		{nil, false},
	} {
		if got := manyProbes(c.args); got != c.want {
			t.Errorf("manyProbes(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
