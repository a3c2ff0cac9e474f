package session

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/keychain/keychaintest"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/signin"
)

// desk records what the session asked of the desktop.
type desk struct {
	mu       sync.Mutex
	urls     []string
	notes    []string
	clip     string
	noClip   bool
	noBrowse bool
	reads    int
}

func (d *desk) Notify(title, body string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.notes = append(d.notes, title+" | "+body)
	return nil
}
func (d *desk) Open(url string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noBrowse {
		return errors.New("couldn't open a web browser")
	}
	d.urls = append(d.urls, url)
	return nil
}
func (d *desk) Copy(s string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noClip {
		return errors.New("no clipboard: install xclip or wl-clipboard (Linux)")
	}
	d.clip = s
	return nil
}
func (d *desk) Read() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	return d.clip, nil
}
func (d *desk) get() (urls, notes []string, clip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...), append([]string(nil), d.notes...), d.clip
}

type harness struct {
	t     *testing.T
	sim   *plextvsim.Sim
	clk   *clock.Fake
	desk  *desk
	kc    keychain.Store
	s     *Session
	mu    sync.Mutex
	state State
	ch    chan struct{}
	done  chan struct{}
}

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, kc keychain.Store, tweak ...func(*Config)) *harness {
	t.Helper()
	clk := clock.NewFake(t0)
	sim := plextvsim.StartForTest(t, plextvsim.Options{Now: clk.Now})
	return attach(t, sim, clk, kc, tweak...)
}

// startWithSim starts a second session against h's simulator and clock.
func startWithSim(t *testing.T, h *harness, kc keychain.Store) *harness {
	t.Helper()
	return attach(t, h.sim, h.clk, kc)
}

// attach runs a session against sim, publishing into a new harness.
func attach(t *testing.T, sim *plextvsim.Sim, clk *clock.Fake, kc keychain.Store, tweak ...func(*Config)) *harness {
	t.Helper()
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", Version: "test", ClientIdentifier: "test-client-1"})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, clk: clk, desk: &desk{}, kc: kc, ch: make(chan struct{}, 1), done: make(chan struct{})}
	cfg := Config{
		PlexTV: client, Keychain: kc, Notifier: h.desk, Clipboard: h.desk, Browser: h.desk,
		Clock: clk, LinkURL: client.LinkURL,
		AppURL: func(code string) string { return plextv.AuthAppURL(sim.URL(), "test-client-1", code, "plextray") },
		OnChange: func(s State) {
			h.mu.Lock()
			h.state = s
			h.mu.Unlock()
			select {
			case h.ch <- struct{}{}:
			default:
			}
		},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	h.s = New(cfg)
	go func() { h.s.Run(); close(h.done) }()
	t.Cleanup(func() {
		h.s.Quit()
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			t.Error("session did not stop")
		}
	})
	return h
}

// wait waits (real time, bounded) until pred holds for the published
// state. While waiting it moves the fake clock a second at a time whenever
// the session is waiting on it, so polls happen without real sleeping.
func (h *harness) wait(desc string, pred func(State) bool) State {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		s := h.state
		h.mu.Unlock()
		if pred(s) {
			return s
		}
		select {
		case <-h.ch:
		case <-time.After(20 * time.Millisecond):
			if h.clk.Waiters() > 0 {
				h.clk.Advance(time.Second)
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.t.Fatalf("timed out waiting for %s; state: %+v", desc, h.state)
	return State{}
}

func phase(p Phase) func(State) bool { return func(s State) bool { return s.Phase == p } }

func signedIn(s State) bool { return s.Phase == SignedIn && s.Username != "" }

// link links code in the simulator, as a person at plex.tv/link would,
// and waits until the session is signed in.
func (h *harness) link(code string) State {
	h.t.Helper()
	if _, err := h.sim.LinkPIN(code, h.sim.DemoAccount().Username); err != nil {
		h.t.Fatal(err)
	}
	return h.wait("signed in", signedIn)
}

func (h *harness) signIn() (code string) {
	h.t.Helper()
	h.s.SignIn(signin.Code)
	st := h.wait("a code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" })
	return st.Code
}

func TestSignInEndToEndWithSimulator(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, kc)
	h.wait("signed out", phase(SignedOut))
	code := h.signIn()
	if len(code) != 4 {
		t.Fatalf("code %q", code)
	}
	h.s.SignIn(signin.Code) // a second click starts no second flow
	h.wait("browser opened", func(State) bool { u, _, _ := h.desk.get(); return len(u) > 0 })
	if _, err := h.sim.LinkPIN(code, h.sim.DemoAccount().Username); err != nil {
		t.Fatal(err)
	}
	st := h.wait("signed in as demo", signedIn)
	if st.Username != h.sim.DemoAccount().Username || st.Problem || st.Unverified || st.Status != "" {
		t.Fatalf("state %+v", st)
	}
	tok, err := kc.Get(context.Background())
	if err != nil || !h.sim.TokenValid(tok.Reveal()) {
		t.Fatalf("keychain token %v valid=%v", err, h.sim.TokenValid(tok.Reveal()))
	}
	h.wait("signed-in notification", func(State) bool {
		_, n, _ := h.desk.get()
		return len(n) > 0 && strings.HasPrefix(n[len(n)-1], "Signed in as ")
	})
	urls, notes, clip := h.desk.get()
	if len(urls) != 1 || urls[0] != h.sim.URL()+"/link/?pin="+code {
		t.Fatalf("opened %v", urls)
	}
	if !strings.Contains(notes[0], code) || clip != code {
		t.Fatalf("notes %v clipboard %q", notes, clip)
	}
	if pins := h.sim.PINs(); len(pins) != 1 {
		t.Fatalf("%d PINs created; a second click must not start a second flow", len(pins))
	}
	if ids := h.sim.ClientIdentifiers(); len(ids) != 1 {
		t.Fatalf("client identifiers %v", ids)
	}
}

func TestOneClickBrowserSignIn(t *testing.T) {
	h := start(t, &keychain.Memory{})
	h.wait("signed out", phase(SignedOut))
	h.s.SignIn(signin.Browser)
	st := h.wait("a strong code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" })
	if len(st.Code) < 20 || !strings.Contains(st.URL, "/auth#?clientID=test-client-1&code="+st.Code) {
		t.Fatalf("state %+v", st)
	}
	h.link(st.Code)
}

func TestCancelSignIn(t *testing.T) {
	h := start(t, &keychain.Memory{})
	h.wait("signed out", phase(SignedOut))
	h.signIn()
	h.s.CancelSignIn()
	st := h.wait("signed out after cancel", phase(SignedOut))
	if st.Status != "Sign-in cancelled." || st.Code != "" {
		t.Fatalf("state %+v", st)
	}
}

func TestPollingSurvivesTransientFaults(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, kc)
	h.wait("signed out", phase(SignedOut))
	code := h.signIn()
	for _, f := range []plextvsim.Fault{
		{Endpoint: plextvsim.EndpointCheckPIN, Count: 2, Status: 429, RetryAfter: 3},
		{Endpoint: plextvsim.EndpointCheckPIN, Count: 2, Status: 502},
		{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Body: plextvsim.BodyHTML},
		{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Body: plextvsim.BodyOversized},
	} {
		if err := h.sim.AddFault(f); err != nil {
			t.Fatal(err)
		}
	}
	h.wait("a retry message", func(s State) bool { return s.Problem && strings.Contains(s.Status, "still waiting") })
	h.wait("faults used up", func(State) bool { return len(h.sim.Faults()) == 0 })
	h.link(code)
}

func TestExpiredCodeIsRenewed(t *testing.T) {
	h := start(t, &keychain.Memory{}, func(c *Config) { c.SigninTimeout = time.Hour })
	h.wait("signed out", phase(SignedOut))
	first := h.signIn()
	if err := h.sim.ExpirePIN(first); err != nil {
		t.Fatal(err)
	}
	st := h.wait("a new code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" && s.Code != first })
	if !strings.Contains(st.Status, "new one") {
		t.Fatalf("status %q", st.Status)
	}
	h.wait("renewal notification", func(State) bool {
		_, n, clip := h.desk.get()
		return len(n) >= 2 && strings.Contains(n[len(n)-1], st.Code) && clip == st.Code
	})
	h.link(st.Code)
}

func TestSignInTimesOut(t *testing.T) {
	h := start(t, &keychain.Memory{}, func(c *Config) { c.SigninTimeout = 10 * time.Second })
	h.wait("signed out", phase(SignedOut))
	h.signIn()
	st := h.wait("timed out", phase(SignedOut))
	if !st.Problem || !strings.Contains(st.Status, "timed out") {
		t.Fatalf("state %+v", st)
	}
}

func TestPlexTVDownAtSignIn(t *testing.T) {
	h := start(t, &keychain.Memory{})
	h.wait("signed out", phase(SignedOut))
	h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Count: 1, Status: 503})
	h.s.SignIn(signin.Code)
	h.wait("sign-in failure", func(s State) bool { return s.Phase == SignedOut && s.Problem && strings.Contains(s.Status, "503") })
	h.signIn() // and the next click works
}

func storedToken(t *testing.T, h0 *plextvsim.Sim) plextv.Token {
	tok, err := h0.NewToken(h0.DemoAccount().Username)
	if err != nil {
		t.Fatal(err)
	}
	return plextv.Token(tok)
}

func TestStartWithValidToken(t *testing.T) {
	h := start(t, &keychain.Memory{})
	// A fresh session over a keychain that already holds a token.
	tok := storedToken(t, h.sim)
	kc2 := &keychain.Memory{}
	kc2.Set(context.Background(), tok)
	h2 := startWithSim(t, h, kc2)
	st := h2.wait("signed in", signedIn)
	if st.Problem {
		t.Fatalf("state %+v", st)
	}
}

func TestRevokedTokenIsRemoved(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, &keychain.Memory{})
	tok := storedToken(t, h.sim)
	h.sim.RevokeToken(tok.Reveal())
	kc.Set(context.Background(), tok)
	h2 := startWithSim(t, h, kc)
	st := h2.wait("signed out", phase(SignedOut))
	if !st.Problem || !strings.Contains(st.Status, "revoked") {
		t.Fatalf("state %+v", st)
	}
	h2.wait("keychain emptied", func(State) bool {
		_, err := kc.Get(context.Background())
		return errors.Is(err, keychain.ErrNotFound)
	})
}

func TestTransientErrorKeepsToken(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, &keychain.Memory{})
	tok := storedToken(t, h.sim)
	kc.Set(context.Background(), tok)
	h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Count: 2, Status: 500})
	h2 := startWithSim(t, h, kc)
	st := h2.wait("unverified", func(s State) bool { return s.Phase == SignedIn && s.Unverified && s.Problem })
	if !strings.Contains(st.Status, "token kept") {
		t.Fatalf("status %q", st.Status)
	}
	if got, err := kc.Get(context.Background()); err != nil || got != tok {
		t.Fatal("token dropped on a transient error")
	}
	// The re-checks (after 15 s, then 30 s on the fake clock) succeed
	// once plex.tv answers again.
	st = h2.wait("verified after retry", func(s State) bool { return s.Phase == SignedIn && s.Username != "" && !s.Unverified })
	if st.Problem {
		t.Fatalf("state %+v", st)
	}
}

func TestSignOut(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, kc)
	h.wait("signed out", phase(SignedOut))
	h.link(h.signIn())
	tok, _ := kc.Get(context.Background())
	h.s.SignOut()
	h.wait("signed out message", func(s State) bool { return s.Phase == SignedOut && s.Status == "Signed out." })
	if h.sim.TokenValid(tok.Reveal()) {
		t.Fatal("token still valid at plex.tv")
	}
	if _, err := kc.Get(context.Background()); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatal("token still in keychain")
	}
}

func TestSignOutWhilePlexTVDown(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, kc)
	h.wait("signed out", phase(SignedOut))
	h.link(h.signIn())
	h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSignOut, Status: 503})
	h.s.SignOut()
	st := h.wait("local sign-out", func(s State) bool { return s.Phase == SignedOut && s.Problem })
	if !strings.Contains(st.Status, "couldn't be reached") {
		t.Fatalf("status %q", st.Status)
	}
	if _, err := kc.Get(context.Background()); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatal("token still in keychain")
	}
}

func TestNoKeychainKeepsTokenInMemory(t *testing.T) {
	h := start(t, keychaintest.Missing{})
	st := h.wait("signed out with hint", phase(SignedOut))
	if !strings.Contains(st.KeychainHint, "gnome-keyring") {
		t.Fatalf("hint %q", st.KeychainHint)
	}
	h.sim.LinkPIN(h.signIn(), h.sim.DemoAccount().Username)
	st = h.wait("signed in", func(s State) bool { return s.Phase == SignedIn && s.Username != "" && s.Problem })
	if !strings.Contains(st.Status, "keychain unavailable") {
		t.Fatalf("status %q", st.Status)
	}
	h.s.CopyToken()
	h.wait("token copied", func(State) bool { _, _, c := h.desk.get(); return h.sim.TokenValid(c) })
}

func TestCopyTokenClearsClipboard(t *testing.T) {
	kc := &keychain.Memory{}
	h := start(t, kc)
	h.wait("signed out", phase(SignedOut))
	h.link(h.signIn())
	tok, _ := kc.Get(context.Background())
	h.s.CopyToken()
	h.wait("copied", func(State) bool { _, _, c := h.desk.get(); return c == tok.Reveal() })
	h.wait("cleared after 30 s", func(State) bool { _, _, c := h.desk.get(); return c == "" })

	// Something else copied meanwhile is left alone.
	h.s.CopyToken()
	h.wait("copied again", func(s State) bool { return strings.HasPrefix(s.Status, "Token copied") })
	h.desk.Copy("something else")
	h.desk.mu.Lock()
	reads := h.desk.reads
	h.desk.mu.Unlock()
	h.wait("the clear timer looked at the clipboard", func(State) bool {
		h.desk.mu.Lock()
		defer h.desk.mu.Unlock()
		return h.desk.reads > reads
	})
	// Quit waits for every worker, so the clear has finished either way.
	h.s.Quit()
	<-h.done
	if _, _, c := h.desk.get(); c != "something else" {
		t.Fatalf("clipboard %q", c)
	}
}

func TestBrowserAndClipboardFailuresAreShown(t *testing.T) {
	h := start(t, &keychain.Memory{})
	h.desk.noBrowse, h.desk.noClip = true, true
	h.wait("signed out", phase(SignedOut))
	code := h.signIn()
	st := h.wait("browser hint", func(s State) bool { return s.Problem && strings.Contains(s.Status, "open a browser") })
	if !strings.Contains(st.Status, code) || !strings.Contains(st.Status, "/link/?pin=") || st.Phase != SigningIn {
		t.Fatalf("status %q", st.Status)
	}
	h.s.CopyCode()
	h.wait("clipboard hint", func(s State) bool { return strings.Contains(s.Status, "xclip") })
	h.link(code)
}

func TestQuitDuringFlow(t *testing.T) {
	h := start(t, &keychain.Memory{})
	h.wait("signed out", phase(SignedOut))
	h.signIn()
	h.s.Quit()
	select {
	case <-h.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Quit during a flow")
	}
}
