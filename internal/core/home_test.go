package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/pinpage"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/servers"
)

// profileKeys reads the profile tokens in the keychain kc: the entries
// of account acct (the demo account's uuid), or of the unconfirmed account
// (as an install from before tokens were kept by account left them).
type profileKeys struct {
	kc   *keychain.Memory
	acct string
}

func newProfileKeys(sim *plextvsim.Sim) *profileKeys {
	return &profileKeys{kc: &keychain.Memory{}, acct: sim.DemoAccount().UUID}
}

// legacy is profile uuid's entry as an earlier version kept it.
func (p *profileKeys) legacy(uuid string) keychain.Store {
	return p.kc.Entry(keychain.ProfileEntry("", uuid))
}

func (p *profileKeys) get(uuid string) plextv.Token {
	if tok, err := p.kc.Entry(keychain.ProfileEntry(p.acct, uuid)).Get(context.Background()); err == nil {
		return tok
	}
	tok, _ := p.legacy(uuid).Get(context.Background())
	return tok
}

// kept waits until profile title's token is in the keychain (kept just
// after the switch shows) and returns it.
func (f *homeFixture) kept(title string) plextv.Token {
	f.t.Helper()
	f.settle(title+"'s token kept", func(State) bool { return !f.keys.get(f.uuid(title)).IsZero() })
	return f.keys.get(f.uuid(title))
}

// profileState is the signed-in account's record in profiles.json.
func profileState(dir string) (home.State, error) {
	f, err := home.Load(dir)
	return f.For(f.Account), err
}

// resourceTokens wraps the real client (real HTTP to the simulator) and
// records which token each resources request carried.
type resourceTokens struct {
	*plextv.Client
	mu   sync.Mutex
	toks []plextv.Token
}

func (r *resourceTokens) Resources(ctx context.Context, tok plextv.Token) ([]plextv.Resource, error) {
	r.mu.Lock()
	r.toks = append(r.toks, tok)
	r.mu.Unlock()
	return r.Client.Resources(ctx, tok)
}

func (r *resourceTokens) last() plextv.Token {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.toks) == 0 {
		return ""
	}
	return r.toks[len(r.toks)-1]
}

type homeFixture struct {
	*harness
	keys *profileKeys
	dir  string
	res  *resourceTokens
	home plextvsim.Home
}

// withProfiles keeps profiles in keys and dir, and records resources
// requests in res.
func withProfiles(keys *profileKeys, dir string, res *resourceTokens) func(*Config) {
	return func(cfg *Config) {
		res.Client = cfg.PlexTV.(*plextv.Client)
		cfg.PlexTV = res
		cfg.ConfigDir = dir
		cfg.Checker = noProbe{}
	}
}

// noProbe lists the servers without probing them.
type noProbe struct{}

func (noProbe) Check(_ context.Context, rs []plextv.Resource, _ func(servers.Event)) []servers.Server {
	return servers.Plan(rs)
}

// cur is the latest published state.
func (h *harness) cur() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

// signedInHome signs in to the demo account, which has the demo Home,
// and waits for its profiles.
func signedInHome(t *testing.T, sim *plextvsim.Sim, spec *plextvsim.HomeSpec, tweak ...func(*Config)) *homeFixture {
	t.Helper()
	f := &homeFixture{keys: newProfileKeys(sim), dir: t.TempDir(), res: &resourceTokens{}}
	f.harness = start(t, sim, f.keys.kc, append([]func(*Config){withProfiles(f.keys, f.dir, f.res)}, tweak...)...)
	var err error
	if spec != nil {
		f.home, err = f.sim.AddHome(*spec)
	} else {
		f.home, err = f.sim.AddDemoHome()
	}
	if err != nil {
		t.Fatal(err)
	}
	f.wait("signed out", phase(SignedOut))
	f.link(f.signIn())
	f.wait("profiles listed", func(s State) bool { return s.Profiles.Offered && len(s.Profiles.List) == 3 })
	return f
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

// realTick comes from outside every bubble (package variables are set
// before any test runs): a goroutine waiting on it is not idle to
// synctest, so time stands still while settle waits on it.
var realTick = time.NewTicker(100 * time.Millisecond).C

// settle waits for pred without letting synthetic time move (the PIN
// page's expiry is on it). While a PIN page is open its listener keeps
// the bubble busy, so time could not move anyway; settle's limit is in
// real time (10 s), so a failure there still ends.
func (h *harness) settle(desc string, pred func(State) bool) State {
	h.t.Helper()
	for ticks := 0; ; {
		if s := h.cur(); pred(s) {
			return s
		}
		select {
		case <-h.ch:
		case <-realTick:
			if ticks++; ticks == 100 {
				h.t.Fatalf("timed out waiting for %s; state: %+v", desc, h.cur())
			}
		}
	}
}

func active(title string) func(State) bool {
	return func(s State) bool {
		if title == "" {
			return s.Profiles.Active == nil && s.Profiles.Switching == nil
		}
		return s.Profiles.Active != nil && s.Profiles.Active.Title == title && s.Profiles.Switching == nil
	}
}

// whose asks plex.tv whose token tok is.
func (f *homeFixture) whose(tok plextv.Token) string {
	f.t.Helper()
	c, err := plextv.New(f.sim.URL(), plextv.Info{Product: "plextray", Version: "test", ClientIdentifier: "test-client-2"}, plextv.WithHTTPClient(noKeepAlive()))
	if err != nil {
		f.t.Fatal(err)
	}
	u, err := c.User(context.Background(), tok)
	if err != nil {
		f.t.Fatalf("whose token: %v", err)
	}
	return u.DisplayName()
}

func (f *homeFixture) copied() plextv.Token {
	f.t.Helper()
	seq := f.cur().Notice.Seq
	f.c.CopyToken()
	f.settle("token copied", func(s State) bool { return s.Notice.Kind == NoticeTokenCopied && s.Notice.Seq > seq })
	_, _, clip := f.desk.get()
	return plextv.Token(clip)
}

// onDisk waits until the profile state in the config folder satisfies
// ok: the core records it from a worker.
func (f *homeFixture) onDisk(desc string, ok func(home.State) bool) {
	f.t.Helper()
	f.settle(desc, func(State) bool {
		hs, err := profileState(f.dir)
		return err == nil && ok(hs)
	})
}

func (f *homeFixture) checkedWith() plextv.Token {
	f.t.Helper()
	f.settle("servers checked", func(s State) bool { return !s.Servers.Checking && !s.Servers.Checked.IsZero() })
	return f.res.last()
}

func TestSwitchToProfileWithoutPIN(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		acct, _ := stored(f.kc)
		if w, c := f.whose(f.copied()), f.checkedWith(); w != "demo" || c != acct {
			t.Logf("whose %q checked %q acct %q", w, c, acct)
			t.Fatal("before switching, the account's token is active")
		}
		f.c.SwitchProfile(f.uuid("Kid"))
		st := f.settle("Kid active", active("Kid"))
		if st.Notice.Kind != NoticeProfileSwitched || st.Notice.Title != "Kid" || !st.Profiles.Kept {
			t.Fatalf("state %+v", st)
		}
		f.settle("Kid's token kept", func(State) bool { return !f.keys.get(f.uuid("Kid")).IsZero() })
		kid := f.keys.get(f.uuid("Kid"))
		if kid.IsZero() || f.whose(kid) != "Kid" {
			t.Fatal("Kid's token not kept in its keychain entry")
		}
		if got := f.copied(); got != kid {
			t.Fatal("Copy token did not copy Kid's token")
		}
		f.settle("servers re-fetched with Kid's token", func(State) bool { return f.res.last() == kid })
		f.onDisk("Kid recorded as active", func(hs home.State) bool {
			return hs.Active != nil && hs.Active.UUID == f.uuid("Kid") && hs.Active.Title == "Kid"
		})

		// Switch back: one click (the demo admin has no PIN).
		f.c.SwitchProfile(f.home.Admin.UUID)
		f.settle("admin active", active(""))
		if f.copied() != acct {
			t.Fatal("Copy token after switching back is not the account's token")
		}
		f.settle("servers re-fetched with the account's token", func(State) bool { return f.res.last() == acct })
		f.onDisk("no profile recorded as active", func(hs home.State) bool { return hs.Active == nil })
		if v := f.sim.Violations(); len(v) > 0 {
			t.Fatal(v)
		}
	})
}

// TestSwitchWithUnsavableStateLeavesNoStrayToken: when the config folder
// cannot record a profile, its token must not go into the keychain either:
// sign-out removes only the tokens the folder lists, and an unlisted one
// would stay there for good. The switch still works, for this run.
func TestSwitchWithUnsavableStateLeavesNoStrayToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		// A directory where the state file's lock goes: no change to the
		// state can be made.
		os.Remove(filepath.Join(f.dir, home.StateFile+".lock"))
		if err := os.MkdirAll(filepath.Join(f.dir, home.StateFile+".lock", "x"), 0o700); err != nil {
			t.Fatal(err)
		}
		f.c.SwitchProfile(f.uuid("Kid"))
		st := f.settle("Kid active, not kept", func(s State) bool { return active("Kid")(s) && s.Notice.Kind == NoticeProfileNotKept })
		if st.Notice.Kind != NoticeProfileNotKept || st.Profiles.Kept {
			t.Fatalf("notice %v, kept %v; want NoticeProfileNotKept, not kept", st.Notice.Kind, st.Profiles.Kept)
		}
		if kid := f.copied(); f.whose(kid) != "Kid" {
			t.Fatal("Copy token did not copy Kid's token")
		}
		if !f.keys.get(f.uuid("Kid")).IsZero() {
			t.Fatal("Kid's token is in the keychain, but no profile state lists it")
		}
	})
}

// heldSwitch lets plex.tv answer every profile switch, then holds the
// answer until release is closed, whatever becomes of the caller
// meanwhile: an answer already on its way.
type heldSwitch struct {
	PlexTV
	asked, release chan struct{}
}

// switchHeldAtPlexTV signs in to the demo Home and starts a switch to Kid
// whose answer plex.tv has given but the core has not received: f, and
// the release for that answer.
func switchHeldAtPlexTV(t *testing.T, sim *plextvsim.Sim) (f *homeFixture, release func()) {
	t.Helper()
	h := &heldSwitch{asked: make(chan struct{}), release: make(chan struct{})}
	f = signedInHome(t, sim, nil, func(cfg *Config) {
		h.PlexTV = cfg.PlexTV
		cfg.PlexTV = h
	})
	f.c.SwitchProfile(f.uuid("Kid"))
	<-h.asked
	return f, func() { close(h.release) }
}

func (h *heldSwitch) SwitchHomeUser(ctx context.Context, tok plextv.Token, uuid, pin string) (plextv.Token, error) {
	tok, err := h.PlexTV.SwitchHomeUser(ctx, tok, uuid, pin)
	h.asked <- struct{}{}
	<-h.release
	return tok, err
}

// TestSwitchCalledOffAsPlexTVAnswersRecordsNothing: choosing the active
// profile again ends a switch in flight; when plex.tv's answer arrives
// after that, neither the token nor the profile is recorded, so the
// config folder (which the command line reads) agrees with the tray.
func TestSwitchCalledOffAsPlexTVAnswersRecordsNothing(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, release := switchHeldAtPlexTV(t, sim)
		f.c.SwitchProfile(f.home.Admin.UUID) // the active one: calls it off
		f.settle("switch called off", func(s State) bool { return s.Profiles.Switching == nil })
		release()
		synctest.Wait()
		if s := f.cur(); s.Profiles.Active != nil {
			t.Fatalf("the tray made %q active", s.Profiles.Active.Title)
		}
		if hs, err := profileState(f.dir); err != nil || hs.Active != nil || len(hs.Stored) != 0 {
			t.Fatalf("profile state %+v, %v; want nothing recorded", hs, err)
		}
		if !f.keys.get(f.uuid("Kid")).IsZero() {
			t.Fatal("Kid's token kept for a switch that was called off")
		}
	})
}

// TestSignOutDuringSwitchLeavesNoToken: plex.tv answers a switch only
// after sign-out has removed everything; that answer must not put a
// profile token back into the keychain.
func TestSignOutDuringSwitchLeavesNoToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, release := switchHeldAtPlexTV(t, sim)
		f.c.SignOut()
		f.settle("signed out", func(s State) bool { return s.Phase == SignedOut && s.Notice.Kind == NoticeSignedOut })
		release()
		synctest.Wait()
		if !f.keys.get(f.uuid("Kid")).IsZero() {
			t.Fatal("Kid's token is in the keychain after sign-out")
		}
		if hs, err := profileState(f.dir); err != nil || hs.Active != nil || len(hs.Stored) != 0 {
			t.Fatalf("profile state %+v, %v after sign-out", hs, err)
		}
	})
}

// postPIN submits pin on the PIN page as a browser would: it follows the
// launch file the browser is given to the page, posts, and returns the
// answer's status (303: the PIN is being checked; the core's state says
// how the check ended).
func postPIN(t *testing.T, launch, pin string) int {
	t.Helper()
	lu, err := url.Parse(launch)
	if err != nil || lu.Scheme != "file" {
		t.Fatalf("the browser was given %q, not a launch file", launch)
	}
	b, err := os.ReadFile(lu.Path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`url=(http://[^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("launch file without the page's address:\n%s", b)
	}
	page := string(m[1])
	// The page takes a PIN once the check before has ended (the core
	// hears a wrong PIN a moment before the page has shown it).
	for i := 0; ; i++ {
		resp, err := noKeepAlive().Get(page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "Checking the PIN") {
			break
		}
		if i == 10000 {
			t.Fatal("the PIN page kept checking")
		}
	}
	u, _ := url.Parse(page)
	req, _ := http.NewRequest(http.MethodPost, page, strings.NewReader(url.Values{"pin": {pin}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+u.Host)
	c := noKeepAlive()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestSwitchToProtectedProfileThroughPINPage(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		teen := f.uuid("Teen")
		f.c.SwitchProfile(teen)
		st := f.settle("PIN page open", func(s State) bool { return s.Profiles.PINPage != "" })
		if st.Notice.Kind != NoticeProfilePIN || st.Notice.Title != "Teen" {
			t.Fatalf("notice %+v", st.Notice)
		}
		f.settle("page opened in the browser", func(State) bool {
			u, _, _ := f.desk.get()
			return len(u) > 0 && u[len(u)-1] == st.Profiles.PINPage
		})
		if code := postPIN(t, st.Profiles.PINPage, "0000"); code != http.StatusSeeOther {
			t.Fatalf("wrong PIN: HTTP %d", code)
		}
		st = f.settle("wrong PIN said", notice(NoticeProfileWrongPIN))
		if st.Profiles.Active != nil || !f.keys.get(teen).IsZero() {
			t.Fatal("a wrong PIN changed the active profile")
		}
		if hs, _ := profileState(f.dir); hs.Active != nil {
			t.Fatal("a wrong PIN changed the profile state on disk")
		}
		if code := postPIN(t, st.Profiles.PINPage, "1234"); code != http.StatusSeeOther {
			t.Fatalf("right PIN: HTTP %d", code)
		}
		f.settle("Teen active", active("Teen"))
		if got := f.copied(); got.IsZero() || got != f.kept("Teen") || f.whose(got) != "Teen" {
			t.Fatal("Copy token is not Teen's token")
		}
	})
}

func TestSwitchBackAsksForAdminPIN(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, &plextvsim.HomeSpec{AdminPIN: "4321", Profiles: []plextvsim.Profile{{Title: "Kid"}, {Title: "Guest"}}})
		f.c.SwitchProfile(f.uuid("Kid"))
		f.settle("Kid active", active("Kid"))
		f.c.SwitchProfile(f.home.Admin.UUID)
		// The admin is marked protected: the page opens at once.
		st := f.settle("PIN page for the admin", func(s State) bool { return s.Profiles.PINPage != "" })
		if postPIN(t, st.Profiles.PINPage, "1111") != http.StatusSeeOther {
			t.Fatal("the admin PIN page did not take the PIN")
		}
		f.settle("wrong PIN said", notice(NoticeProfileWrongPIN))
		if s := f.cur(); s.Profiles.Active == nil || s.Profiles.Active.Title != "Kid" {
			t.Fatal("a wrong admin PIN changed the active profile")
		}
		postPIN(t, st.Profiles.PINPage, "4321")
		f.settle("admin active", active(""))
	})
}

// A protected flag plex.tv did not set: the 403/1041 opens the page.
func TestPINRequiredAfterAllOpensPage(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 403, Count: 1})
		f.c.SwitchProfile(f.uuid("Kid"))
		st := f.settle("PIN page open", func(s State) bool { return s.Profiles.PINPage != "" })
		postPIN(t, st.Profiles.PINPage, "0000") // Kid has no PIN: any PIN passes now
		f.settle("Kid active", active("Kid"))
	})
}

func TestSwitchFailureKeepsActiveProfile(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSwitch, Status: 500, Count: 1})
		f.c.SwitchProfile(f.uuid("Kid"))
		st := f.settle("switch failed", notice(NoticeProfileFailed))
		if st.Profiles.Active != nil || st.Profiles.Switching != nil || st.Phase != SignedIn {
			t.Fatalf("state %+v", st)
		}
	})
}

// startWithProfile starts a core whose keychain holds the demo account's
// token, with Kid active on disk and kidTok in Kid's keychain entry.
func startWithProfile(t *testing.T, sim *plextvsim.Sim, kidTok func(sim *plextvsim.Sim, uuid string) plextv.Token) (*homeFixture, plextv.Token) {
	t.Helper()
	demo, err := sim.AddDemoHome()
	if err != nil {
		t.Fatal(err)
	}
	f := &homeFixture{keys: newProfileKeys(sim), dir: t.TempDir(), res: &resourceTokens{}, home: demo}
	kid := demo.Profiles[0]
	tok := kidTok(sim, kid.UUID)
	if !tok.IsZero() {
		f.keys.legacy(kid.UUID).Set(context.Background(), tok)
	}
	// profiles.json as an earlier version wrote it (one account, whose
	// token is under "plex-token").
	old := fmt.Sprintf(`{"active":{"uuid":%q,"title":%q},"stored":[%q]}`, kid.UUID, kid.Title, kid.UUID)
	if err := os.WriteFile(filepath.Join(f.dir, home.StateFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	f.keys.kc.Set(context.Background(), storedToken(t, sim))
	f.harness = start(t, sim, f.keys.kc, withProfiles(f.keys, f.dir, f.res))
	return f, tok
}

func TestActiveProfileRestoredAtStart(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, kid := startWithProfile(t, sim, func(sim *plextvsim.Sim, uuid string) plextv.Token {
			tok, _ := sim.ProfileToken(uuid)
			return plextv.Token(tok)
		})
		f.wait("signed in", signedIn)
		st := f.settle("Kid active", active("Kid"))
		if st.Notice.Problem() {
			t.Fatalf("notice %+v", st.Notice)
		}
		f.settle("first check with Kid's token", func(s State) bool { return !s.Servers.Checking && !s.Servers.Checked.IsZero() })
		f.res.mu.Lock()
		first := f.res.toks[0]
		f.res.mu.Unlock()
		if first != kid {
			t.Fatal("the first server check did not use the active profile's token")
		}
	})
}

func TestRejectedProfileTokenFallsBackAtStart(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, kid := startWithProfile(t, sim, func(sim *plextvsim.Sim, uuid string) plextv.Token {
			tok, _ := sim.ProfileToken(uuid)
			sim.RevokeToken(tok)
			return plextv.Token(tok)
		})
		st := f.wait("fallback", notice(NoticeProfileFallback))
		if st.Notice.Title != "Kid" || st.Profiles.Active != nil || st.Phase != SignedIn {
			t.Fatalf("state %+v", st)
		}
		f.wait("Kid's token removed", func(State) bool { return f.keys.get(f.uuid("Kid")).IsZero() })
		f.wait("profile state cleared", func(State) bool { hs, _ := profileState(f.dir); return hs.Active == nil })
		acct, _ := stored(f.kc)
		if acct.IsZero() {
			t.Fatal("the account's token was dropped with the profile's")
		}
		if f.copied() != acct || kid == acct {
			t.Fatal("Copy token after the fallback is not the account's")
		}
		// (Copy token above is notified too, as every copy is.)
		f.settle("the fallback notified", func(State) bool {
			_, notes, _ := f.desk.get()
			return slices.ContainsFunc(notes, func(n Notice) bool { return n.Kind == NoticeProfileFallback && n.Title == "Kid" })
		})
	})
}

func TestMissingProfileTokenFallsBackAtStart(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, _ := startWithProfile(t, sim, func(*plextvsim.Sim, string) plextv.Token { return "" })
		st := f.wait("fallback", notice(NoticeProfileFallback))
		if st.Profiles.Active != nil {
			t.Fatalf("state %+v", st)
		}
	})
}

// plex.tv down at start: the profile's token is kept and used.
func TestProfileTokenKeptWhilePlexTVDown(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f, kid := startWithProfile(t, sim, func(sim *plextvsim.Sim, uuid string) plextv.Token {
			tok, _ := sim.ProfileToken(uuid)
			sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Status: 503})
			return plextv.Token(tok)
		})
		f.settle("Kid active, unverified", func(s State) bool {
			return s.Profiles.Active != nil && s.Notice.Kind == NoticeUnreachable
		})
		if f.copied() != kid {
			t.Fatal("Copy token while plex.tv is down is not the profile's")
		}
		if f.keys.get(f.uuid("Kid")) != kid {
			t.Fatal("the profile's token was dropped on a transient error")
		}
	})
}

// A server check rejected for the profile's token falls back; the
// account's token is kept.
func TestRevokedProfileTokenInServerCheck(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.c.SwitchProfile(f.uuid("Kid"))
		f.settle("Kid active", active("Kid"))
		kid := f.kept("Kid")
		f.sim.RevokeToken(kid.Reveal())
		f.c.CheckServers()
		st := f.settle("fallback", notice(NoticeProfileFallback))
		if st.Phase != SignedIn || st.Profiles.Active != nil {
			t.Fatalf("state %+v", st)
		}
		if acct, _ := stored(f.kc); acct.IsZero() {
			t.Fatal("the account's token was removed")
		}
	})
}

func TestSignOutRemovesProfileTokens(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.c.SwitchProfile(f.uuid("Kid"))
		f.settle("Kid active", active("Kid"))
		f.c.SwitchProfile(f.uuid("Teen"))
		st := f.settle("PIN page", func(s State) bool { return s.Profiles.PINPage != "" })
		postPIN(t, st.Profiles.PINPage, "1234")
		f.settle("Teen active", active("Teen"))
		f.settle("Teen's token kept", func(State) bool { return !f.keys.get(f.uuid("Teen")).IsZero() })
		kid, teen := f.keys.get(f.uuid("Kid")), f.keys.get(f.uuid("Teen"))
		if kid.IsZero() || teen.IsZero() {
			t.Fatal("profile tokens not kept")
		}
		f.c.SignOut()
		f.settle("signed out", func(s State) bool { return s.Phase == SignedOut && s.Notice.Kind == NoticeSignedOut })
		if !f.keys.get(f.uuid("Kid")).IsZero() || !f.keys.get(f.uuid("Teen")).IsZero() {
			t.Fatal("profile tokens left in the keychain")
		}
		if hs, err := profileState(f.dir); err != nil || hs.Active != nil || len(hs.Stored) != 0 {
			t.Fatalf("profile state left: %+v %v", hs, err)
		}
		if f.sim.TokenValid(kid.Reveal()) || f.sim.TokenValid(teen.Reveal()) {
			t.Fatal("profile tokens still valid at plex.tv")
		}
		if s := f.cur(); s.Profiles.Offered || s.Profiles.Active != nil {
			t.Fatalf("profiles left in the state: %+v", s.Profiles)
		}
	})
}

func TestNoHomeOffersNoProfiles(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := &homeFixture{keys: newProfileKeys(sim), dir: t.TempDir(), res: &resourceTokens{}}
		f.harness = start(t, sim, f.keys.kc, withProfiles(f.keys, f.dir, f.res))
		f.wait("signed out", phase(SignedOut))
		f.link(f.signIn())
		// Listed: plex.tv was asked, and the answer is in.
		f.settle("listed", func(s State) bool { return !s.Profiles.Listing && asked(sim, "/api/v2/home/users") })
		if s := f.cur(); s.Profiles.Offered || len(s.Profiles.List) != 0 {
			t.Fatalf("profiles offered without a Home: %+v", s.Profiles)
		}
	})
}

// asked reports whether sim has had a request for path.
func asked(sim *plextvsim.Sim, path string) bool {
	for _, r := range sim.Requests() {
		if r.Path == path {
			return true
		}
	}
	return false
}

func TestPINPageWithoutBrowserSaysWhereItIs(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.desk.mu.Lock()
		f.desk.noBrowse = true
		f.desk.mu.Unlock()
		f.c.SwitchProfile(f.uuid("Teen"))
		st := f.settle("browser failure said", func(s State) bool {
			return s.Notice.Kind == NoticeProfilePIN && s.Notice.Err != nil && s.Profiles.PINPage != ""
		})
		if !errors.Is(st.Notice.Err, errNoBrowser) {
			t.Fatalf("notice %+v", st.Notice)
		}
		// The page's address (its one-time secret) is redacted from the
		// log like a token: the browser's error may quote it.
		f.mu.Lock()
		redacted := slices.Contains(f.secrets, st.Profiles.PINPage)
		f.mu.Unlock()
		if !redacted {
			t.Fatal("the PIN page's address was not registered for log redaction")
		}
		postPIN(t, st.Profiles.PINPage, "1234")
		f.settle("Teen active", active("Teen"))
	})
}

// After a switch to Kid, "Copy server token" never hands out the
// admin's token for a server, even while (or because) Kid's server list
// could not be fetched: the list shown is the active profile's or none.
func TestServerTokenAfterSwitchIsNeverThePreviousProfiles(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		nas, err := sim.AddServer(plextvsim.ServerSpec{Name: "NAS", Owned: true,
			Connections: []plextvsim.ConnSpec{{URI: "https://127.0.0.1:9", Local: true}}})
		if err != nil {
			t.Fatal(err)
		}
		f.c.CheckServers()
		st := f.settle("NAS listed", func(s State) bool { return !s.Servers.Checking && s.Servers.List.Len() == 1 })
		adminTok := st.Servers.List.Server(0).AccessToken
		if adminTok.IsZero() {
			t.Fatal("no server token for the admin")
		}
		// plex.tv can't list Kid's servers.
		sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503, Count: 100})
		f.c.SwitchProfile(f.uuid("Kid"))
		f.settle("Kid active", active("Kid"))
		f.settle("Kid's check failed", func(s State) bool { return !s.Servers.Checking && s.Servers.Err != nil })
		f.c.CopyServerToken(nas.ClientIdentifier)
		synctest.Wait() // the copy, if any, is done
		f.desk.mu.Lock()
		defer f.desk.mu.Unlock()
		for _, c := range f.desk.copies {
			if c == adminTok.Reveal() {
				t.Fatal("Copy server token under Kid copied the admin's token for the server")
			}
		}
	})
}

// After 5 PINs plex.tv refused, the page closes: the core says so (and
// notifies), the switch is over and the active profile is unchanged.
func TestTooManyWrongPINsEndTheSwitch(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		f := signedInHome(t, sim, nil)
		f.c.SwitchProfile(f.uuid("Teen"))
		st := f.settle("PIN page open", func(s State) bool { return s.Profiles.PINPage != "" })
		for i := range pinpage.DefaultMaxTries {
			seq := f.cur().Notice.Seq
			if code := postPIN(t, st.Profiles.PINPage, fmt.Sprintf("%04d", 9000+i)); code != http.StatusSeeOther {
				t.Fatalf("PIN %d: HTTP %d", i+1, code)
			}
			f.settle("the PIN checked", func(s State) bool {
				return s.Notice.Seq > seq && (s.Notice.Kind == NoticeProfileWrongPIN || s.Notice.Kind == NoticeProfilePINTries)
			})
		}
		st = f.settle("too many wrong PINs said", notice(NoticeProfilePINTries))
		if st.Notice.Title != "Teen" || st.Profiles.Switching != nil || st.Profiles.PINPage != "" || st.Profiles.Active != nil {
			t.Fatalf("state after too many wrong PINs: %+v", st.Profiles)
		}
		f.settle("notified", func(State) bool {
			_, notes, _ := f.desk.get()
			return len(notes) > 0 && notes[len(notes)-1].Kind == NoticeProfilePINTries
		})
	})
}
