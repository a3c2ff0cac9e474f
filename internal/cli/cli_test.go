package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/core"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/keychain/keychaintest"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// syncBuf is a bytes.Buffer safe for a writer and a reader goroutine;
// wrote is signalled after every write.
type syncBuf struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func newSyncBuf() *syncBuf { return &syncBuf{wrote: make(chan struct{}, 1)} }

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}
func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type fixture struct {
	sim            *plextvsim.Sim
	kc             keychain.Keyring
	stdout, stderr *syncBuf
	opened         []string
	settings       app.Settings
}

// stored is the account's token the keychain holds (keychain.ErrNotFound:
// none), found as the commands find it.
func stored(kc keychain.Keyring) (plextv.Token, error) {
	t := core.Services{Keychain: kc}.Read(context.Background())
	if t.Err == nil && t.Token.IsZero() {
		return "", keychain.ErrNotFound
	}
	return t.Token, t.Err
}

func newFixture(t *testing.T, kc keychain.Keyring) *fixture {
	t.Helper()
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	return &fixture{sim: sim, kc: kc, stdout: newSyncBuf(), stderr: newSyncBuf()}
}

func (f *fixture) io() IO {
	return IO{
		Prog: "plextray", Version: "test",
		Stdout: f.stdout, Stderr: f.stderr,
		Settings: f.settings,
		Keychain: f.kc,
		Setup: func(s app.Settings) (*app.Env, error) {
			info := app.Identity("test", "cli-test-client")
			c, err := plextv.New(f.sim.URL(), info)
			if err != nil {
				return nil, err
			}
			s.AppURL = f.sim.URL()
			return &app.Env{Version: "test", Settings: s, Info: info, PlexTV: c, Keychain: f.kc}, nil
		},
		OpenBrowser: func(u string) error { f.opened = append(f.opened, u); return nil },
	}
}

func (f *fixture) run(args ...string) int {
	return Run(args, f.io())
}

// linkWhenReady links the first PIN the simulator hands out. The command
// writes the code to stderr once the PIN exists, so it looks again
// after every write there (for at most 10 s).
func (f *fixture) linkWhenReady(t *testing.T) {
	giveUp := time.After(10 * time.Second)
	for {
		if pins := f.sim.PINs(); len(pins) > 0 {
			if _, err := f.sim.LinkPIN(pins[0].Code, ""); err != nil {
				t.Error(err)
			}
			return
		}
		select {
		case <-f.stderr.wrote:
		case <-giveUp:
			t.Error("no PIN was created")
			return
		}
	}
}

func TestLoginPrintForPipelines(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	go f.linkWhenReady(t)
	if code := f.run("login", "--print", "--no-browser"); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	tok, err := stored(kc)
	if err != nil {
		t.Fatal(err)
	}
	if f.stdout.String() != tok.Reveal()+"\n" {
		t.Fatalf("stdout %q: want the token alone", f.stdout)
	}
	errText := f.stderr.String()
	for _, want := range []string{"Code: ", "/link/?pin=", "Signed in as Demo User", "Token stored in the keychain"} {
		if !strings.Contains(errText, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errText)
		}
	}
	if strings.Contains(errText, tok.Reveal()) || len(f.opened) != 0 {
		t.Fatalf("token on stderr or browser opened despite --no-browser: %v", f.opened)
	}
}

func TestLoginOpensBrowser(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	go f.linkWhenReady(t)
	if code := f.run("login"); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	if len(f.opened) != 1 || !strings.Contains(f.opened[0], "/link/?pin=") || f.stdout.String() != "" {
		t.Fatalf("opened %v stdout %q", f.opened, f.stdout)
	}
}

// With --browser the countdown names no code: a strong PIN is long, is
// never typed, and was shown shortened ("code p0yah3y33ovryyz……").
func TestLoginWithBrowserCountdown(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	go f.linkWhenReady(t)
	if code := f.run("login", "--browser"); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	errText := f.stderr.String()
	if !strings.Contains(errText, "Sign in at: ") || !strings.Contains(errText, "Waiting for you to sign in in the browser… ") ||
		strings.Contains(errText, "Waiting for code") || strings.Contains(errText, "……") {
		t.Fatalf("stderr:\n%s", errText)
	}
	if len(f.opened) != 1 || !strings.Contains(f.opened[0], "/auth#") {
		t.Fatalf("opened %v, want the app's auth page", f.opened)
	}
}

func TestLoginWithoutKeychain(t *testing.T) {
	f := newFixture(t, keychaintest.Missing{})
	if code := f.run("login", "--no-browser"); code != ExitFailure {
		t.Fatalf("exit %d", code)
	}
	if len(f.sim.PINs()) != 0 || !strings.Contains(f.stderr.String(), "--print") {
		t.Fatalf("should fail before asking for a code, suggesting --print:\n%s", f.stderr)
	}
	f = newFixture(t, keychaintest.Missing{})
	go f.linkWhenReady(t)
	if code := f.run("login", "--no-browser", "--print"); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, f.stderr)
	}
	if !f.sim.TokenValid(strings.TrimSpace(f.stdout.String())) || !strings.Contains(f.stderr.String(), "Nothing was stored") {
		t.Fatalf("stdout %q stderr:\n%s", f.stdout, f.stderr)
	}
}

func TestLoginTimesOut(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if code := f.run("login", "--no-browser", "--timeout", "1500ms"); code != ExitNoSignIn {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(f.stderr.String(), "The time ran out (1.5s) before the code was entered") {
		t.Fatal(f.stderr)
	}
}

func TestTokenStatusLogout(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	if code := f.run("token"); code != ExitNotSignedIn {
		t.Fatalf("token with none stored: exit %d", code)
	}
	if code := f.run("status"); code != ExitNotSignedIn || !strings.Contains(f.stdout.String(), "Not signed in") {
		t.Fatalf("status: exit %d %q", code, f.stdout)
	}
	raw, _ := f.sim.NewToken("")
	kc.Set(context.Background(), plextv.Token(raw))

	f.stdout.b.Reset()
	if code := f.run("token"); code != ExitOK || f.stdout.String() != raw+"\n" {
		t.Fatalf("token: exit %d %q", code, f.stdout)
	}
	f.stdout.b.Reset()
	if code := f.run("status"); code != ExitOK || !strings.Contains(f.stdout.String(), "Signed in as Demo User") {
		t.Fatalf("status: exit %d %q", code, f.stdout)
	}
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Count: 1, Status: 503})
	if code := f.run("status"); code != ExitFailure {
		t.Fatalf("status with plex.tv down: exit %d", code)
	}
	if code := f.run("logout"); code != ExitOK {
		t.Fatalf("logout: exit %d\n%s", code, f.stderr)
	}
	if f.sim.TokenValid(raw) {
		t.Fatal("token still valid at plex.tv")
	}
	if _, err := stored(kc); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatal("token still stored")
	}
	if code := f.run("logout"); code != ExitNotSignedIn {
		t.Fatalf("second logout: exit %d", code)
	}
}

func TestStatusRejectedAndEnvToken(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	if code := f.run("status"); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	f.sim.RevokeToken(raw)
	if code := f.run("status"); code != ExitRejected {
		t.Fatalf("exit %d", code)
	}
}

func TestHelpAndUsage(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for _, cmd := range []string{"login", "token", "status", "logout", "servers"} {
		f.stdout.b.Reset()
		if code := f.run(cmd, "--help"); code != ExitOK || !strings.Contains(f.stdout.String(), "Usage:\n  plextray "+cmd) {
			t.Errorf("%s --help: exit %d %q", cmd, code, f.stdout)
		}
	}
	if code := f.run("nope"); code != ExitUsage {
		t.Fatalf("unknown command: exit %d", code)
	}
	if code := f.run("token", "extra"); code != ExitUsage {
		t.Fatalf("extra argument: exit %d", code)
	}
	f.stdout.b.Reset()
	if code := f.run("--version"); code != ExitOK || f.stdout.String() != "plextray test\n" {
		t.Fatalf("--version: %d %q", code, f.stdout)
	}
}

// An install from before tokens were kept by account has its token under
// "plex-token": after the upgrade every command still finds it, and the
// first command that hears from plex.tv whose it is files it under its
// account (the same token, nothing to sign in again).
func TestEarlierInstallsTokenKeepsWorking(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	raw, _ := f.sim.NewToken("")
	kc.Set(context.Background(), plextv.Token(raw)) // "plex-token", as earlier versions stored it
	if code := f.run("token"); code != ExitOK || f.stdout.String() != raw+"\n" {
		t.Fatalf("token before: exit %d %q\n%s", code, f.stdout, f.stderr)
	}
	if code := f.run("status"); code != ExitOK {
		t.Fatalf("status: exit %d\n%s", code, f.stderr)
	}
	if names, _ := kc.Names(context.Background()); len(names) != 1 || names[0] != keychain.AccountEntry(f.sim.DemoAccount().UUID) {
		t.Fatalf("entries after status: %v", names)
	}
	f.stdout.b.Reset()
	if code := f.run("token"); code != ExitOK || f.stdout.String() != raw+"\n" {
		t.Fatalf("token after: exit %d %q\n%s", code, f.stdout, f.stderr)
	}
}
