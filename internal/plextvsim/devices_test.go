package plextvsim

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A tool's device: its own PIN, linked with the account's token, gives a
// token of its own; devices.xml lists each device once with its product
// and times; deleting one revokes exactly its token.
func TestDevicesLinkListDelete(t *testing.T) {
	clock := NewManualClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	s := startSim(t, Options{Now: clock.Now})
	acct := s.DemoAccount().Token
	device := func(clientID, product string) string {
		t.Helper()
		a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "X-Plex-Client-Identifier", clientID,
			"X-Plex-Product", product, "X-Plex-Device-Name", product)
		p := a.json(t)
		if l := call(t, "PUT", s.URL()+"/api/v2/pins/link", url.Values{"code": {p["code"].(string)}}, "X-Plex-Token", acct); l.status != http.StatusNoContent {
			t.Fatalf("link: %d %s", l.status, l.body)
		}
		id := strconv.FormatInt(int64(p["id"].(float64)), 10)
		got := call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil, "X-Plex-Client-Identifier", clientID).json(t)
		tok, _ := got["authToken"].(string)
		if tok == "" {
			t.Fatalf("no token for %s: %v", clientID, got)
		}
		return tok
	}
	kometa := device("tool-kometa", "Kometa (via plextray)")
	clock.Advance(time.Hour)
	tautulli := device("tool-tautulli", "Tautulli (via plextray)")
	if kometa == tautulli || !s.TokenValid(kometa) || !s.TokenValid(tautulli) {
		t.Fatal("two tools do not hold two working tokens")
	}
	clock.Advance(time.Hour)
	if a := call(t, "GET", s.URL()+"/api/v2/ping", nil, "X-Plex-Token", kometa); a.status != 200 || a.json(t)["pong"] != true {
		t.Fatalf("ping: %d %s", a.status, a.body)
	}

	list := func() map[string]deviceXML {
		t.Helper()
		a := call(t, "GET", s.URL()+"/devices.xml", nil, "X-Plex-Token", acct, "Accept", "application/xml")
		if a.status != 200 {
			t.Fatalf("devices.xml: %d %s", a.status, a.body)
		}
		var mc struct {
			Devices []deviceXML `xml:"Device"`
		}
		if err := xml.Unmarshal([]byte(a.body), &mc); err != nil {
			t.Fatal(err)
		}
		out := map[string]deviceXML{}
		for _, d := range mc.Devices {
			out[d.ClientIdentifier] = d
		}
		return out
	}
	ds := list()
	k, tt := ds["tool-kometa"], ds["tool-tautulli"]
	if len(ds) != 2 || k.Product != "Kometa (via plextray)" || k.Name != "Kometa (via plextray)" || k.Token != kometa ||
		k.CreatedAt != clock.Now().Add(-2*time.Hour).Unix() || k.LastSeenAt != clock.Now().Unix() ||
		tt.LastSeenAt != clock.Now().Add(-time.Hour).Unix() || k.ID == tt.ID {
		t.Fatalf("devices = %+v", ds)
	}

	if a := call(t, "DELETE", s.URL()+"/devices/"+strconv.FormatInt(k.ID, 10)+".xml", nil, "X-Plex-Token", acct); a.status != 200 {
		t.Fatalf("delete: %d %s", a.status, a.body)
	}
	if s.TokenValid(kometa) || !s.TokenValid(tautulli) || !s.TokenValid(acct) {
		t.Fatal("deleting one device did not revoke exactly its token")
	}
	if a := call(t, "GET", s.URL()+"/api/v2/ping", nil, "X-Plex-Token", kometa); a.status != 401 {
		t.Fatalf("revoked tool still pings: %d", a.status)
	}
	if ds := list(); len(ds) != 1 || ds["tool-tautulli"].ID != tt.ID {
		t.Fatalf("after delete: %+v", ds)
	}
	// Again, or another account's device: 404.
	if a := call(t, "DELETE", s.URL()+"/devices/"+strconv.FormatInt(k.ID, 10)+".xml", nil, "X-Plex-Token", acct); a.status != 404 {
		t.Fatalf("second delete: %d", a.status)
	}
	bob, err := s.AddAccount(Account{Username: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if a := call(t, "DELETE", s.URL()+"/devices/"+strconv.FormatInt(tt.ID, 10)+".xml", nil, "X-Plex-Token", bob.Token); a.status != 404 || !s.TokenValid(tautulli) {
		t.Fatalf("bob deleted demo's device: %d", a.status)
	}
	if a := call(t, "GET", s.URL()+"/devices.xml", nil, "X-Plex-Token", "nope"); a.status != 401 {
		t.Fatalf("devices.xml without a token: %d", a.status)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("violations: %+v", v)
	}
}

// A second PIN of the same tool replaces its token but keeps its device.
func TestDeviceRenewedBySecondLink(t *testing.T) {
	s := startSim(t, Options{})
	link := func() string {
		a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "X-Plex-Client-Identifier", "tool-a", "X-Plex-Product", "A")
		tok, err := s.LinkPIN(a.json(t)["code"].(string), "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := link()
	id := s.Devices("")[0].ID
	second := link()
	ds := s.Devices("demo")
	if s.TokenValid(first) || len(ds) != 1 || ds[0].ID != id || ds[0].Token != second {
		t.Fatalf("devices = %+v", ds)
	}
}

func TestClaimToken(t *testing.T) {
	clock := NewManualClock(time.Now())
	s := startSim(t, Options{Now: clock.Now})
	a := call(t, "GET", s.URL()+"/api/claim/token.json", nil, "X-Plex-Token", s.DemoAccount().Token)
	tok, _ := a.json(t)["token"].(string)
	if a.status != 200 || !strings.HasPrefix(tok, "claim-") || !s.ClaimTokenValid(tok) {
		t.Fatalf("claim: %d %s", a.status, a.body)
	}
	clock.Advance(ClaimTokenLife)
	if s.ClaimTokenValid(tok) {
		t.Fatal("a claim token outlived 4 minutes")
	}
	if a := call(t, "GET", s.URL()+"/api/claim/token.json", nil, "X-Plex-Token", "nope"); a.status != 401 {
		t.Fatalf("claim without a token: %d", a.status)
	}
}

// The device list and delete follow the API's rules: a token in the
// query is refused and logged.
func TestDevicesRefuseTokenInQuery(t *testing.T) {
	s := startSim(t, Options{})
	a := call(t, "GET", s.URL()+"/devices.xml?X-Plex-Token="+s.DemoAccount().Token, nil)
	if a.status != 400 {
		t.Fatalf("status %d", a.status)
	}
	v := s.Violations()
	if len(v) != 1 || v[0].Problem != ProblemTokenInQuery {
		t.Fatalf("violations: %+v", v)
	}
}
