package core

import (
	"context"
	"errors"
	"github.com/plextray/plextray/internal/localpage"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/internal/clock"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/keychain/keychaintest"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
	"github.com/plextray/plextray/internal/signin"
)

// desk records what the core asked of the desktop.
type desk struct {
	poke     func() // tells the harness something happened
	mu       sync.Mutex
	urls     []string
	notes    []Notice
	clip     string
	noClip   bool
	noBrowse bool
	steal    bool // someone else copies right after each copy
	reads    int
	copies   []string // everything copied, in order
}

var (
	errNoBrowser = errors.New("no browser")
	errNoClip    = errors.New("no clipboard tool")
)

func (d *desk) Notify(n Notice, _ State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.notes = append(d.notes, n)
	d.poke()
	return nil
}
func (d *desk) Open(url string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noBrowse {
		return errNoBrowser
	}
	d.urls = append(d.urls, url)
	d.poke()
	return nil
}
func (d *desk) Copy(s string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.noClip {
		return errNoClip
	}
	d.clip = s
	d.copies = append(d.copies, s)
	if d.steal && s != "" {
		d.clip = "something else"
	}
	d.poke()
	return nil
}
func (d *desk) Read() (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reads++
	return d.clip, nil
}
func (d *desk) get() (urls []string, notes []Notice, clip string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...), append([]Notice(nil), d.notes...), d.clip
}

// bubble runs f in a synctest bubble, against a simulator started
// outside it. Inside, time is synthetic: it moves only when every
// goroutine of the test and the core is blocked on something inside the
// bubble (a timer, a channel). A goroutine waiting on the network is
// not, so time stands still while a request to the simulator is in
// flight: no test depends on how fast the machine answers.
func bubble(t *testing.T, f func(t *testing.T, sim *plextvsim.Sim)) {
	t.Helper()
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	synctest.Test(t, func(t *testing.T) { f(t, sim) })
}

// noKeepAlive is an HTTP client for use inside a bubble: an idle
// keep-alive connection would leave a goroutine reading the network,
// and time would never move.
func noKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

type harness struct {
	t     *testing.T
	sim   *plextvsim.Sim
	desk  *desk
	kc    keychain.Keyring
	c     *Core
	mu    sync.Mutex
	state State
	seen  []Notice // every notice published, in order
	// secrets is every value given to Config.Secret (for log redaction).
	secrets []string
	ch      chan struct{}
	done    chan struct{}
}

// start runs a core against sim, publishing into a new harness; call it
// inside bubble.
func start(t *testing.T, sim *plextvsim.Sim, kc keychain.Keyring, tweak ...func(*Config)) *harness {
	t.Helper()
	client, err := plextv.New(sim.URL(), plextv.Info{Product: "plextray", Version: "test", ClientIdentifier: "test-client-1"}, plextv.WithHTTPClient(noKeepAlive()))
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sim: sim, desk: &desk{}, kc: kc, ch: make(chan struct{}, 1), done: make(chan struct{})}
	h.desk.poke = h.poke
	// The PIN page's server, inside the bubble, listening only while a
	// page is open (an idle listener would keep the bubble's time still).
	pages := localpage.OnDemand(t.TempDir())
	t.Cleanup(func() { pages.Close() })
	cfg := Config{
		Pages: pages,
		Services: Services{
			PlexTV: client, Keychain: kc, Clock: clock.Real{}, LinkURL: client.LinkURL,
			AppURL: func(code string) string { return plextv.AuthAppURL(sim.URL(), "test-client-1", code, "plextray") },
		},
		Notifier: h.desk, Clipboard: h.desk, Browser: h.desk,
		Secret: func(v string) {
			h.mu.Lock()
			h.secrets = append(h.secrets, v)
			h.mu.Unlock()
		},
		OnChange: func(s State) {
			h.mu.Lock()
			if n := len(h.seen); n == 0 || h.seen[n-1].Seq != s.Notice.Seq {
				h.seen = append(h.seen, s.Notice)
			}
			h.state = s
			h.mu.Unlock()
			h.poke()
		},
	}
	// No daily ping unless a test asks for it: its far timer would let
	// synthetic time leap whenever the bubble idles (a PIN page would
	// expire while the test posts to it from outside the bubble).
	cfg.KeepAliveEvery = -1
	for _, f := range tweak {
		f(&cfg)
	}
	h.c = New(cfg)
	go func() { h.c.Run(); close(h.done) }()
	t.Cleanup(func() {
		h.c.Quit()
		select {
		case <-h.done:
		case <-time.After(time.Minute): // synthetic time
			t.Error("core did not stop")
		}
	})
	return h
}

// waitLimit bounds a wait in synthetic time: longer than any timer a
// test waits out (the longest is a 5-minute re-check backoff), so it
// turns only a hang into a failure.
const waitLimit = 10 * time.Minute

// wait waits until pred holds for the published state. Time moves on
// whenever the core (and everything else in the bubble) is idle, so a
// timer the core set fires only once nothing else can happen first.
func (h *harness) wait(desc string, pred func(State) bool) State {
	h.t.Helper()
	giveUp := time.After(waitLimit)
	for {
		h.mu.Lock()
		s := h.state
		h.mu.Unlock()
		if pred(s) {
			return s
		}
		select {
		case <-h.ch:
		case <-giveUp:
			h.mu.Lock()
			defer h.mu.Unlock()
			h.t.Fatalf("timed out waiting for %s; state: %+v", desc, h.state)
			return State{}
		}
	}
}

func (h *harness) poke() {
	select {
	case h.ch <- struct{}{}:
	default:
	}
}

// saw waits until a notice of kind k has been published (even if a later
// one replaced it already) and returns it.
func (h *harness) saw(k NoticeKind) Notice {
	h.t.Helper()
	var found Notice
	h.wait("a notice of kind "+itoa(int(k)), func(State) bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, n := range h.seen {
			if n.Kind == k {
				found = n
				return true
			}
		}
		return false
	})
	return found
}

func itoa(n int) string { return strconv.Itoa(n) }

func phase(p Phase) func(State) bool { return func(s State) bool { return s.Phase == p } }

func notice(k NoticeKind) func(State) bool { return func(s State) bool { return s.Notice.Kind == k } }

func signedIn(s State) bool { return s.Phase == SignedIn && s.Username != "" }

// link links code in the simulator, as a person at plex.tv/link would,
// and waits until the core is signed in.
func (h *harness) link(code string) State {
	h.t.Helper()
	if _, err := h.sim.LinkPIN(code, h.sim.DemoAccount().Username); err != nil {
		h.t.Fatal(err)
	}
	return h.wait("signed in", signedIn)
}

// signedInCore starts a core with an empty keychain and signs in with a
// code, as a person would.
func signedInCore(t *testing.T, sim *plextvsim.Sim) (*harness, *keychain.Memory) {
	t.Helper()
	kc := &keychain.Memory{}
	h := start(t, sim, kc)
	h.wait("signed out", phase(SignedOut))
	h.link(h.signIn())
	return h, kc
}

func (h *harness) signIn() (code string) {
	h.t.Helper()
	h.c.SignIn(signin.Code)
	st := h.wait("a code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" })
	return st.Code
}

func TestSignInEndToEndWithSimulator(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		h := start(t, sim, kc)
		h.wait("signed out", phase(SignedOut))
		code := h.signIn()
		if len(code) != 4 {
			t.Fatalf("code %q", code)
		}
		h.c.SignIn(signin.Code) // a second click starts no second flow
		h.wait("browser opened", func(State) bool { u, _, _ := h.desk.get(); return len(u) > 0 })
		if _, err := h.sim.LinkPIN(code, h.sim.DemoAccount().Username); err != nil {
			t.Fatal(err)
		}
		st := h.wait("signed in as demo", signedIn)
		if st.Username != h.sim.DemoAccount().Username || st.Name != h.sim.DemoAccount().Title || st.Notice.Problem() || st.Unverified || !st.Stored || st.Notice.Kind != NoticeSignedIn {
			t.Fatalf("state %+v", st)
		}
		tok, err := stored(kc)
		if err != nil || !h.sim.TokenValid(tok.Reveal()) {
			t.Fatalf("keychain token %v valid=%v", err, h.sim.TokenValid(tok.Reveal()))
		}
		h.wait("signed-in notification", func(State) bool {
			_, n, _ := h.desk.get()
			return len(n) > 0 && n[len(n)-1].Kind == NoticeSignedIn
		})
		urls, notes, clip := h.desk.get()
		if len(urls) != 1 || urls[0] != h.sim.URL()+"/link/?pin="+code {
			t.Fatalf("opened %v", urls)
		}
		if notes[0].Kind != NoticeWaitingCode || notes[0].What != CopiedCode || clip != code {
			t.Fatalf("notes %v clipboard %q", notes, clip)
		}
		if pins := h.sim.PINs(); len(pins) != 1 {
			t.Fatalf("%d PINs created; a second click must not start a second flow", len(pins))
		}
		if ids := h.sim.ClientIdentifiers(); len(ids) != 1 {
			t.Fatalf("client identifiers %v", ids)
		}
	})
}

func TestOneClickBrowserSignIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		h.c.SignIn(signin.Browser)
		st := h.wait("a strong code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" })
		if len(st.Code) < 20 || !strings.Contains(st.URL, "/auth#?clientID=test-client-1&code="+st.Code) {
			t.Fatalf("state %+v", st)
		}
		h.link(st.Code)
	})
}

func TestCancelSignIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		h.signIn()
		h.c.CancelSignIn()
		st := h.wait("signed out after cancel", phase(SignedOut))
		if st.Notice.Kind != NoticeCancelled || st.Code != "" {
			t.Fatalf("state %+v", st)
		}
	})
}

func TestPollingSurvivesTransientFaults(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		h := start(t, sim, kc)
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
		h.wait("a retry notice", notice(NoticeSignInRetrying))
		h.wait("faults used up", func(State) bool { return len(h.sim.Faults()) == 0 })
		h.link(code)
	})
}

// A permanent error while polling ends the sign-in at once: no waiting
// until the timeout.
func TestPermanentPollErrorEndsSignIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{}, func(c *Config) { c.SigninTimeout = time.Hour })
		h.wait("signed out", phase(SignedOut))
		h.signIn()
		h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Status: 401})
		start := time.Now() // synthetic
		st := h.wait("sign-in failed", phase(SignedOut))
		if st.Notice.Kind != NoticeSignInFailed || !errors.Is(st.Notice.Err, plextv.ErrTokenInvalid) {
			t.Fatalf("notice %+v", st.Notice)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("ended after %v of polling", took)
		}
	})
}

func TestExpiredCodeIsRenewed(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{}, func(c *Config) { c.SigninTimeout = time.Hour })
		h.wait("signed out", phase(SignedOut))
		first := h.signIn()
		if err := h.sim.ExpirePIN(first); err != nil {
			t.Fatal(err)
		}
		st := h.wait("a new code", func(s State) bool { return s.Phase == SigningIn && s.Code != "" && s.Code != first })
		if st.Notice.Kind != NoticeCodeRenewed {
			t.Fatalf("notice %+v", st.Notice)
		}
		h.wait("renewal notification", func(State) bool {
			_, n, clip := h.desk.get()
			return len(n) >= 2 && n[len(n)-1].Kind == NoticeCodeRenewed && clip == st.Code
		})
		h.link(st.Code)
	})
}

func TestSignInTimesOut(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{}, func(c *Config) { c.SigninTimeout = 10 * time.Second })
		h.wait("signed out", phase(SignedOut))
		// A slow plex.tv (real time) costs no synthetic time: the code
		// is still shown, and the sign-in ends exactly at its timeout.
		for _, e := range []plextvsim.Endpoint{plextvsim.EndpointCreatePIN, plextvsim.EndpointCheckPIN} {
			sim.AddFault(plextvsim.Fault{Endpoint: e, Delay: 30 * time.Millisecond})
		}
		begin := time.Now() // synthetic
		h.signIn()
		st := h.wait("timed out", phase(SignedOut))
		if !st.Notice.Problem() || st.Notice.Kind != NoticeTimedOut {
			t.Fatalf("state %+v", st)
		}
		if took := time.Since(begin); took != 10*time.Second {
			t.Fatalf("timed out after %v, want the 10 s timeout", took)
		}
		if n := len(sim.Requests()); n < 5 {
			t.Fatalf("only %d requests before the timeout: polling stopped", n)
		}
	})
}

func TestPlexTVRefusesAtSignIn(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Count: 1, Status: 400})
		h.c.SignIn(signin.Code)
		st := h.wait("sign-in failure", func(s State) bool { return s.Phase == SignedOut && s.Notice.Kind == NoticeSignInFailed })
		var se *plextv.StatusError
		if !errors.As(st.Notice.Err, &se) || se.StatusCode != 400 {
			t.Fatalf("notice %+v", st.Notice)
		}
		h.signIn() // and the next click works
	})
}

func TestPlexTVDownAtSignInIsWaitedOut(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Count: 1, Status: 503})
		h.c.SignIn(signin.Code)
		h.saw(NoticeSignInRetrying) // the retry may have replaced it already
		st := h.wait("a code after all", func(s State) bool { return s.Phase == SigningIn && s.Code != "" })
		h.link(st.Code)
	})
}

// storedToken is a valid token of the demo account, as if stored by an
// earlier run.
func storedToken(t *testing.T, sim *plextvsim.Sim) plextv.Token {
	t.Helper()
	tok, err := sim.NewToken(sim.DemoAccount().Username)
	if err != nil {
		t.Fatal(err)
	}
	return plextv.Token(tok)
}

func TestStartWithValidToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		kc.Set(context.Background(), storedToken(t, sim))
		h := start(t, sim, kc)
		st := h.wait("signed in", signedIn)
		if st.Notice.Problem() || !st.Stored {
			t.Fatalf("state %+v", st)
		}
	})
}

func TestRevokedTokenIsRemoved(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		tok := storedToken(t, sim)
		sim.RevokeToken(tok.Reveal())
		kc.Set(context.Background(), tok)
		h := start(t, sim, kc)
		st := h.wait("signed out", phase(SignedOut))
		if st.Notice.Kind != NoticeRevoked {
			t.Fatalf("state %+v", st)
		}
		h.wait("keychain emptied", func(State) bool {
			_, err := stored(kc)
			return errors.Is(err, keychain.ErrNotFound)
		})
	})
}

func TestTransientErrorKeepsToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &keychain.Memory{}
		tok := storedToken(t, sim)
		kc.Set(context.Background(), tok)
		sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Count: 2, Status: 500})
		h := start(t, sim, kc)
		st := h.wait("unverified", func(s State) bool { return s.Phase == SignedIn && s.Unverified && s.Notice.Kind == NoticeUnreachable })
		if st.Notice.Wait != firstRecheck {
			t.Fatalf("notice %+v", st.Notice)
		}
		if got, err := stored(kc); err != nil || got != tok {
			t.Fatal("token dropped on a transient error")
		}
		// The re-checks (after 15 s, then 30 s on the fake clock) succeed
		// once plex.tv answers again.
		st = h.wait("verified after retry", func(s State) bool { return s.Phase == SignedIn && s.Username != "" && !s.Unverified })
		if st.Notice.Problem() {
			t.Fatalf("state %+v", st)
		}
	})
}

func TestSignOut(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc := signedInCore(t, sim)
		tok, _ := stored(kc)
		h.c.SignOut()
		h.wait("signed out notice", func(s State) bool { return s.Phase == SignedOut && s.Notice.Kind == NoticeSignedOut })
		if h.sim.TokenValid(tok.Reveal()) {
			t.Fatal("token still valid at plex.tv")
		}
		if _, err := stored(kc); !errors.Is(err, keychain.ErrNotFound) {
			t.Fatal("token still in keychain")
		}
	})
}

func TestSignOutWhilePlexTVDown(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc := signedInCore(t, sim)
		h.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointSignOut, Status: 503})
		h.c.SignOut()
		st := h.wait("local sign-out", func(s State) bool { return s.Phase == SignedOut && s.Notice.Kind == NoticeSignOutOffline })
		if st.Notice.Err == nil {
			t.Fatalf("notice %+v", st.Notice)
		}
		if _, err := stored(kc); !errors.Is(err, keychain.ErrNotFound) {
			t.Fatal("token still in keychain")
		}
	})
}

func TestNoKeychainKeepsTokenInMemory(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, keychaintest.Missing{})
		st := h.wait("signed out with the reason", phase(SignedOut))
		if !errors.Is(st.Keychain, keychain.ErrUnavailable) {
			t.Fatalf("keychain %v", st.Keychain)
		}
		h.sim.LinkPIN(h.signIn(), h.sim.DemoAccount().Username)
		st = h.wait("signed in", signedIn)
		if st.Stored || st.Notice.Kind != NoticeSignedIn || st.Keychain == nil {
			t.Fatalf("state %+v", st)
		}
		h.c.CopyToken()
		h.wait("token copied", func(State) bool { _, _, c := h.desk.get(); return h.sim.TokenValid(c) })
	})
}

// lockedKeychain is locked until unlocked.
type lockedKeychain struct {
	keychain.Memory
	mu     sync.Mutex
	locked bool
}

func (k *lockedKeychain) isLocked() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.locked
}

func (k *lockedKeychain) Entry(name string) keychain.Store {
	return lockedEntry{k.Memory.Entry(name), k}
}

func (k *lockedKeychain) Names(ctx context.Context) ([]string, error) {
	if k.isLocked() {
		return nil, keychain.ErrLocked
	}
	return k.Memory.Names(ctx)
}

type lockedEntry struct {
	keychain.Store
	k *lockedKeychain
}

func (e lockedEntry) Get(ctx context.Context) (plextv.Token, error) {
	if e.k.isLocked() {
		return "", keychain.ErrLocked
	}
	return e.Store.Get(ctx)
}

// stored is the account's token the keychain holds (keychain.ErrNotFound:
// none), found as Services.Read finds it.
func stored(kc keychain.Keyring) (plextv.Token, error) {
	t := Services{Keychain: kc}.Read(context.Background())
	if t.Err == nil && t.Token.IsZero() {
		return "", keychain.ErrNotFound
	}
	return t.Token, t.Err
}

func TestLockedKeychainOffersRetry(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		kc := &lockedKeychain{locked: true}
		h := start(t, sim, kc)
		kc.Memory.Set(context.Background(), storedToken(t, h.sim))
		st := h.wait("locked", phase(Locked))
		if !errors.Is(st.Keychain, keychain.ErrLocked) {
			t.Fatalf("state %+v", st)
		}
		kc.mu.Lock()
		kc.locked = false
		kc.mu.Unlock()
		h.c.Retry()
		st = h.wait("signed in with the stored token", signedIn)
		if st.Keychain != nil || !st.Stored {
			t.Fatalf("state %+v", st)
		}
	})
}

// Every copy is notified (a click closes the menu, so the menu can't
// confirm it), a URI's with the URI, a token's without the token.
func TestCopiesAreNotified(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc := signedInCore(t, sim)
		tok, _ := stored(kc)
		h.c.CopyText("https://a:1", CopiedServerURI)
		h.wait("the URI's copy notified", func(State) bool {
			_, n, _ := h.desk.get()
			return slices.ContainsFunc(n, func(n Notice) bool {
				return n.Kind == NoticeCopied && n.What == CopiedServerURI && n.Text == "https://a:1"
			})
		})
		h.c.CopyToken()
		h.wait("the token's copy notified", func(State) bool {
			_, n, _ := h.desk.get()
			return slices.ContainsFunc(n, func(n Notice) bool { return n.Kind == NoticeTokenCopied && n.What == CopiedToken })
		})
		_, notes, _ := h.desk.get()
		for _, n := range notes {
			if strings.Contains(n.Text, tok.Reveal()) {
				t.Fatalf("the token in a notice: %+v", n)
			}
		}
	})
}

func TestCopyTokenClearsClipboard(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc := signedInCore(t, sim)
		tok, _ := stored(kc)
		h.c.CopyToken()
		if n := h.saw(NoticeTokenCopied); n.Wait != defaultClipTTL {
			t.Fatalf("notice %+v", n)
		}
		// Synthetic time cannot reach the clear while this test goroutine
		// is running, so the token is seen on the clipboard first.
		h.wait("copied", func(State) bool { _, _, c := h.desk.get(); return c == tok.Reveal() })
		h.saw(NoticeTokenCleared)
		if _, _, c := h.desk.get(); c != "" {
			t.Fatalf("clipboard %q", c)
		}

		// Something else copied meanwhile is left alone.
		h.desk.mu.Lock()
		h.desk.steal = true
		h.desk.mu.Unlock()
		h.mu.Lock()
		seq := h.state.Notice.Seq
		h.mu.Unlock()
		h.c.CopyToken()
		h.wait("the clear timer ran", func(s State) bool { return s.Notice.Seq > seq+1 && s.Notice.Kind == NoticeNone })
		if _, _, c := h.desk.get(); c != "something else" {
			t.Fatalf("clipboard %q", c)
		}
	})
}

func TestBrowserAndClipboardFailuresAreShown(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.desk.noBrowse, h.desk.noClip = true, true
		h.wait("signed out", phase(SignedOut))
		code := h.signIn()
		st := h.wait("browser failure", notice(NoticeBrowserFailed))
		if st.Code != code || !strings.Contains(st.URL, "/link/?pin=") || st.Phase != SigningIn || !errors.Is(st.Notice.Err, errNoBrowser) {
			t.Fatalf("state %+v", st)
		}
		h.c.CopyCode()
		st = h.wait("copy failure", notice(NoticeCopyFailed))
		if st.Notice.What != CopiedCode || !errors.Is(st.Notice.Err, errNoClip) {
			t.Fatalf("notice %+v", st.Notice)
		}
		h.link(code)
	})
}

// fakeAutostart records toggles; Enable and Disable block until released,
// so the test sees that the core stays responsive meanwhile.
type fakeAutostart struct {
	mu      sync.Mutex
	on      bool
	release chan struct{}
}

func (a *fakeAutostart) Enabled() (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.on, nil
}
func (a *fakeAutostart) set(on bool) error {
	<-a.release
	a.mu.Lock()
	defer a.mu.Unlock()
	a.on = on
	return nil
}
func (a *fakeAutostart) Enable() error  { return a.set(true) }
func (a *fakeAutostart) Disable() error { return a.set(false) }

func TestAutostartIsWrittenOffTheOwner(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		a := &fakeAutostart{release: make(chan struct{})}
		h := start(t, sim, &keychain.Memory{}, func(c *Config) { c.Autostart = a })
		h.wait("autostart read", func(s State) bool { return s.Autostart.Supported && !s.Autostart.Busy && !s.Autostart.On })
		h.wait("signed out", phase(SignedOut)) // a sign-in click while starting is ignored
		h.c.ToggleAutostart()
		h.wait("busy", func(s State) bool { return s.Autostart.Busy })
		// The write is blocked, yet the core still answers.
		h.c.SignIn(signin.Code)
		h.wait("signing in while the write hangs", phase(SigningIn))
		close(a.release)
		h.wait("on", func(s State) bool { return s.Autostart.On && !s.Autostart.Busy })
		h.c.ToggleAutostart()
		h.wait("off", func(s State) bool { return !s.Autostart.On && !s.Autostart.Busy })
	})
}

func TestQuitDuringFlow(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := start(t, sim, &keychain.Memory{})
		h.wait("signed out", phase(SignedOut))
		h.signIn()
		h.c.Quit()
		select {
		case <-h.done:
		case <-time.After(time.Minute): // synthetic time
			t.Fatal("Run did not return after Quit during a flow")
		}
	})
}

// gatedSignOut is plex.tv whose sign-out answers only once released (a
// slow plex.tv).
type gatedSignOut struct {
	PlexTV
	release chan struct{}
}

func (g gatedSignOut) SignOut(ctx context.Context, tok plextv.Token) error {
	<-g.release
	return g.PlexTV.SignOut(ctx, tok)
}

// signedInAgainDuringSlowSignOut signs in, signs out while plex.tv holds
// the sign-out's answer until release is closed, and signs in again.
func signedInAgainDuringSlowSignOut(t *testing.T, sim *plextvsim.Sim) (*harness, *keychain.Memory, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	kc := &keychain.Memory{}
	h := start(t, sim, kc, func(c *Config) { c.PlexTV = gatedSignOut{c.PlexTV, release} })
	h.wait("signed out", phase(SignedOut))
	h.link(h.signIn())
	h.c.SignOut()
	h.wait("signed out here", phase(SignedOut))
	code := h.signIn()
	if _, err := sim.LinkPIN(code, sim.DemoAccount().Username); err != nil {
		t.Fatal(err)
	}
	h.wait("linked again", phase(SignedIn))
	return h, kc, release
}

// copiedToken is a signed-in core whose token was just copied to the
// clipboard.
func copiedToken(t *testing.T, sim *plextvsim.Sim) *harness {
	t.Helper()
	h, kc := signedInCore(t, sim)
	tok, _ := stored(kc)
	h.c.CopyToken()
	h.wait("copied", func(State) bool { _, _, c := h.desk.get(); return c == tok.Reveal() })
	return h
}

// Signing in again while the previous sign-out still waits on plex.tv
// keeps the new token: the old sign-out's keychain removal must not
// delete the token stored meanwhile.
func TestSignInDuringSlowSignOutKeepsNewToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc, release := signedInAgainDuringSlowSignOut(t, sim)
		synctest.Wait() // whatever the core does with the new token meanwhile
		close(release)  // plex.tv answers the old sign-out at last
		st := h.wait("signed in, stored", func(s State) bool { return signedIn(s) && s.Stored })
		synctest.Wait() // the old sign-out has finished
		got, err := stored(kc)
		if err != nil || !sim.TokenValid(got.Reveal()) {
			t.Fatalf("keychain after the old sign-out: %q, %v (state %+v)", got, err, st)
		}
	})
}

// A copied token is cleared from the clipboard as promised even when the
// person signs out before the clear is due (plex.tv may not have been
// told, and a server's own token stays valid after sign-out).
func TestCopiedTokenIsClearedAfterSignOut(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := copiedToken(t, sim)
		h.c.SignOut()
		h.wait("signed out", phase(SignedOut))
		h.wait("clipboard cleared", func(State) bool { _, _, c := h.desk.get(); return c == "" })
	})
}

// Quitting within the clipboard's clear delay still clears a copied
// token (if the clipboard still holds it), as password managers do: the
// README promises it does not linger.
func TestQuitClearsACopiedToken(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := copiedToken(t, sim)
		h.c.Quit()
		select {
		case <-h.done:
		case <-time.After(time.Minute): // synthetic time
			t.Fatal("Run did not return after Quit")
		}
		if _, _, c := h.desk.get(); c != "" {
			t.Fatalf("clipboard still holds the token after Quit (%d chars)", len(c))
		}
	})
}

// Something the person copied after the token is left alone at Quit.
func TestQuitLeavesOtherClipboardText(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h := copiedToken(t, sim)
		if err := h.desk.Copy("mine"); err != nil {
			t.Fatal(err)
		}
		h.c.Quit()
		<-h.done
		if _, _, c := h.desk.get(); c != "mine" {
			t.Fatalf("clipboard %q after Quit: someone else's text was cleared", c)
		}
	})
}

// Signing out again before the new token was stored (it waits for the
// previous sign-out) stores nothing: the next start must not sign in
// with a token the person signed out of.
func TestSignOutBeforeNewTokenIsStoredStoresNothing(t *testing.T) {
	bubble(t, func(t *testing.T, sim *plextvsim.Sim) {
		h, kc, release := signedInAgainDuringSlowSignOut(t, sim)
		h.c.SignOut()
		h.wait("signed out again", phase(SignedOut))
		close(release)
		synctest.Wait() // both sign-outs, and any store, have finished
		if tok, err := stored(kc); !errors.Is(err, keychain.ErrNotFound) {
			t.Fatalf("keychain holds %q (%v) after signing out", tok, err)
		}
	})
}
