package plextv_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// startHome starts a simulator whose demo account is the admin (PIN 4321)
// of a Home with Kid (no PIN) and Teen (PIN 1234), and one server.
func startHome(t *testing.T) (*plextvsim.Sim, *plextv.Client, plextvsim.Home, plextv.Token) {
	t.Helper()
	sim, c := startSim(t, plextvsim.Options{})
	home, err := sim.AddHome(plextvsim.HomeSpec{AdminPIN: "4321", Profiles: []plextvsim.Profile{
		{Title: "Kid"}, {Title: "Teen", PIN: "1234"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.AddServer(plextvsim.ServerSpec{Name: "Living Room", Owned: true, Connections: []plextvsim.ConnSpec{{URI: "https://127.0.0.1:1"}}}); err != nil {
		t.Fatal(err)
	}
	return sim, c, home, plextv.Token(sim.DemoAccount().Token)
}

func profileUUID(t *testing.T, h *plextv.Home, title string) string {
	t.Helper()
	for _, u := range h.Users {
		if u.Title == title {
			return u.UUID
		}
	}
	t.Fatalf("no profile %q in %+v", title, h.Users)
	return ""
}

func serverToken(t *testing.T, c *plextv.Client, tok plextv.Token) plextv.Token {
	t.Helper()
	rs, err := c.Resources(context.Background(), tok)
	if err != nil || len(plextv.Servers(rs)) != 1 {
		t.Fatalf("resources: %+v, %v", rs, err)
	}
	return plextv.Servers(rs)[0].AccessToken
}

func TestHomeUsersAndSwitchWithSim(t *testing.T) {
	sim, c, _, admin := startHome(t)
	ctx := context.Background()

	u, err := c.User(ctx, admin)
	if err != nil || u.HomeSize != 3 || !bool(u.HomeAdmin) {
		t.Fatalf("admin user = %+v, %v", u, err)
	}
	h, err := c.HomeUsers(ctx, admin)
	if err != nil || len(h.Users) != 3 || !plextv.OfferProfiles(u, h) {
		t.Fatalf("home = %+v, %v", h, err)
	}
	if a := h.Admin(); a == nil || a.Username != "demo" || !a.Protected {
		t.Fatalf("admin = %+v", a)
	}
	kidUUID, teenUUID := profileUUID(t, h, "Kid"), profileUUID(t, h, "Teen")
	for _, p := range h.Users[1:] {
		if !p.Managed() || p.Username != "" || p.Email != "" {
			t.Errorf("managed profile = %+v", p)
		}
	}

	// Kid: no PIN needed.
	kid, err := c.SwitchHomeUser(ctx, admin, kidUUID, "")
	if err != nil || kid.IsZero() || kid == admin {
		t.Fatalf("switch to Kid: %v", err)
	}
	ku, err := c.User(ctx, kid)
	if err != nil || ku.Title != "Kid" || ku.Username != "" || ku.DisplayName() != "Kid" || bool(ku.HomeAdmin) {
		t.Fatalf("Kid's user = %+v, %v", ku, err)
	}
	// The profile's server token is its own, never the admin's, and stable.
	adminSrv, kidSrv := serverToken(t, c, admin), serverToken(t, c, kid)
	if kidSrv.IsZero() || kidSrv == adminSrv || serverToken(t, c, kid) != kidSrv {
		t.Fatalf("server tokens: admin %q kid %q", adminSrv.Reveal(), kidSrv.Reveal())
	}

	// Teen: missing and wrong PINs are ErrProfilePIN; the right one works.
	for _, pin := range []string{"", "0000"} {
		_, err := c.SwitchHomeUser(ctx, admin, teenUUID, pin)
		if !errors.Is(err, plextv.ErrProfilePIN) || plextv.IsTransient(err) || errors.Is(err, plextv.ErrTokenInvalid) {
			t.Fatalf("PIN %q: %v", pin, err)
		}
	}
	teen, err := c.SwitchHomeUser(ctx, admin, teenUUID, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if tu, err := c.User(ctx, teen); err != nil || tu.Title != "Teen" {
		t.Fatalf("Teen's user = %+v, %v", tu, err)
	}
	if ts := serverToken(t, c, teen); ts == kidSrv || ts == adminSrv {
		t.Fatal("Teen shares a server token")
	}

	// Back to the admin from the profile: the admin's PIN is asked.
	if _, err := c.SwitchHomeUser(ctx, teen, h.Admin().UUID, ""); !errors.Is(err, plextv.ErrProfilePIN) {
		t.Fatalf("back without PIN: %v", err)
	}
	back, err := c.SwitchHomeUser(ctx, teen, h.Admin().UUID, "4321")
	if err != nil {
		t.Fatal(err)
	}
	if bu, err := c.User(ctx, back); err != nil || bu.Username != "demo" {
		t.Fatalf("back = %+v, %v", bu, err)
	}

	// A numeric id is not a uuid: 404, as on plex.tv. A revoked token: 401.
	if _, err := c.SwitchHomeUser(ctx, admin, "40000002", ""); err == nil || errors.Is(err, plextv.ErrProfilePIN) {
		t.Fatalf("numeric id: %v", err)
	}
	sim.RevokeToken(kid.Reveal())
	if _, err := c.HomeUsers(ctx, kid); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Fatalf("revoked: %v", err)
	}
	// The PIN travels in the query; the token never does (startSim checks
	// Violations), and only in the header.
	for _, r := range sim.Requests() {
		if strings.HasSuffix(r.Path, "/switch") && r.Header.Get("X-Plex-Token") != plextvsim.Redacted {
			t.Errorf("switch without token header: %+v", r)
		}
	}
}

func TestSwitchFaultsWithSim(t *testing.T) {
	sim, c, home, admin := startHome(t)
	ctx := context.Background()
	kid := home.Profiles[0].UUID

	// plex.tv may want a PIN even for an unprotected profile.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 403, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SwitchHomeUser(ctx, admin, kid, ""); !errors.Is(err, plextv.ErrProfilePIN) {
		t.Fatalf("403 fault: %v", err)
	}
	// Switching quickly: 429 without Retry-After.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, NoRetryAfter: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := c.SwitchHomeUser(ctx, admin, kid, "")
	if !errors.Is(err, plextv.ErrRateLimited) || !plextv.IsTransient(err) || plextv.RetryAfter(err) != 0 {
		t.Fatalf("429 fault: %v (retry after %v)", err, plextv.RetryAfter(err))
	}
	// A 201 whose body lost authToken is an error, not an empty token.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Body: plextvsim.BodyTruncated, Count: 1}); err != nil {
		t.Fatal(err)
	}
	var de *plextv.DecodeError
	if tok, err := c.SwitchHomeUser(ctx, admin, kid, ""); !errors.As(err, &de) || !tok.IsZero() {
		t.Fatalf("truncated: %v", err)
	}
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointHomeUsers, Body: plextvsim.BodyHTML, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HomeUsers(ctx, admin); !errors.As(err, &de) {
		t.Fatalf("html: %v", err)
	}
	// After the faults, it works.
	if tok, err := c.SwitchHomeUser(ctx, admin, kid, ""); err != nil || tok.IsZero() {
		t.Fatal(err)
	}
}

func TestNoHomeWithSim(t *testing.T) {
	sim, c := startSim(t, plextvsim.Options{})
	ctx := context.Background()
	tok := plextv.Token(sim.DemoAccount().Token)
	u, err := c.User(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.HomeUsers(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if plextv.OfferProfiles(u, h) {
		t.Fatalf("an account without a Home is offered profiles: %+v %+v", u, h)
	}
	if _, err := c.SwitchHomeUser(ctx, tok, "../../users/signout", ""); err == nil {
		t.Fatal("a path in the uuid was sent")
	}
}
