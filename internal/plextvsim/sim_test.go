package plextvsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestCreatePIN(t *testing.T) {
	s := startSim(t, Options{Now: NewManualClock(t0).Now})
	for _, tc := range []struct {
		name   string
		url    string
		form   url.Values
		code   string
		expiry float64
	}{
		{"link", "/api/v2/pins", url.Values{"strong": {"false"}}, `^[A-Z0-9]{4}$`, 900},
		{"no strong", "/api/v2/pins", url.Values{}, `^[A-Z0-9]{4}$`, 900},
		{"strong form", "/api/v2/pins", url.Values{"strong": {"true"}}, `^[a-z0-9]{25}$`, 1800},
		{"strong query", "/api/v2/pins?strong=true", nil, `^[a-z0-9]{25}$`, 1800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, "POST", s.URL()+tc.url, tc.form, "X-Plex-Product", "Plextray")
			if a.status != http.StatusCreated {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			m := a.json(t)
			if code, _ := m["code"].(string); !regexp.MustCompile(tc.code).MatchString(code) {
				t.Errorf("code %q does not match %s", code, tc.code)
			}
			if _, ok := m["id"].(float64); !ok {
				t.Errorf("id %v is not a number", m["id"])
			}
			want := map[string]any{
				"product": "Plextray", "clientIdentifier": testClientID, "trusted": false,
				"expiresIn": tc.expiry, "createdAt": "2025-03-01T12:00:00Z",
				"expiresAt": t0.Add(time.Duration(tc.expiry) * time.Second).Format(time.RFC3339),
				"authToken": nil, "newRegistration": nil,
			}
			for k, v := range want {
				if got, ok := m[k]; !ok || got != v {
					t.Errorf("%s = %v (present %v), want %v", k, got, ok, v)
				}
			}
			if _, ok := m["location"].(map[string]any); !ok {
				t.Errorf("location = %v, want an object", m["location"])
			}
			if qr, _ := m["qr"].(string); !strings.HasSuffix(qr, "/api/v2/pins/qr/"+m["code"].(string)) {
				t.Errorf("qr = %q", qr)
			}
		})
	}
}

func TestPINShapeMatchesFixture(t *testing.T) {
	s := startSim(t, Options{})
	m := call(t, "POST", s.URL()+"/api/v2/pins", url.Values{"strong": {"false"}}).json(t)
	for _, k := range fixtureKeys(t, "pins/create_link_pin_201.json") {
		if _, ok := m[k]; !ok {
			t.Errorf("PIN lacks field %q that plex.tv sends", k)
		}
	}
}

func TestCreatePINWithoutClientID(t *testing.T) {
	s := startSim(t, Options{})
	a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "X-Plex-Client-Identifier", "")
	want := `{"errors":[{"code":1000,"message":"X-Plex-Client-Identifier is missing","status":400}]}`
	if a.status != http.StatusBadRequest || strings.TrimSpace(string(a.body)) != want {
		t.Errorf("got %d %s, want 400 %s", a.status, a.body, want)
	}
}

// createPIN makes a PIN as testClientID and returns its id and code.
func createPIN(t *testing.T, s *Sim, strong bool) (string, string) {
	t.Helper()
	a := call(t, "POST", s.URL()+"/api/v2/pins", url.Values{"strong": {fmt.Sprint(strong)}})
	if a.status != http.StatusCreated {
		t.Fatalf("create PIN: %d %s", a.status, a.body)
	}
	m := a.json(t)
	return fmt.Sprint(int64(m["id"].(float64))), m["code"].(string)
}

func TestPINLifecycle(t *testing.T) {
	clock := NewManualClock(t0)
	s := startSim(t, Options{Now: clock.Now})
	id, code := createPIN(t, s, false)
	pinURL := s.URL() + "/api/v2/pins/" + id

	clock.Advance(100 * time.Second)
	m := call(t, "GET", pinURL, nil).json(t)
	if m["expiresIn"] != 800.0 || m["authToken"] != nil {
		t.Fatalf("pending PIN: expiresIn %v authToken %v, want 800 and null", m["expiresIn"], m["authToken"])
	}

	if a := call(t, "GET", pinURL, nil, "X-Plex-Client-Identifier", "someone-else"); a.status != http.StatusNotFound {
		t.Errorf("another client read the PIN: %d", a.status)
	}

	demo := s.DemoAccount()
	if a := call(t, "PUT", s.URL()+"/api/v2/pins/link", url.Values{"code": {strings.ToLower(code)}},
		"X-Plex-Token", demo.Token, "X-Plex-Product", "Plex SSO"); a.status != http.StatusNoContent {
		t.Fatalf("link: %d %s", a.status, a.body)
	}
	m = call(t, "GET", pinURL, nil).json(t)
	tok, _ := m["authToken"].(string)
	if tok == "" || tok == demo.Token {
		t.Fatalf("linked PIN authToken = %q, want a new token", tok)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok); a.status != http.StatusOK {
		t.Errorf("user with the PIN's token: %d", a.status)
	}

	clock.Advance(800 * time.Second) // exactly expiresAt
	a := call(t, "GET", pinURL, nil)
	want := `{"errors":[{"code":1020,"message":"Code not found or expired"}]}`
	if a.status != http.StatusNotFound || strings.TrimSpace(string(a.body)) != want {
		t.Errorf("expired PIN: %d %s, want 404 %s", a.status, a.body, want)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/pins/12345", nil); a.status != http.StatusNotFound {
		t.Errorf("unknown PIN: %d", a.status)
	}
}

func TestLinkPIN(t *testing.T) {
	clock := NewManualClock(t0)
	s := startSim(t, Options{Now: clock.Now})
	demo := s.DemoAccount()
	link := func(code, token string) int {
		return call(t, "PUT", s.URL()+"/api/v2/pins/link", url.Values{"code": {code}}, "X-Plex-Token", token).status
	}
	id, strongCode := createPIN(t, s, true)
	if got := link(strongCode, "wrong"); got != http.StatusUnauthorized {
		t.Errorf("bad token: %d, want 401", got)
	}
	if got := link("ZZZZ", demo.Token); got != http.StatusNotFound {
		t.Errorf("unknown code: %d, want 404", got)
	}
	if got := link(strongCode, demo.Token); got != http.StatusNoContent {
		t.Errorf("strong code: %d, want 204", got)
	}
	if m := call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil).json(t); m["authToken"] == nil {
		t.Error("strong PIN not linked")
	}

	_, code := createPIN(t, s, false)
	if err := s.ExpirePIN(code); err != nil {
		t.Fatal(err)
	}
	if got := link(code, demo.Token); got != http.StatusNotFound {
		t.Errorf("expired code: %d, want 404", got)
	}
	if _, err := s.LinkPIN(code, ""); !errors.Is(err, ErrPINNotFound) {
		t.Errorf("LinkPIN(expired) = %v, want ErrPINNotFound", err)
	}

	bob, err := s.AddAccount(Account{Username: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	_, code = createPIN(t, s, false)
	tok, err := s.LinkPIN(code, "bob")
	if err != nil {
		t.Fatal(err)
	}
	m := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok).json(t)
	if m["username"] != "bob" || m["id"] != float64(bob.ID) {
		t.Errorf("user of bob's PIN token = %v %v", m["username"], m["id"])
	}
	_, code = createPIN(t, s, false)
	if _, err := s.LinkPIN(code, "nobody"); !errors.Is(err, ErrUnknownAccount) {
		t.Errorf("LinkPIN to an unknown account: %v, want ErrUnknownAccount", err)
	}
}

// An account has one token per client identifier: each linked PIN
// revokes the token the previous PIN of that client identifier got, and
// nothing else.
func TestLinkPINRotatesPerClientIdentifier(t *testing.T) {
	s := startSim(t, Options{})
	other, err := s.NewToken("") // another device's
	if err != nil {
		t.Fatal(err)
	}
	link := func(clientID string) string {
		t.Helper()
		a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "X-Plex-Client-Identifier", clientID)
		if a.status != http.StatusCreated {
			t.Fatalf("create PIN: %d %s", a.status, a.body)
		}
		tok, err := s.LinkPIN(a.json(t)["code"].(string), "")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := link("client-a")
	elsewhere := link("client-b")
	second := link("client-a")
	if s.TokenValid(first) {
		t.Error("the first token of client-a still works after client-a's second sign-in")
	}
	for name, tok := range map[string]string{"second": second, "client-b's": elsewhere, "another device's": other, "the account's first": s.DemoAccount().Token} {
		if !s.TokenValid(tok) {
			t.Errorf("%s token was revoked by client-a's second sign-in", name)
		}
	}
	bob, err := s.AddAccount(Account{Username: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "X-Plex-Client-Identifier", "client-a")
	if _, err := s.LinkPIN(a.json(t)["code"].(string), bob.Username); err != nil {
		t.Fatal(err)
	}
	if !s.TokenValid(second) {
		t.Error("another account's sign-in on client-a revoked demo's token")
	}
}

func TestUserAndSignOut(t *testing.T) {
	s := startSim(t, Options{})
	demo := s.DemoAccount()
	a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", demo.Token)
	if a.status != http.StatusOK {
		t.Fatalf("user: %d %s", a.status, a.body)
	}
	m := a.json(t)
	if m["username"] != "demo" || m["authToken"] != demo.Token || m["uuid"] != demo.UUID || m["id"] != float64(demo.ID) {
		t.Errorf("user = %v", m)
	}
	for _, k := range fixtureKeys(t, "user/user_200.json") {
		if _, ok := m[k]; !ok {
			t.Errorf("user lacks field %q that plex.tv sends", k)
		}
	}

	want401 := `{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}`
	for _, tok := range []string{"", "simtoken-unknown"} {
		a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok)
		if a.status != http.StatusUnauthorized || strings.TrimSpace(string(a.body)) != want401 {
			t.Errorf("token %q: %d %s", tok, a.status, a.body)
		}
	}

	tok, err := s.NewToken("demo")
	if err != nil {
		t.Fatal(err)
	}
	if a := call(t, "DELETE", s.URL()+"/api/v2/users/signout", nil, "X-Plex-Token", tok); a.status != http.StatusNoContent {
		t.Fatalf("signout: %d %s", a.status, a.body)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok); a.status != http.StatusUnauthorized {
		t.Errorf("user after signout: %d, want 401", a.status)
	}
	if a := call(t, "DELETE", s.URL()+"/api/v2/users/signout", nil, "X-Plex-Token", tok); a.status != http.StatusUnauthorized {
		t.Errorf("second signout: %d, want 401", a.status)
	}
	if !s.TokenValid(demo.Token) {
		t.Error("signing out one token revoked another")
	}
}

func TestTokenInQueryRefusedAndRedacted(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.DemoAccount().Token
	a := call(t, "GET", s.URL()+"/api/v2/user?X-Plex-Token="+tok, nil)
	if a.status != http.StatusBadRequest {
		t.Errorf("token in query: %d, want 400", a.status)
	}
	call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", tok)

	vs := s.Violations()
	if len(vs) != 1 || vs[0].Problem != ProblemTokenInQuery || vs[0].Request.Status != http.StatusBadRequest {
		t.Fatalf("violations = %+v, want one %q", vs, ProblemTokenInQuery)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests logged, want 2", len(reqs))
	}
	for _, r := range reqs {
		if !r.HasToken() {
			t.Errorf("%s?%s: HasToken false", r.Path, r.Query)
		}
		if dump := fmt.Sprintf("%+v", r); strings.Contains(dump, tok) {
			t.Errorf("log holds the token: %s", dump)
		}
	}
	if reqs[1].Header.Get("X-Plex-Token") != Redacted || reqs[1].Status != http.StatusOK {
		t.Errorf("header request logged as %+v", reqs[1])
	}
}

func TestViolations(t *testing.T) {
	s := startSim(t, Options{})
	call(t, "POST", s.URL()+"/api/v2/pins", nil)
	call(t, "POST", s.URL()+"/api/v2/pins", nil)
	call(t, "GET", s.URL()+"/link/", nil, "Accept", "", "X-Plex-Product", "") // a browser: not checked
	if vs := s.Violations(); len(vs) != 0 {
		t.Fatalf("well-behaved requests gave violations: %+v", vs)
	}
	a := call(t, "POST", s.URL()+"/api/v2/pins", nil, "Accept", "", "X-Plex-Product", "", "X-Plex-Client-Identifier", "other")
	if a.status != http.StatusCreated || !strings.HasPrefix(string(a.body), "<?xml") {
		t.Errorf("without Accept JSON: %d %s, want 201 XML", a.status, a.body)
	}
	var got []string
	for _, v := range s.Violations() {
		got = append(got, v.Problem)
	}
	want := []string{ProblemNoProduct, ProblemNotAcceptingJSON}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	if ids := s.ClientIdentifiers(); fmt.Sprint(ids) != fmt.Sprint([]string{testClientID, "other"}) {
		t.Errorf("client identifiers = %q", ids)
	}
	s.ClearLog()
	if len(s.Requests())+len(s.Violations())+len(s.ClientIdentifiers()) != 0 {
		t.Error("ClearLog left entries")
	}
}

func TestPollRateLimit(t *testing.T) {
	clock := NewManualClock(t0)
	s := startSim(t, Options{Now: clock.Now, PINPollLimit: 2})
	id, _ := createPIN(t, s, false)
	poll := func() answer { return call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil) }
	for i := range 2 {
		if a := poll(); a.status != http.StatusOK {
			t.Fatalf("poll %d: %d", i, a.status)
		}
	}
	a := poll()
	want := `{"errors":[{"code":1003,"message":"API rate limit exceeded","status":429}]}`
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "1" || strings.TrimSpace(string(a.body)) != want {
		t.Fatalf("third poll in a second: %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	clock.Advance(time.Second)
	if a := poll(); a.status != http.StatusOK {
		t.Errorf("poll a second later: %d", a.status)
	}
	s.SetPINPollLimit(0)
	for range 5 {
		if a := poll(); a.status != http.StatusOK {
			t.Fatalf("limit off: %d", a.status)
		}
	}
}

func TestResources(t *testing.T) {
	s := startSim(t, Options{Now: NewManualClock(t0).Now})
	pms, err := s.StartPMS(PMSOptions{Name: "Box", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.AddServer(ServerSpec{Name: "Box", SourceTitle: "dad", HTTPSRequired: true, Connections: []ConnSpec{
		{PMS: pms, Local: true},
		{URI: "https://[2001:db8::1]:32400"},
		{URI: "https://relay.invalid:8443", Relay: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientIdentifier != pms.MachineIdentifier() || res.AccessToken == "" || res.Owned || *res.SourceTitle != "dad" || res.OwnerID == nil {
		t.Errorf("server = %+v", res)
	}
	tok := s.DemoAccount().Token

	get := func(query string) []map[string]any {
		t.Helper()
		a := call(t, "GET", s.URL()+"/api/v2/resources"+query, nil, "X-Plex-Token", tok)
		if a.status != http.StatusOK {
			t.Fatalf("resources: %d %s", a.status, a.body)
		}
		var rs []map[string]any
		if err := json.Unmarshal(a.body, &rs); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	rs := get("?includeHttps=1&includeRelay=1&includeIPv6=1")
	if len(rs) != 1 {
		t.Fatalf("%d resources, want 1", len(rs))
	}
	r := rs[0]
	for _, k := range fixtureKeys(t, "resources/resources_spec_example.json") {
		if _, ok := r[k]; !ok {
			t.Errorf("resource lacks field %q", k)
		}
	}
	if r["httpsRequired"] != true || r["sourceTitle"] != "dad" || r["relay"] != true || r["createdAt"] != "2024-03-01T12:00:00Z" {
		t.Errorf("resource = %v", r)
	}
	conns := r["connections"].([]any)
	if len(conns) != 3 {
		t.Fatalf("%d connections, want 3", len(conns))
	}
	port := pms.URL()[strings.LastIndex(pms.URL(), ":")+1:]
	wantConns := []string{
		fmt.Sprintf("map[IPv6:false address:127.0.0.1 local:true port:%s protocol:https relay:false uri:%s]", port, pms.URL()),
		"map[IPv6:true address:2001:db8::1 local:false port:32400 protocol:https relay:false uri:https://[2001:db8::1]:32400]",
		"map[IPv6:false address:relay.invalid local:false port:8443 protocol:https relay:true uri:https://relay.invalid:8443]",
	}
	for i, c := range conns {
		if got := fmt.Sprint(c); got != wantConns[i] {
			t.Errorf("connection %d = %s\nwant %s", i, got, wantConns[i])
		}
	}
	if n := len(get("")[0]["connections"].([]any)); n != 1 {
		t.Errorf("without includeRelay/includeIPv6: %d connections, want 1", n)
	}

	if a := call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", "bad"); a.status != http.StatusUnauthorized {
		t.Errorf("bad token: %d", a.status)
	}

	raw := `[{"name":"TV","provides":"player","connections":[]}]`
	if err := s.SetResourcesJSON([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", tok); string(a.body) != raw {
		t.Errorf("verbatim resources = %s", a.body)
	}
	s.SetResources(nil)
	if a := call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", tok); strings.TrimSpace(string(a.body)) != "[]" {
		t.Errorf("empty resources = %s", a.body)
	}
}

func TestLinkPage(t *testing.T) {
	s := startSim(t, Options{})
	for _, path := range []string{"/link", "/link/?pin=AB12"} {
		a := call(t, "GET", s.URL()+path, nil)
		if a.status != http.StatusOK || !strings.Contains(string(a.body), `<button type="submit">Link</button>`) {
			t.Errorf("GET %s: %d %s", path, a.status, a.body)
		}
	}
	if a := call(t, "GET", s.URL()+"/link/?pin=AB12", nil); !strings.Contains(string(a.body), `value="AB12"`) {
		t.Error("code not prefilled")
	}

	id, code := createPIN(t, s, false)
	a := call(t, "POST", s.URL()+"/link/", url.Values{"code": {strings.ToLower(code)}})
	if a.status != http.StatusOK || !strings.Contains(string(a.body), "Linked. You can close this tab.") {
		t.Fatalf("POST /link/: %d %s", a.status, a.body)
	}
	if m := call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil).json(t); m["authToken"] == nil {
		t.Error("PIN not linked by the link page")
	}
	pins := s.PINs()
	if pins[0].Username != "demo" {
		t.Errorf("linked to %q, want demo", pins[0].Username)
	}

	_, strong := createPIN(t, s, true)
	if a := call(t, "POST", s.URL()+"/link", url.Values{"code": {strong}}); a.status != http.StatusBadRequest {
		t.Errorf("strong code on the link page: %d, want 400", a.status)
	}
	if a := call(t, "POST", s.URL()+"/link/", url.Values{"code": {"QQQQ"}}); a.status != http.StatusNotFound ||
		!strings.Contains(string(a.body), "Code not found or expired") {
		t.Errorf("unknown code: %d %s", a.status, a.body)
	}
}

func TestAuthPage(t *testing.T) {
	s := startSim(t, Options{})
	a := call(t, "GET", s.URL()+"/auth", nil)
	if a.status != http.StatusOK || !strings.Contains(string(a.body), "Sign in</button>") || !strings.Contains(string(a.body), "location.hash") {
		t.Fatalf("GET /auth: %d %s", a.status, a.body)
	}
	_, code := createPIN(t, s, true)
	if a := call(t, "POST", s.URL()+"/auth", url.Values{"code": {code}, "clientID": {"another-app"}}); a.status != http.StatusNotFound {
		t.Errorf("mismatched clientID: %d, want 404", a.status)
	}
	a = call(t, "POST", s.URL()+"/auth", url.Values{"code": {code}, "clientID": {testClientID}})
	if a.status != http.StatusOK || !strings.Contains(string(a.body), "You can close this tab.") {
		t.Fatalf("POST /auth: %d %s", a.status, a.body)
	}
	if p := s.PINs()[0]; p.AuthToken == "" || p.Username != "demo" {
		t.Errorf("PIN after /auth = %+v", p)
	}
}

func TestControlAPI(t *testing.T) {
	clock := NewManualClock(t0)
	s := startSim(t, Options{Now: clock.Now})
	_, code := createPIN(t, s, false)

	var pins []PIN
	ctl(t, "GET", s.URL()+"/_sim/pins", "", &pins)
	if len(pins) != 1 || pins[0].Code != code || pins[0].ClientIdentifier != testClientID {
		t.Fatalf("pins = %+v", pins)
	}
	var linked struct{ AuthToken string }
	if st := ctl(t, "POST", s.URL()+"/_sim/link", `{"code":"`+code+`"}`, &linked); st != 200 || !s.TokenValid(linked.AuthToken) {
		t.Fatalf("link: %d %+v", st, linked)
	}
	if st := ctl(t, "POST", s.URL()+"/_sim/revoke", `{"token":"`+linked.AuthToken+`"}`, nil); st != 200 || s.TokenValid(linked.AuthToken) {
		t.Errorf("revoke: %d", st)
	}
	if st := ctl(t, "POST", s.URL()+"/_sim/expire", `{"code":"`+code+`"}`, nil); st != 200 {
		t.Errorf("expire: %d", st)
	}
	if st := ctl(t, "POST", s.URL()+"/_sim/expire", `{"code":"`+code+`"}`, nil); st != 404 {
		t.Errorf("expire twice: %d, want 404", st)
	}

	var bob Account
	if st := ctl(t, "POST", s.URL()+"/_sim/accounts", `{"username":"bob"}`, &bob); st != 200 || !s.TokenValid(bob.Token) {
		t.Fatalf("add account: %d %+v", st, bob)
	}
	var tok struct{ Token string }
	if ctl(t, "POST", s.URL()+"/_sim/tokens", `{"username":"bob"}`, &tok); !s.TokenValid(tok.Token) || tok.Token == bob.Token {
		t.Errorf("new token %q", tok.Token)
	}

	if st := ctl(t, "POST", s.URL()+"/_sim/faults", `{"endpoint":"user","status":503,"retryAfter":7,"count":1,"delay":"1ms"}`, nil); st != 200 {
		t.Fatalf("add fault: %d", st)
	}
	var faults []map[string]any
	ctl(t, "GET", s.URL()+"/_sim/faults", "", &faults)
	if fmt.Sprint(faults) != "[map[count:1 delay:1ms endpoint:user retryAfter:7 status:503]]" {
		t.Errorf("faults = %v", faults)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/user", nil, "X-Plex-Token", bob.Token); a.status != 503 || a.header.Get("Retry-After") != "7" {
		t.Errorf("faulted user: %d %q", a.status, a.header.Get("Retry-After"))
	}
	for _, bad := range []string{`{"endpoint":"nope"}`, `{"body":"weird"}`, `{"delay":"soon"}`, `{"unknown":1}`} {
		if st := ctl(t, "POST", s.URL()+"/_sim/faults", bad, nil); st != 400 {
			t.Errorf("fault %s: %d, want 400", bad, st)
		}
	}
	ctl(t, "POST", s.URL()+"/_sim/faults", `{"status":500}`, nil)
	if st := ctl(t, "DELETE", s.URL()+"/_sim/faults", "", nil); st != 200 || len(s.Faults()) != 0 {
		t.Errorf("clear faults: %d %v", st, s.Faults())
	}

	if st := ctl(t, "PUT", s.URL()+"/_sim/ratelimit", `{"pinPollsPerSecond":1}`, nil); st != 200 {
		t.Errorf("ratelimit: %d", st)
	}
	id, _ := createPIN(t, s, false)
	call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil)
	if a := call(t, "GET", s.URL()+"/api/v2/pins/"+id, nil); a.status != http.StatusTooManyRequests {
		t.Errorf("second poll under a limit of 1 set by the control API: %d", a.status)
	}
	ctl(t, "PUT", s.URL()+"/_sim/ratelimit", `{"pinPollsPerSecond":0}`, nil)
	if st := ctl(t, "PUT", s.URL()+"/_sim/resources", `[{"name":"X"}]`, nil); st != 200 {
		t.Errorf("put resources: %d", st)
	}
	if a := call(t, "GET", s.URL()+"/api/v2/resources", nil, "X-Plex-Token", bob.Token); string(a.body) != `[{"name":"X"}]` {
		t.Errorf("resources after PUT: %s", a.body)
	}
	if st := ctl(t, "PUT", s.URL()+"/_sim/resources", `[{`, nil); st != 400 {
		t.Errorf("bad resources JSON: %d", st)
	}

	var reqs []Request
	ctl(t, "GET", s.URL()+"/_sim/requests", "", &reqs)
	if len(reqs) != 6 || reqs[1].Header.Get("X-Plex-Token") != Redacted {
		t.Errorf("requests = %+v", reqs)
	}
	var ids []string
	ctl(t, "GET", s.URL()+"/_sim/clients", "", &ids)
	if fmt.Sprint(ids) != "["+testClientID+"]" {
		t.Errorf("clients = %v", ids)
	}
	var vs []Violation
	ctl(t, "GET", s.URL()+"/_sim/violations", "", &vs)
	if len(vs) != 0 {
		t.Errorf("violations = %v", vs)
	}
	ctl(t, "DELETE", s.URL()+"/_sim/requests", "", nil)
	if len(s.Requests()) != 0 {
		t.Error("log not cleared")
	}
	var index []string
	if st := ctl(t, "GET", s.URL()+"/_sim/", "", &index); st != 200 || len(index) == 0 {
		t.Errorf("index: %d %v", st, index)
	}
	if st := ctl(t, "GET", s.URL()+"/_sim/nope", "", nil); st != 404 {
		t.Errorf("unknown control endpoint: %d", st)
	}
}
