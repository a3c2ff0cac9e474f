package launch

import "testing"

func TestCommandOf(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"servers"}, "servers"},
		{[]string{"--verbose", "servers", "--json"}, "servers"},
		{[]string{"uri", "servers"}, "uri"}, // a server named "servers"
		{[]string{"uri", "Study"}, "uri"},
		{[]string{"--verbose", "uri"}, "uri"},
		{[]string{"token", "--server", "servers"}, "token"},
		{[]string{"--version"}, ""},
		{nil, ""},
	} {
		if got := commandOf(c.args); got != c.want {
			t.Errorf("commandOf(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}
