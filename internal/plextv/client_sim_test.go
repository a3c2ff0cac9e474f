package plextv_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// These tests run the real client against the plex.tv simulator over
// loopback HTTP. The simulator is written independently from plex.tv's
// documentation, so they check the client's reading of the protocol.

var simInfo = plextv.Info{
	Product: "Plextray", Version: "0.1.0", Platform: "Linux", PlatformVersion: "6.1",
	Device: "PC", DeviceName: "test-host", ClientIdentifier: "install-7f3a9c",
}

func startSim(t *testing.T, opts plextvsim.Options) (*plextvsim.Sim, *plextv.Client) {
	t.Helper()
	sim, err := plextvsim.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sim.Close()
		if vs := sim.Violations(); len(vs) > 0 {
			t.Errorf("the client broke the simulator's rules: %+v", vs)
		}
		if ids := sim.ClientIdentifiers(); len(ids) > 1 {
			t.Errorf("several client identifiers used: %q", ids)
		}
	})
	c, err := plextv.New(sim.URL(), simInfo)
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestClientSignInWithSim(t *testing.T) {
	clock := plextvsim.NewManualClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	sim, c := startSim(t, plextvsim.Options{Now: clock.Now})
	ctx := context.Background()

	pin, err := c.CreatePIN(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pin.Code) != 4 || pin.ExpiresIn != 900 || pin.ExpiresAt.Sub(pin.CreatedAt.Time) != 900*time.Second ||
		pin.Product != simInfo.Product || pin.ClientIdentifier != simInfo.ClientIdentifier || pin.Linked() {
		t.Fatalf("created PIN = %+v", pin)
	}

	clock.Advance(5 * time.Second)
	got, err := c.CheckPIN(ctx, pin.ID)
	if err != nil || got.Linked() || got.ExpiresIn != 895 {
		t.Fatalf("pending PIN = %+v, %v", got, err)
	}

	// The person opens the link page the app shows and links the code.
	resp, err := http.Get(c.LinkURL(pin.Code))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `value="`+pin.Code+`"`) {
		t.Errorf("link page not prefilled with %s", pin.Code)
	}
	resp, err = http.PostForm(sim.URL()+"/link/", url.Values{"code": {pin.Code}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("link page POST: %d", resp.StatusCode)
	}

	got, err = c.CheckPIN(ctx, pin.ID)
	if err != nil || !got.Linked() {
		t.Fatalf("linked PIN = %+v, %v", got, err)
	}
	token := got.AuthToken
	if !sim.TokenValid(token.Reveal()) {
		t.Fatal("the PIN's token is not one the simulator issued")
	}

	user, err := c.User(ctx, token)
	if err != nil || user.Username != "demo" || user.ID != sim.DemoAccount().ID || user.DisplayName() != "demo" {
		t.Fatalf("user = %+v, %v", user, err)
	}

	pms, err := sim.StartPMS(plextvsim.PMSOptions{Name: "Living Room", TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.AddServer(plextvsim.ServerSpec{Name: "Living Room", Owned: true, Connections: []plextvsim.ConnSpec{
		{PMS: pms, Local: true}, {URI: "https://relay.invalid:8443", Relay: true},
	}}); err != nil {
		t.Fatal(err)
	}
	sim.AddResource(plextvsim.Resource{Name: "TV", Product: "Plex for LG", Provides: "client,player", Owned: true})
	rs, err := c.Resources(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	servers := plextv.Servers(rs)
	if len(rs) != 2 || len(servers) != 1 {
		t.Fatalf("resources %d, servers %d; want 2 and 1", len(rs), len(servers))
	}
	srv := servers[0]
	if srv.ClientIdentifier != pms.MachineIdentifier() || srv.AccessToken.IsZero() || !srv.Owned || srv.OwnerID != nil ||
		len(srv.Connections) != 2 || srv.Connections[0].URI != pms.URL() || !srv.Connections[0].Local || !srv.Connections[1].Relay {
		t.Errorf("server = %+v", srv)
	}

	if err := c.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(ctx, token); !errors.Is(err, plextv.ErrTokenInvalid) || plextv.IsTransient(err) {
		t.Errorf("user after sign-out: %v, want ErrTokenInvalid", err)
	}
	if _, err := c.Resources(ctx, token); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Errorf("resources after sign-out: %v, want ErrTokenInvalid", err)
	}

	clock.Advance(15 * time.Minute)
	if _, err := c.CheckPIN(ctx, pin.ID); !errors.Is(err, plextv.ErrPINExpired) || plextv.IsTransient(err) {
		t.Errorf("expired PIN: %v, want ErrPINExpired", err)
	}
	if ids := sim.ClientIdentifiers(); !slices.Equal(ids, []string{simInfo.ClientIdentifier}) {
		t.Errorf("client identifiers = %q", ids)
	}
	for _, r := range sim.Requests() {
		if strings.HasPrefix(r.Path, "/api/") && r.Header.Get("X-Plex-Device-Name") != simInfo.DeviceName {
			t.Errorf("%s %s without the full X-Plex-* set: %v", r.Method, r.Path, r.Header)
		}
	}
}

func TestClientStrongPINWithSimAuthPage(t *testing.T) {
	sim, c := startSim(t, plextvsim.Options{})
	ctx := context.Background()
	pin, err := c.CreatePIN(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(pin.Code) != 25 || pin.ExpiresIn != 1800 {
		t.Fatalf("strong PIN = %+v", pin)
	}

	// Do what the /auth page's script does with the app URL's fragment.
	u, err := url.Parse(plextv.AuthAppURL(sim.URL(), simInfo.ClientIdentifier, pin.Code, simInfo.Product))
	if err != nil {
		t.Fatal(err)
	}
	params, err := url.ParseQuery(strings.TrimPrefix(u.Fragment, "?"))
	if err != nil {
		t.Fatal(err)
	}
	if params.Get("context[device][product]") != simInfo.Product {
		t.Errorf("fragment %q lacks the product", u.Fragment)
	}
	resp, err := http.PostForm(sim.URL()+u.Path, url.Values{"code": {params.Get("code")}, "clientID": {params.Get("clientID")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("auth page POST %s: %d", u.Path, resp.StatusCode)
	}
	got, err := c.CheckPIN(ctx, pin.ID)
	if err != nil || !got.Linked() {
		t.Fatalf("strong PIN after /auth = %+v, %v", got, err)
	}

	if err := sim.ExpirePIN(pin.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckPIN(ctx, pin.ID); !errors.Is(err, plextv.ErrPINExpired) {
		t.Errorf("after ExpirePIN: %v, want ErrPINExpired", err)
	}
}

func TestClientErrorsWithSim(t *testing.T) {
	sim, c := startSim(t, plextvsim.Options{})
	ctx := context.Background()
	token := plextv.Token(sim.DemoAccount().Token)
	pin, err := c.CreatePIN(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	checkPIN := func(ctx context.Context) error { _, err := c.CheckPIN(ctx, pin.ID); return err }
	createPIN := func(ctx context.Context) error { _, err := c.CreatePIN(ctx, false); return err }
	user := func(ctx context.Context) error { _, err := c.User(ctx, token); return err }
	resources := func(ctx context.Context) error { _, err := c.Resources(ctx, token); return err }
	isDecode := func(err error) bool { var de *plextv.DecodeError; return errors.As(err, &de) }
	isNetwork := func(err error) bool { var ne *plextv.NetworkError; return errors.As(err, &ne) }

	for _, tc := range []struct {
		name    string
		fault   plextvsim.Fault
		call    func(context.Context) error
		timeout time.Duration
		check   func(error) bool
	}{
		{"429", plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Status: 429, RetryAfter: 3}, checkPIN, 0, func(err error) bool {
			return errors.Is(err, plextv.ErrRateLimited) && plextv.RetryAfter(err) == 3*time.Second && plextv.IsTransient(err)
		}},
		{"500", plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Status: 500}, user, 0, func(err error) bool {
			return plextv.IsTransient(err) && !errors.Is(err, plextv.ErrTokenInvalid)
		}},
		{"503 Retry-After", plextvsim.Fault{Status: 503, RetryAfter: 2}, resources, 0, func(err error) bool {
			return plextv.IsTransient(err) && plextv.RetryAfter(err) == 2*time.Second
		}},
		{"404 PIN", plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Status: 404}, checkPIN, 0, func(err error) bool {
			return errors.Is(err, plextv.ErrPINExpired)
		}},
		{"truncated", plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Body: plextvsim.BodyTruncated}, createPIN, 0, isDecode},
		{"captive portal", plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Body: plextvsim.BodyHTML}, user, 0, isDecode},
		{"oversized PIN", plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Body: plextvsim.BodyOversized}, checkPIN, 0, isDecode},
		{"oversized resources", plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Body: plextvsim.BodyOversized, Size: 17 << 20}, resources, 0, isDecode},
		{"hang", plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Hang: true}, user, 200 * time.Millisecond, func(err error) bool {
			return isNetwork(err) && plextv.IsTransient(err) && !errors.Is(err, plextv.ErrTokenInvalid)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim.ClearFaults()
			if err := sim.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			ctx := ctx
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			err := tc.call(ctx)
			if err == nil || !tc.check(err) {
				t.Errorf("err = %v (%T)", err, err)
			}
		})
	}
	sim.ClearFaults()

	// The simulator's own poll limit, as plex.tv's.
	sim.SetPINPollLimit(1)
	if err := checkPIN(ctx); err != nil {
		t.Fatal(err)
	}
	if err := checkPIN(ctx); !errors.Is(err, plextv.ErrRateLimited) || plextv.RetryAfter(err) != time.Second {
		t.Errorf("second poll in a second: %v", err)
	}
}

func TestClientHTTPTimeoutWithHungSim(t *testing.T) {
	sim, err := plextvsim.Start(plextvsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	c, err := plextv.New(sim.URL(), simInfo, plextv.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	sim.AddFault(plextvsim.Fault{Hang: true})
	_, err = c.CreatePIN(context.Background(), false)
	var ne *plextv.NetworkError
	if !errors.As(err, &ne) || !plextv.IsTransient(err) {
		t.Errorf("hung create PIN: %v (%T), want *NetworkError", err, err)
	}
}

// A token from plex.tv must look like one: printable ASCII without
// spaces. Anything else (an escape sequence that would retitle a
// terminal, a space, a newline) is refused where it is decoded: a linked
// PIN's, a profile switch's and a server's own token alike.
func TestTokensThatAreNotTokensAreRefused(t *testing.T) {
	bad := "\x1b]0;pwned\x07tok"
	sim, c := startSim(t, plextvsim.Options{})
	ctx := context.Background()

	pin, err := c.CreatePIN(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	sim.SetNextTokens(bad)
	if _, err := sim.LinkPIN(pin.Code, ""); err != nil {
		t.Fatal(err)
	}
	got, err := c.CheckPIN(ctx, pin.ID)
	if !errors.Is(err, plextv.ErrBadToken) || got != nil || plextv.IsTransient(err) {
		t.Fatalf("CheckPIN = %+v, %v; want ErrBadToken, not worth retrying", got, err)
	}

	good, _ := sim.NewToken("")
	sim.AddResource(plextvsim.Resource{Name: "Evil", Provides: "server", ClientIdentifier: "evil", AccessToken: "with space"})
	sim.AddResource(plextvsim.Resource{Name: "Fine", Provides: "server", ClientIdentifier: "fine", AccessToken: "abcDEF123-_.~"})
	rs, err := c.Resources(ctx, plextv.Token(good))
	if err != nil || len(rs) != 2 {
		t.Fatalf("Resources = %d, %v", len(rs), err)
	}
	if !rs[0].AccessToken.IsZero() || !errors.Is(rs[0].AccessTokenErr, plextv.ErrBadToken) {
		t.Fatalf("Evil's token kept: %q, %v", rs[0].AccessToken.Reveal(), rs[0].AccessTokenErr)
	}
	if rs[1].AccessToken.Reveal() != "abcDEF123-_.~" || rs[1].AccessTokenErr != nil {
		t.Fatalf("Fine's token: %q, %v", rs[1].AccessToken.Reveal(), rs[1].AccessTokenErr)
	}

	home, err := sim.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	sim.SetNextTokens("kid\ntoken")
	if tok, err := c.SwitchHomeUser(ctx, plextv.Token(good), home.Profiles[0].UUID, ""); !errors.Is(err, plextv.ErrBadToken) || !tok.IsZero() {
		t.Fatalf("SwitchHomeUser = %q, %v; want ErrBadToken", tok.Reveal(), err)
	}
}

func FuzzTokenCheck(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "\x1b[0m", "é", "~!", strings.Repeat("x", 5000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := plextv.Token(s).Check()
		ok := len(s) > 0 && len(s) <= 4096
		for i := 0; i < len(s); i++ {
			ok = ok && s[i] >= '!' && s[i] <= '~'
		}
		if (err == nil) != ok {
			t.Fatalf("Check(%q) = %v", s, err)
		}
	})
}
