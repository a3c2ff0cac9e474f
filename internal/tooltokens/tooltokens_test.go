package tooltokens

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/signin"
)

func startSim(t *testing.T) (*plextvsim.Sim, *plextv.Client) {
	t.Helper()
	sim, err := plextvsim.Start(plextvsim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sim.Close()
		if v := sim.Violations(); len(v) > 0 {
			t.Errorf("plex.tv rule violations: %+v", v)
		}
	})
	c, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", Version: "0.1.0", Platform: "Linux", ClientIdentifier: "plextray-install"})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// signIn signs plextray in as a person would: a PIN of plextray's own
// identifier, linked on the link page.
func signIn(t *testing.T, sim *plextvsim.Sim, c *plextv.Client) plextv.Token {
	t.Helper()
	p, err := c.CreatePIN(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sim.LinkPIN(p.Code, "")
	if err != nil {
		t.Fatal(err)
	}
	return plextv.Token(tok)
}

func TestTwoToolsSurviveSignInAndRevokeOne(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	acct := signIn(t, sim, c)
	m := Maker{Client: c, Interval: time.Millisecond}

	kTok, kometa, err := m.Make(ctx, acct, "  Kometa ")
	if err != nil {
		t.Fatal(err)
	}
	tTok, tautulli, err := m.Make(ctx, acct, "Tautulli")
	if err != nil {
		t.Fatal(err)
	}
	if kTok == tTok || kTok == acct || kometa.Name != "Kometa" || kometa.ClientIdentifier == tautulli.ClientIdentifier ||
		kometa.ClientIdentifier == c.Info().ClientIdentifier || kometa.CreatedAt.IsZero() {
		t.Fatalf("kometa %+v, tautulli %+v", kometa, tautulli)
	}
	for _, tok := range []plextv.Token{kTok, tTok} {
		if err := c.Ping(ctx, tok); err != nil {
			t.Fatalf("plex.tv refuses a tool's token: %v", err)
		}
	}

	// plextray signs in again: its own token rotates, the tools' do not.
	acct2 := signIn(t, sim, c)
	if err := c.Ping(ctx, acct); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Fatalf("the simulator did not rotate plextray's token: %v", err)
	}
	for _, tok := range []plextv.Token{kTok, tTok} {
		if err := c.Ping(ctx, tok); err != nil {
			t.Fatalf("a new sign-in broke a tool's token: %v", err)
		}
	}

	ds, err := c.Devices(ctx, acct2)
	if err != nil {
		t.Fatal(err)
	}
	st := Match([]Tool{kometa, tautulli}, ds)
	if !st[0].Authorized || !st[1].Authorized || st[0].LastSeenAt.IsZero() || st[0].DeviceID == st[1].DeviceID {
		t.Fatalf("states = %+v", st)
	}
	for _, d := range ds {
		if d.ClientIdentifier == kometa.ClientIdentifier && d.Product != "Kometa (via plextray)" {
			t.Errorf("plex.tv lists Kometa as %q", d.Product)
		}
	}

	if err := Revoke(ctx, c, acct2, kometa); err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx, kTok); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Fatalf("the revoked tool's token still works: %v", err)
	}
	for _, tok := range []plextv.Token{tTok, acct2} {
		if err := c.Ping(ctx, tok); err != nil {
			t.Fatalf("revoking Kometa broke another token: %v", err)
		}
	}
	if err := Revoke(ctx, c, acct2, kometa); !errors.Is(err, ErrAlreadyRevoked) {
		t.Fatalf("revoking twice: %v", err)
	}
	ds, _ = c.Devices(ctx, acct2)
	if st := Match([]Tool{kometa, tautulli}, ds); st[0].Authorized || !st[1].Authorized {
		t.Fatalf("after revoke: %+v", st)
	}
}

func TestMakeFailures(t *testing.T) {
	sim, c := startSim(t)
	ctx := context.Background()
	acct := signIn(t, sim, c)
	m := Maker{Client: c, Interval: time.Millisecond, Timeout: 5 * time.Second}

	if _, _, err := m.Make(ctx, "revoked", "Kometa"); !errors.Is(err, plextv.ErrTokenInvalid) {
		t.Fatalf("a rejected account token: %v", err)
	}
	if _, _, err := m.Make(ctx, acct, "bad\nname"); !errors.Is(err, ErrBadName) {
		t.Fatalf("bad name: %v", err)
	}
	// A transient failure while linking is retried with a fresh PIN.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointLinkPIN, Status: 503, Count: 1}); err != nil {
		t.Fatal(err)
	}
	tok, _, err := m.Make(ctx, acct, "Retry")
	if err != nil || c.Ping(ctx, tok) != nil {
		t.Fatalf("after a 503: %v", err)
	}
	// plex.tv down for good: the making ends at its timeout.
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Status: 503}); err != nil {
		t.Fatal(err)
	}
	m.Timeout = 50 * time.Millisecond
	if _, _, err := m.Make(ctx, acct, "Down"); !errors.Is(err, signin.ErrTimedOut) {
		t.Fatalf("plex.tv down: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"Kometa": "Kometa", "  Home Assistant ": "Home Assistant", "Seerr (4K)": "Seerr (4K)", "Überseerr": "Überseerr",
		"tautulli-1.2_x+y&z's @home": "tautulli-1.2_x+y&z's @home",
	} {
		if got, err := CleanName(in); err != nil || got != want {
			t.Errorf("CleanName(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "   ", "a\nb", "a\rX-Plex-Token: x", "a\x1b[31m", "a/b", "a\"b", strings.Repeat("x", 41), "a\u202eb"} {
		if _, err := CleanName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
}

func FuzzCleanName(f *testing.F) {
	f.Add("Kometa")
	f.Add("a\r\nb")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanName(s)
		if err != nil {
			return
		}
		if got != strings.TrimSpace(got) || got == "" || strings.ContainsAny(got, "\r\n\t\x00\"\\/") || len([]rune(got)) > MaxName {
			t.Fatalf("CleanName(%q) = %q", s, got)
		}
	})
}

func TestStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plextray")
	s := Store{Dir: dir}
	if ts, err := s.List("acct-a"); err != nil || len(ts) != 0 {
		t.Fatalf("empty: %v %v", ts, err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	k := Tool{Name: "Kometa", ClientIdentifier: "id-k", CreatedAt: now}
	if err := s.Add("acct-a", k); err != nil {
		t.Fatal(err)
	}
	if err := s.Add("acct-a", Tool{Name: "KOMETA", ClientIdentifier: "id-2"}); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("same name twice: %v", err)
	}
	if err := s.Check("acct-a", "kometa"); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("Check: %v", err)
	}
	// Another account has its own list.
	if err := s.Add("acct-b", Tool{Name: "Kometa", ClientIdentifier: "id-b"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Find("acct-a", " kometa ")
	if err != nil || got != k {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	if _, err := s.Find("acct-a", "Tautulli"); !errors.Is(err, ErrUnknownTool) {
		t.Fatalf("unknown: %v", err)
	}
	if err := s.Remove("acct-a", "id-k"); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.List("acct-a"); len(ts) != 0 {
		t.Fatalf("after remove: %+v", ts)
	}
	if ts, _ := s.List("acct-b"); len(ts) != 1 {
		t.Fatalf("acct-b: %+v", ts)
	}
	fi, err := os.Stat(filepath.Join(dir, File))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v %v", fi, err)
	}
	if err := os.WriteFile(filepath.Join(dir, File), []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List("acct-a"); err == nil {
		t.Fatal("a damaged file read as empty")
	}
	if err := s.Add("acct-a", k); err == nil {
		t.Fatal("a damaged file was overwritten")
	}
}
