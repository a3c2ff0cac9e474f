package core

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

func set(t *testing.T, kc keychain.Keyring, name string, tok plextv.Token) {
	t.Helper()
	if err := kc.Entry(name).Set(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
}

func get(kc keychain.Keyring, name string) plextv.Token {
	tok, _ := kc.Entry(name).Get(context.Background())
	return tok
}

// Compare before delete: plex.tv's 401 for a token removes its entry only
// if the entry still holds that token; a newer token there (a sign-in or
// switch elsewhere since) is returned to be used instead, and stays.
func TestRejectedComparesBeforeDeleting(t *testing.T) {
	ctx := context.Background()
	kc := &keychain.Memory{}
	sv := Services{Keychain: kc, ConfigDir: t.TempDir()}
	acct, kid := keychain.AccountEntry("a1"), keychain.ProfileEntry("a1", "kid1")
	set(t, kc, acct, "new")
	set(t, kc, kid, "kid-new")
	if _, err := home.Update(ctx, sv.ConfigDir, func(f *home.File) {
		f.Account = "a1"
		f.Change("a1", func(st *home.State) { st.Switched(home.Active{UUID: "kid1", Title: "Kid"}) })
	}); err != nil {
		t.Fatal(err)
	}

	if newer, err := sv.ProfileRejected(ctx, "a1", "kid1", "kid-old"); err != nil || newer != "kid-new" || get(kc, kid) != "kid-new" {
		t.Fatalf("an older profile token's 401: newer %q, %v; entry %q", newer, err, get(kc, kid))
	}
	if st := sv.ProfileState("a1"); st.Active == nil {
		t.Fatal("an older profile token's 401 changed the active profile")
	}
	if newer, err := sv.Rejected(ctx, "a1", "old"); err != nil || newer != "new" || get(kc, acct) != "new" || get(kc, kid) != "kid-new" {
		t.Fatalf("an older account token's 401: newer %q, %v; entries %q %q", newer, err, get(kc, acct), get(kc, kid))
	}

	if newer, err := sv.ProfileRejected(ctx, "a1", "kid1", "kid-new"); err != nil || !newer.IsZero() || !get(kc, kid).IsZero() {
		t.Fatalf("the stored profile token's 401: newer %q, %v; entry %q", newer, err, get(kc, kid))
	}
	if st := sv.ProfileState("a1"); st.Active != nil || len(st.Stored) != 0 {
		t.Fatalf("the rejected profile is still recorded: %+v", st)
	}
	set(t, kc, kid, "kid-2")
	if newer, err := sv.Rejected(ctx, "a1", "new"); err != nil || !newer.IsZero() || !get(kc, acct).IsZero() || !get(kc, kid).IsZero() {
		t.Fatalf("the stored account token's 401: newer %q, %v; entries %q %q", newer, err, get(kc, acct), get(kc, kid))
	}
	if f, _ := home.Load(sv.ConfigDir); f.Account != "" || len(f.Accounts) != 0 {
		t.Fatalf("the rejected account is still recorded: %+v", f)
	}
}

// An install from before tokens were kept by account: "plex-token", a
// profile's "plex-token-profile-<uuid>" and the one-account profiles.json.
// Its token keeps working (Read finds it), and once plex.tv confirms the
// account, everything moves under the account's names.
func TestEarlierInstallKeepsItsTokenAndMovesUnderItsAccount(t *testing.T) {
	ctx := context.Background()
	kc := &keychain.Memory{}
	dir := t.TempDir()
	sv := Services{Keychain: kc, ConfigDir: dir}
	set(t, kc, "plex-token", "acct-tok")
	set(t, kc, "plex-token-profile-kid1", "kid-tok")
	old := `{"active":{"uuid":"kid1","title":"Kid"},"stored":["kid1"]}`
	if err := os.WriteFile(filepath.Join(dir, home.StateFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := sv.Read(ctx)
	if tr.Err != nil || tr.Account != "" || tr.Token != "acct-tok" || tr.Profile == nil || tr.Profile.Title != "Kid" || tr.ProfileToken != "kid-tok" {
		t.Fatalf("read %+v", tr)
	}
	acct, err := sv.Confirm(ctx, tr.Token, &plextv.User{UUID: "a1"})
	if err != nil || acct != "a1" {
		t.Fatalf("Confirm = %q, %v", acct, err)
	}
	if names, _ := kc.Names(ctx); !slices.Equal(names, []string{"account-a1", "account-a1-profile-kid1"}) {
		t.Fatalf("entries after the move: %v", names)
	}
	tr = sv.Read(ctx)
	if tr.Err != nil || tr.Account != "a1" || tr.Token != "acct-tok" || tr.Profile == nil || tr.ProfileToken != "kid-tok" {
		t.Fatalf("read after the move %+v", tr)
	}
}

// Sign-out removes every plextray entry the keychain holds, whatever
// profiles.json says (here: it is damaged), and signs each token out at
// plex.tv.
func TestSignOutRemovesEveryEntry(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", ClientIdentifier: "truth-test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	kc := &keychain.Memory{}
	dir := t.TempDir()
	sv := Services{PlexTV: client, Keychain: kc, ConfigDir: dir}
	var toks []string
	for _, name := range []string{"account-a1", "account-a1-profile-p1", "plex-token-profile-p2", "plex-token"} {
		tok, _ := sim.NewToken("")
		toks = append(toks, tok)
		set(t, kc, name, plextv.Token(tok))
	}
	if err := os.WriteFile(filepath.Join(dir, home.StateFile), []byte(`{"active":`), 0o600); err != nil {
		t.Fatal(err)
	}
	revokeErr, removeErr := sv.SignOut(ctx, plextv.Token(toks[0]))
	if revokeErr != nil || removeErr != nil {
		t.Fatalf("SignOut: %v, %v", revokeErr, removeErr)
	}
	if names, _ := kc.Names(ctx); len(names) != 0 {
		t.Fatalf("left in the keychain: %v", names)
	}
	for i, tok := range toks {
		if sim.TokenValid(tok) {
			t.Errorf("token %d still valid at plex.tv", i)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, home.StateFile)); !os.IsNotExist(err) {
		t.Errorf("profiles.json left: %v", err)
	}
}

// A read of the keychain and the config folder is applied only if no
// change of the core's own started or ended since it began: a read with
// an older generation is dropped (and read again), never applied.
func TestStaleReadIsDropped(t *testing.T) {
	c := New(Config{Services: Services{Keychain: &keychain.Memory{}}})
	defer c.wg.Wait()
	defer c.cancel()
	c.state.Phase, c.state.Stored = SignedIn, true
	c.token = "held"
	c.truthGen = 7

	c.apply(truthRead{gen: 6}) // "no token": read before a change of ours
	if c.state.Phase != SignedIn || c.token != "held" {
		t.Fatalf("a stale read was applied: %v %q", c.state.Phase, c.token)
	}
	if !c.reading {
		t.Fatal("a stale read was not followed by a fresh one")
	}

	c.writing = true // a change of ours runs: reads wait for it
	c.reading = false
	c.apply(cmdReload{})
	if c.reading || !c.reloadDue {
		t.Fatalf("read during a change: reading %v, due %v", c.reading, c.reloadDue)
	}
	c.writing = false

	c.reading = true
	c.apply(truthRead{gen: c.truthGen}) // current: signed out elsewhere
	if c.state.Phase != SignedOut || !c.token.IsZero() || c.state.Notice.Kind != NoticeSignedOut {
		t.Fatalf("a current read was not followed: %v %q %v", c.state.Phase, c.token, c.state.Notice.Kind)
	}
}

// The core follows what the command line does to the shared truth: a
// sign-in there (the tray's token rotated out) is adopted, a sign-out
// there signs the tray out, without removing anything itself.
func TestCoreFollowsSignInAndOutElsewhere(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc := signedInCore(t, sim)
		mine, _ := stored(kc)
		cli := h.c.cfg.Services // the command line's calls, same keychain
		newer, _ := sim.NewToken("")
		if k := cli.Keep(context.Background(), plextv.Token(newer)); k.StoreErr != nil || k.VerifyErr != nil {
			t.Fatalf("Keep: %+v", k)
		}
		sim.RevokeToken(mine.Reveal()) // as a rotating plex.tv does
		h.c.Reload()
		h.wait("the newer token adopted", func(State) bool {
			h.c.CopyToken()
			_, _, c := h.desk.get()
			return c == newer
		})
		if got, _ := stored(kc); got.Reveal() != newer {
			t.Fatal("the newer token left the keychain")
		}
		// Every wait above asked for a copy; let those still under way
		// end, or a late "token copied" would replace the sign-out's
		// notice below.
		synctest.Wait()
		if _, err := cli.SignOut(context.Background(), plextv.Token(newer)); err != nil {
			t.Fatal(err)
		}
		h.c.Reload()
		// (A server check may meet plex.tv's 401 for the signed-out token
		// first: then the keychain, found empty, says revoked.)
		h.wait("signed out elsewhere", func(s State) bool {
			return s.Phase == SignedOut && (s.Notice.Kind == NoticeSignedOut || s.Notice.Kind == NoticeRevoked)
		})
	})
}
