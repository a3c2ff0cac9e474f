package plextv

import "testing"

func TestAccountName(t *testing.T) {
	for _, c := range []struct {
		u    User
		want string
	}{
		{User{Username: "demo", Title: "Demo User"}, "Demo User"},
		{User{Username: "demo"}, "demo"},
		{User{Email: "a@example.com"}, "a@example.com"},
		{User{}, "Plex user"},
	} {
		if got := c.u.AccountName(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.u, got, c.want)
		}
	}
}
