package servers

import "testing"

func TestOutcome(t *testing.T) {
	conn := func(uri string, st State) Connection { return Connection{URI: uri, State: st} }
	pd := "https://10-0-0-5.0123456789abcdef0123456789abcdef.plex.direct:32400"
	ok := conn("https://10.0.0.5:32400", Reachable)
	for _, tc := range []struct {
		name string
		s    Server
		want Verdict
	}{
		{"pending", Server{BestIndex: -1}, ServerChecking},
		{"best", Server{Decided: true, BestIndex: 0, Best: ok.URI, Connections: []Connection{ok}}, ServerAvailable},
		{"none listed", Server{Decided: true, BestIndex: -1}, ServerNoConnections},
		{"all skipped", Server{Decided: true, BestIndex: -1, Connections: []Connection{{State: Skipped, Reason: SkipHTTPSRequired}}}, ServerNotTried},
		{"a login page answered", Server{Decided: true, BestIndex: -1, Connections: []Connection{conn("https://a", Refused), {URI: "https://b", State: HTTPError, StatusCode: 401}}}, ServerNotVerified},
		{"cancelled", Server{Decided: true, BestIndex: -1, Connections: []Connection{conn("https://a", Cancelled)}}, ServerCheckCancelled},
		{"plex.direct blocked", Server{Decided: true, BestIndex: -1, Presence: true, Connections: []Connection{conn(pd, DNSFailure)}}, ServerDNSBlocked},
		{"other DNS failure, online", Server{Decided: true, BestIndex: -1, Presence: true, Connections: []Connection{conn("https://nas.example:32400", DNSFailure)}}, ServerUnreachable},
		{"online at plex.tv, nothing answers", Server{Decided: true, BestIndex: -1, Presence: true, Connections: []Connection{conn("https://a", TimedOut)}}, ServerUnreachable},
		{"offline", Server{Decided: true, BestIndex: -1, Connections: []Connection{conn("https://a", Refused)}}, ServerOffline},
	} {
		o := tc.s.Outcome()
		if o.Verdict != tc.want {
			t.Errorf("%s: verdict %d, want %d", tc.name, o.Verdict, tc.want)
		}
		switch tc.want {
		case ServerAvailable:
			if o.Best.URI != ok.URI {
				t.Errorf("%s: best %q", tc.name, o.Best.URI)
			}
		case ServerNotVerified:
			if o.HTTPStatus != 401 {
				t.Errorf("%s: status %d", tc.name, o.HTTPStatus)
			}
		case ServerNotTried:
			if o.Reason != SkipHTTPSRequired {
				t.Errorf("%s: no detail", tc.name)
			}
		}
	}
}
