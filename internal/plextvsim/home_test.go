package plextvsim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

func TestHomeEndpointsShape(t *testing.T) {
	s := startSim(t, Options{})
	home, err := s.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDemoHome(); err == nil {
		t.Fatal("a second Home for the same admin")
	}
	admin := s.DemoAccount().Token
	a := call(t, "GET", s.URL()+"/api/v2/home/users", nil, "X-Plex-Token", admin)
	if a.status != http.StatusOK {
		t.Fatalf("home users: %d %s", a.status, a.body)
	}
	users := a.json(t)["users"].([]any)
	if len(users) != 3 {
		t.Fatalf("users = %v", users)
	}
	first, kid := users[0].(map[string]any), users[1].(map[string]any)
	if first["admin"] != true || first["username"] != "demo" || first["protected"] != false {
		t.Errorf("admin = %v", first)
	}
	if kid["username"] != nil || kid["email"] != nil || kid["title"] != "Kid" || kid["admin"] != false {
		t.Errorf("managed profile = %v", kid)
	}
	if users[2].(map[string]any)["protected"] != true {
		t.Errorf("Teen not protected: %v", users[2])
	}
	if u := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", admin).json(t); u["homeSize"] != 3.0 || u["homeAdmin"] != true {
		t.Errorf("user = %v", u)
	}

	sw := func(uuid, pin string) answer {
		u := s.URL() + "/api/v2/home/users/" + uuid + "/switch"
		if pin != "" {
			u += "?" + url.Values{"pin": {pin}}.Encode()
		}
		return call(t, "POST", u, nil, "X-Plex-Token", admin)
	}
	teen := home.Profiles[1].UUID
	if a := sw(teen, "9999"); a.status != 403 || a.json(t)["errors"].([]any)[0].(map[string]any)["code"] != 1041.0 {
		t.Fatalf("wrong PIN: %d %s", a.status, a.body)
	}
	a = sw(teen, "1234")
	if a.status != http.StatusCreated {
		t.Fatalf("switch: %d %s", a.status, a.body)
	}
	tok, _ := a.json(t)["authToken"].(string)
	if !s.TokenValid(tok) {
		t.Fatalf("switch token %q not valid", tok)
	}
	if u := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok).json(t); u["title"] != "Teen" || u["homeAdmin"] != false || u["protected"] != true {
		t.Errorf("Teen's user = %v", u)
	}
	if a := sw("40000002", ""); a.status != 404 {
		t.Errorf("numeric id: %d", a.status)
	}

	// A 403 fault is a PIN error on a switch only.
	if err := s.AddFault(Fault{Endpoint: AllEndpoints, Status: 403, Count: 2}); err != nil {
		t.Fatal(err)
	}
	if a := sw(home.Profiles[0].UUID, ""); a.status != 403 || a.json(t)["errors"].([]any)[0].(map[string]any)["code"] != 1041.0 {
		t.Errorf("switch 403: %s", a.body)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", admin); a.status != 403 || a.json(t)["errors"].([]any)[0].(map[string]any)["code"] != 403.0 {
		t.Errorf("user 403: %s", a.body)
	}
	// 429 with and without Retry-After.
	_ = s.AddFault(Fault{Endpoint: EndpointSwitch, Status: 429, NoRetryAfter: true, Count: 1})
	if a := sw(home.Profiles[0].UUID, ""); a.status != 429 || a.header.Get("Retry-After") != "" {
		t.Errorf("429 without Retry-After: %d %v", a.status, a.header)
	}
	_ = s.AddFault(Fault{Endpoint: EndpointSwitch, Status: 429, Count: 1})
	if a := sw(home.Profiles[0].UUID, ""); a.status != 429 || a.header.Get("Retry-After") != "1" {
		t.Errorf("429: %d %v", a.status, a.header)
	}
}

func TestHomeControlAPI(t *testing.T) {
	s := startSim(t, Options{})
	if _, err := s.AddAccount(Account{Username: "anna"}); err != nil {
		t.Fatal(err)
	}
	var h Home
	if st := ctl(t, "POST", s.URL()+"/_sim/home", `{"admin":"anna","adminPin":"1111","profiles":[{"title":"Kid","uuid":"00aa11bb22cc33dd"},{"title":"Guest","pin":"2222"}]}`, &h); st != 200 {
		t.Fatalf("POST /_sim/home: %d", st)
	}
	if h.Admin.Username != "anna" || len(h.Profiles) != 2 || h.Profiles[0].UUID != "00aa11bb22cc33dd" || h.Profiles[1].UUID == "" {
		t.Fatalf("home = %+v", h)
	}
	var bad map[string]string
	if st := ctl(t, "POST", s.URL()+"/_sim/home", `{"admin":"nobody"}`, &bad); st != 400 || bad["error"] == "" {
		t.Errorf("unknown admin: %d %v", st, bad)
	}
	if st := ctl(t, "POST", s.URL()+"/_sim/home", `{"profiles":[{"title":"x","pin":"12"}]}`, &bad); st != 400 {
		t.Errorf("short PIN: %d", st)
	}
	for _, a := range s.Accounts() {
		if a.Username == "" {
			t.Errorf("a profile is listed as an account: %+v", a)
		}
	}
	var homes []Home
	ctl(t, "GET", s.URL()+"/_sim/home", "", &homes)
	if len(homes) != 1 || homes[0].AdminPIN != "1111" || homes[0].Profiles[1].PIN != "2222" {
		t.Fatalf("homes = %+v", homes)
	}
	var tok map[string]string
	if st := ctl(t, "POST", s.URL()+"/_sim/home/token", `{"uuid":"00aa11bb22cc33dd"}`, &tok); st != 200 || !s.TokenValid(tok["token"]) {
		t.Fatalf("profile token: %d %v", st, tok)
	}
	if u := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok["token"]).json(t); u["title"] != "Kid" || u["homeSize"] != 3.0 {
		t.Errorf("Kid = %v", u)
	}
	if st := ctl(t, "POST", s.URL()+"/_sim/home/token", `{"uuid":"ffff"}`, &bad); st != 404 {
		t.Errorf("unknown profile: %d", st)
	}
}

func TestProfileServerTokensOpenThePMS(t *testing.T) {
	s := startSim(t, Options{})
	home, err := s.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	pms, err := s.StartPMS(PMSOptions{Name: "Living Room"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.StartPMS(PMSOptions{Name: "Cabin"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*PMS{pms, other} {
		if _, err := s.AddServer(ServerSpec{Name: p.Name(), Owned: true, Connections: []ConnSpec{{PMS: p, Local: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	kidTok, err := s.ProfileToken(home.Profiles[0].UUID)
	if err != nil {
		t.Fatal(err)
	}
	serverTokens := func(tok string) map[string]string {
		a := call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", tok)
		var rs []Resource
		if err := json.Unmarshal(a.body, &rs); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rs {
			out[r.Name] = r.AccessToken
		}
		return out
	}
	adminSrv, kidSrv := serverTokens(s.DemoAccount().Token), serverTokens(kidTok)
	if kidSrv["Living Room"] == "" || kidSrv["Living Room"] == adminSrv["Living Room"] || kidSrv["Living Room"] == kidSrv["Cabin"] {
		t.Fatalf("admin %v kid %v", adminSrv, kidSrv)
	}
	root := func(p *PMS, tok string) int {
		return call(t, "GET", p.URL()+"/", nil, "X-Plex-Token", tok).status
	}
	if root(pms, adminSrv["Living Room"]) != 200 || root(pms, kidSrv["Living Room"]) != 200 {
		t.Error("the PMS refuses its own tokens")
	}
	if root(pms, kidSrv["Cabin"]) != 401 || root(pms, kidTok) != 401 || root(other, kidSrv["Living Room"]) != 401 {
		t.Error("the PMS accepts another server's or the plex.tv token")
	}
}
