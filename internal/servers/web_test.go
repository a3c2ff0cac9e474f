package servers

import "testing"

func TestWebURL(t *testing.T) {
	const app = "https://app.plex.tv/"
	local := Connection{URI: "https://192-168-1-20.abc.plex.direct:32400", Local: true}
	remote := Connection{URI: "https://203-0-113-7.abc.plex.direct:32400"}
	relay := Connection{URI: "https://relay.plex.direct:8443", Relay: true, Local: true}
	id := "fa4e0000aaaabbbbccccddddeeeeffff00001111"
	for _, tc := range []struct {
		name string
		s    Server
		want string
	}{
		{"local", Server{ClientIdentifier: id, URI: local.URI, URIIndex: 0, Connections: []Connection{local}},
			"https://192-168-1-20.abc.plex.direct:32400/web"},
		{"local best, but DNS blocks it: the remote one handed out", Server{ClientIdentifier: id, Best: local.URI, BestIndex: 0, URI: remote.URI, URIIndex: 1, Connections: []Connection{local, remote}},
			"https://app.plex.tv/desktop/#!/media/" + id + "/com.plexapp.plugins.library"},
		{"remote", Server{ClientIdentifier: id, URI: remote.URI, URIIndex: 0, Connections: []Connection{remote}},
			"https://app.plex.tv/desktop/#!/media/" + id + "/com.plexapp.plugins.library"},
		{"relay", Server{ClientIdentifier: id, URI: relay.URI, URIIndex: 0, Connections: []Connection{relay}},
			"https://app.plex.tv/desktop/#!/media/" + id + "/com.plexapp.plugins.library"},
		{"nothing reachable", Server{ClientIdentifier: id, URIIndex: -1, Connections: []Connection{local}},
			"https://app.plex.tv/desktop/#!/media/" + id + "/com.plexapp.plugins.library"},
		{"hostile identifier", Server{ClientIdentifier: "x/../../evil?#", URIIndex: -1}, ""},
		{"credentials in the URI are dropped", Server{ClientIdentifier: id, URI: "https://u:p@10.0.0.2:32400/?q#f", URIIndex: 0, Connections: []Connection{{URI: "https://u:p@10.0.0.2:32400/?q#f", Local: true}}},
			"https://10.0.0.2:32400/web"},
	} {
		if got := WebURL(tc.s, app); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func FuzzWebURL(f *testing.F) {
	f.Add("https://10.0.0.2:32400", "fa4e")
	f.Fuzz(func(t *testing.T, uri, id string) {
		got := WebURL(Server{ClientIdentifier: id, URI: uri, URIIndex: 0, Connections: []Connection{{URI: uri, Local: true}}}, "https://app.plex.tv")
		if got == "" {
			return
		}
		if u := got; !(len(u) > 8 && (u[:8] == "https://" || u[:7] == "http://")) {
			t.Fatalf("WebURL = %q", got)
		}
	})
}
