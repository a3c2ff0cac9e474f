package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// homeFixture is a fixture signed in to the demo account, which has a
// Plex Home, with the profiles kept in memory and a temporary config folder.
type homeFixture struct {
	*fixture
	t    *testing.T
	acct string
	home plextvsim.Home
	dir  string
	kc   *keychain.Memory
}

func newHomeFixture(t *testing.T, spec *plextvsim.HomeSpec) *homeFixture {
	t.Helper()
	kc := &keychain.Memory{}
	f := &homeFixture{fixture: newFixture(t, kc), t: t, dir: t.TempDir(), kc: kc}
	var err error
	if spec == nil {
		f.home, err = f.sim.AddDemoHome()
	} else {
		f.home, err = f.sim.AddHome(*spec)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.acct, _ = f.sim.NewToken("")
	kc.Set(context.Background(), plextv.Token(f.acct))
	return f
}

// key is profile uuid's token in the keychain: under the demo account's
// entry, or under the unconfirmed account's (where a token stored before
// tokens were kept by account has it until plex.tv confirms the account).
func (f *homeFixture) key(uuid string) keychain.Store {
	return profileKey{f.kc.Entry(keychain.ProfileEntry(f.sim.DemoAccount().UUID, uuid)), f.kc.Entry(keychain.ProfileEntry("", uuid))}
}

type profileKey struct {
	keychain.Store
	legacy keychain.Store
}

func (k profileKey) Delete(ctx context.Context) error {
	return errors.Join(k.Store.Delete(ctx), k.legacy.Delete(ctx))
}

func (k profileKey) Get(ctx context.Context) (plextv.Token, error) {
	if tok, err := k.Store.Get(ctx); err == nil {
		return tok, nil
	}
	return k.legacy.Get(ctx)
}

// run runs a command with stdin (not a terminal); it returns the exit
// code and stdout, and clears both outputs.
func (f *homeFixture) runIn(stdin string, args ...string) (int, string) {
	io := f.io()
	io.ConfigDir = f.dir
	io.Stdin = strings.NewReader(stdin)
	f.stdout.b.Reset()
	f.stderr.b.Reset()
	code := Run(args, io)
	return code, f.stdout.String()
}

func (f *homeFixture) uuid(title string) string {
	for _, p := range f.home.Profiles {
		if p.Title == title {
			return p.UUID
		}
	}
	f.t.Fatalf("no profile %q", title)
	return ""
}

// whose asks plex.tv whose token tok is.
func (f *homeFixture) whose(tok string) string {
	f.t.Helper()
	c, err := plextv.New(f.sim.URL(), plextv.Info{Product: "plextray", Version: "test", ClientIdentifier: "cli-test-2"})
	if err != nil {
		f.t.Fatal(err)
	}
	u, err := c.User(context.Background(), plextv.Token(strings.TrimSpace(tok)))
	if err != nil {
		f.t.Fatalf("whose token: %v", err)
	}
	return u.DisplayName()
}

func TestUsersListsTheHome(t *testing.T) {
	f := newHomeFixture(t, nil)
	code, out := f.runIn("", "users")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "PROFILE") {
		t.Fatalf("table:\n%s", out)
	}
	for i, want := range []string{"Demo User  admin    no   *", "Kid        managed  no  ", "Teen       managed  yes "} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Fatalf("row %d: %q, want %q…", i+1, lines[i+1], want)
		}
	}
	code, out = f.runIn("", "users", "--json")
	var us []userJSON
	if code != ExitOK || json.Unmarshal([]byte(out), &us) != nil || len(us) != 3 || !us[0].Active || !us[2].Protected || !us[1].Managed {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
}

func TestSwitchTokenAndWrongPIN(t *testing.T) {
	f := newHomeFixture(t, nil)
	if code, _ := f.runIn("", "switch", "kid"); code != ExitOK {
		t.Fatalf("switch kid: exit %d\n%s", code, f.stderr)
	}
	_, kid := f.runIn("", "token")
	if f.whose(kid) != "Kid" {
		t.Fatal("token after switching to Kid is not Kid's")
	}
	if st := profileState(f.dir); st.Active == nil || st.Active.UUID != f.uuid("Kid") {
		t.Fatalf("profile state %+v", st)
	}
	if code, out := f.runIn("", "status"); code != ExitOK || !strings.Contains(out, "Active profile: Kid") {
		t.Fatalf("status: exit %d %q", code, out)
	}
	if code, out := f.runIn("", "users"); code != ExitOK || !strings.Contains(out, "Kid        managed  no   *") {
		t.Fatalf("users after switch:\n%s", out)
	}

	// Teen's token with the PIN on stdin; Kid stays active.
	code, teen := f.runIn("1234\n", "token", "--user", "Teen")
	if code != ExitOK || f.whose(teen) != "Teen" {
		t.Fatalf("token --user Teen: exit %d\n%s", code, f.stderr)
	}
	if _, now := f.runIn("", "token"); now != kid {
		t.Fatal("token --user changed the active profile")
	}
	// Stored now: asked again, no PIN is needed.
	if code, again := f.runIn("", "token", "--user", "teen"); code != ExitOK || again != teen {
		t.Fatalf("stored Teen token not reused: exit %d\n%s", code, f.stderr)
	}

	// A wrong PIN: exit 4, clear message, Kid still active.
	if code, _ := f.runIn("0000\n", "switch", "Teen"); code != ExitRejected {
		t.Fatalf("wrong PIN: exit %d\n%s", code, f.stderr)
	}
	if msg := f.stderr.String(); !strings.Contains(msg, "wrong PIN for Teen") || !strings.Contains(msg, "Kid's token is still active") {
		t.Fatalf("message %q", msg)
	}
	if _, now := f.runIn("", "token"); now != kid {
		t.Fatal("a wrong PIN changed the active profile")
	}
	// No PIN at all: a usage error, nothing asked of plex.tv.
	asked := switches(f.sim)
	if asked == 0 {
		t.Fatal("the switches so far are not in the request log")
	}
	if code, _ := f.runIn("", "switch", "Teen"); code != ExitUsage || !strings.Contains(f.stderr.String(), "needs its PIN") {
		t.Fatalf("no PIN: exit %d\n%s", code, f.stderr)
	}
	if switches(f.sim) != asked {
		t.Fatal("a switch without a PIN was sent to plex.tv")
	}
	if code, _ := f.runIn("1234\n", "switch", f.uuid("Teen")); code != ExitOK {
		t.Fatalf("switch by uuid: exit %d\n%s", code, f.stderr)
	}
	if _, now := f.runIn("", "token"); f.whose(now) != "Teen" {
		t.Fatal("not Teen after switching")
	}

	// Back to the admin: the account's own token.
	if code, _ := f.runIn("", "switch", "demo"); code != ExitOK {
		t.Fatalf("switch demo: exit %d\n%s", code, f.stderr)
	}
	if _, now := f.runIn("", "token"); strings.TrimSpace(now) != f.acct {
		t.Fatal("token after switching back is not the account's")
	}

	// Sign-out signs out and removes every stored profile token.
	kept := map[string]string{}
	for _, title := range []string{"Kid", "Teen"} {
		tok, _ := f.key(f.uuid(title)).Get(context.Background())
		kept[title] = tok.Reveal()
	}
	if code, _ := f.runIn("", "logout"); code != ExitOK {
		t.Fatalf("logout: exit %d\n%s", code, f.stderr)
	}
	for _, title := range []string{"Kid", "Teen"} {
		if tok, err := f.key(f.uuid(title)).Get(context.Background()); err == nil {
			t.Fatalf("%s's token left after logout", title)
		} else if f.sim.TokenValid(tok.Reveal()) {
			t.Fatal("unreachable")
		}
	}
	if f.sim.TokenValid(kept["Kid"]) || f.sim.TokenValid(kept["Teen"]) || kept["Kid"] != strings.TrimSpace(kid) {
		t.Fatal("profile tokens still valid at plex.tv after logout")
	}
	if st := profileState(f.dir); st.Active != nil || len(st.Stored) != 0 {
		t.Fatalf("profile state after logout: %+v", st)
	}
	if v := f.sim.Violations(); len(v) > 0 {
		t.Fatal(v)
	}
}

// switches counts the switch requests plex.tv has had.
func switches(sim *plextvsim.Sim) int {
	n := 0
	for _, r := range sim.Requests() {
		if strings.HasSuffix(r.Path, "/switch") {
			n++
		}
	}
	return n
}

func TestProfileNamesAmbiguousOrUnknown(t *testing.T) {
	f := newHomeFixture(t, &plextvsim.HomeSpec{Profiles: []plextvsim.Profile{{Title: "Kid"}, {Title: "kid"}, {Title: "Teen\x1b[31m"}}})
	code, _ := f.runIn("", "switch", "KID")
	msg := f.stderr.String()
	if code != ExitUsage || !strings.Contains(msg, "matches 2 profiles") || !strings.Contains(msg, f.home.Profiles[0].UUID) || !strings.Contains(msg, f.home.Profiles[1].UUID) {
		t.Fatalf("ambiguous: exit %d %q", code, msg)
	}
	code, _ = f.runIn("", "token", "--user", "nobody")
	msg = f.stderr.String()
	if code != ExitUsage || !strings.Contains(msg, `no profile "nobody"`) || strings.Contains(msg, "\x1b") {
		t.Fatalf("unknown: exit %d %q", code, msg)
	}
	for _, args := range [][]string{{"switch"}, {"switch", ""}, {"switch", "Kid", "Teen"}} {
		if code, _ := f.runIn("", args...); code != ExitUsage || !strings.Contains(f.stderr.String(), "name one profile") {
			t.Fatalf("%q: exit %d, %q; want usage and 'name one profile'", args, code, f.stderr.String())
		}
	}
}

func TestNoHome(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	raw, _ := f.sim.NewToken("")
	f.kc.Entry(keychain.Account).Set(context.Background(), plextv.Token(raw))
	if code := f.run("users"); code != ExitOK || !strings.Contains(f.stdout.String(), "no Plex Home") {
		t.Fatalf("exit %d %q", code, f.stdout)
	}
	if code := f.run("switch", "Kid"); code != ExitUsage {
		t.Fatalf("switch without a Home: exit %d", code)
	}
}

// On a terminal the PIN is read through ReadSecret (no echo), not stdin.
func TestPINFromTerminal(t *testing.T) {
	f := newHomeFixture(t, nil)
	io := f.io()
	io.ConfigDir = f.dir
	io.Stdin = strings.NewReader("0000\n") // must not be read
	asked := 0
	io.ReadSecret = func() (string, error) { asked++; return "1234", nil }
	if code := Run([]string{"switch", "Teen"}, io); code != ExitOK || asked != 1 {
		t.Fatalf("exit %d, asked %d\n%s", code, asked, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "PIN for Teen: ") || strings.Contains(f.stderr.String(), "1234") {
		t.Fatalf("stderr %q", f.stderr)
	}
	// The same profile again: nothing to do while its token is kept …
	if code := Run([]string{"switch", "teen"}, io); code != ExitOK || asked != 1 {
		t.Fatalf("again: exit %d, asked %d", code, asked)
	}
	// … and fetched again once it is lost.
	f.key(f.uuid("Teen")).Delete(context.Background())
	if code := Run([]string{"switch", "teen"}, io); code != ExitOK || asked != 2 {
		t.Fatalf("lost token: exit %d, asked %d\n%s", code, asked, f.stderr)
	}
}

// 'servers' lists the resources with the active profile's token, like the
// tray's check and 'uri': it still works once the account's own token is
// revoked (the old code asked with the account's token: exit 4).
func TestServersUseTheActiveProfile(t *testing.T) {
	f := newHomeFixture(t, nil)
	if code, _ := f.runIn("", "switch", "kid"); code != ExitOK {
		t.Fatalf("switch kid: exit %d\n%s", code, f.stderr)
	}
	if !f.sim.RevokeToken(f.acct) {
		t.Fatal("the account's token was not revoked")
	}
	if code, _ := f.runIn("", "servers", "--json", "--timeout", "1s"); code != ExitOK {
		t.Fatalf("servers as Kid: exit %d\n%s", code, f.stderr)
	}
}

// When plex.tv rejects the active profile's token, 'servers' (and 'uri',
// 'token --server') goes back to the account's own token, as the tray
// does, and says how to use the profile again: 'login' would not help
// (the revoked profile token stayed active, so every later command
// failed the same way), nor would 'switch Kid' (it said "Already using").
func TestRejectedProfileTokenFallsBackToTheAccount(t *testing.T) {
	f := newHomeFixture(t, nil)
	if code, _ := f.runIn("", "switch", "kid"); code != ExitOK {
		t.Fatalf("switch kid: exit %d\n%s", code, f.stderr)
	}
	kid, err := f.key(f.uuid("Kid")).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !f.sim.RevokeToken(kid.Reveal()) {
		t.Fatal("Kid's token was not revoked")
	}
	code, _ := f.runIn("", "servers", "--timeout", "1s")
	if code != ExitRejected {
		t.Fatalf("servers with a revoked profile token: exit %d\n%s", code, f.stderr)
	}
	if msg := f.stderr.String(); !strings.Contains(msg, "Kid") || !strings.Contains(msg, "switch") || strings.Contains(msg, "login") {
		t.Fatalf("the message should name Kid and 'switch', not 'login':\n%s", msg)
	}
	code, out := f.runIn("", "token")
	if code != ExitOK || strings.TrimSpace(out) != f.acct {
		t.Fatalf("token after the rejection: exit %d, %q; want the account's token\n%s", code, out, f.stderr)
	}
	if code, _ := f.runIn("", "servers", "--timeout", "1s"); code != ExitOK {
		t.Fatalf("servers with the account's token: exit %d\n%s", code, f.stderr)
	}
	if code, _ := f.runIn("", "switch", "kid"); code != ExitOK || strings.Contains(f.stderr.String(), "Already") {
		t.Fatalf("switch kid again: exit %d\n%s", code, f.stderr)
	}
}

// TestSwitchSaysWhenPlexTVAsksToWait: a 429 during a switch is said on
// stderr before the wait (here plex.tv's Retry-After of 1 s, waited for
// real), then the switch goes on.
func TestSwitchSaysWhenPlexTVAsksToWait(t *testing.T) {
	f := newHomeFixture(t, nil)
	if err := f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 429, RetryAfter: 1, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.runIn("", "switch", "Kid"); code != ExitOK {
		t.Fatalf("switch Kid: exit %d\n%s", code, f.stderr.String())
	}
	if want := "plextray switch: plex.tv asks to slow down (too many requests); trying again in 1 s…\n"; !strings.Contains(f.stderr.String(), want) {
		t.Fatalf("stderr %q lacks %q", f.stderr.String(), want)
	}
}

func TestWaitWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1 s", 1500 * time.Millisecond: "2 s", 30 * time.Second: "30 s", time.Minute: "1 min", 90 * time.Second: "2 min", time.Hour: "1 h", 3 * time.Hour: "3 h",
	} {
		if got := waitWords(d); got != want {
			t.Errorf("waitWords(%v) = %q, want %q", d, got, want)
		}
	}
}

// profileState is the signed-in account's record in profiles.json.
func profileState(dir string) home.State {
	f, _ := home.Load(dir)
	return f.For(f.Account)
}
