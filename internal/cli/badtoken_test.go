package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

// A token plex.tv sends with characters no token has is never printed
// raw nor stored: `login` says so and stores nothing, `token --server`
// says so and prints nothing.
func TestTokensThatAreNotTokens(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	f.sim.SetNextTokens("\x1b]0;pwned\x07")
	go f.linkWhenReady(t)
	if code := f.run("login", "--print", "--no-browser"); code != ExitFailure {
		t.Fatalf("login: exit %d\n%s", code, f.stderr)
	}
	if _, err := kc.Get(context.Background()); !errors.Is(err, keychain.ErrNotFound) {
		t.Fatalf("something was stored: %v", err)
	}
	if f.stdout.String() != "" || strings.Contains(f.stderr.String(), "\x1b") || !strings.Contains(f.stderr.String(), "no token has") {
		t.Fatalf("login: stdout %q stderr %q", f.stdout, f.stderr)
	}

	good, _ := f.sim.NewToken("")
	kc.Set(context.Background(), plextv.Token(good))
	f.sim.AddResource(plextvsim.Resource{Name: "Evil", Provides: "server", ClientIdentifier: "evil", AccessToken: "\x1b]0;pwned\x07"})
	f.stdout, f.stderr = newSyncBuf(), newSyncBuf()
	if code := f.run("token", "--server", "Evil"); code != ExitFailure {
		t.Fatalf("token --server: exit %d\n%s", code, f.stderr)
	}
	if f.stdout.String() != "" || strings.Contains(f.stderr.String(), "\x1b") || !strings.Contains(f.stderr.String(), "no token has") {
		t.Fatalf("token --server: stdout %q stderr %q", f.stdout, f.stderr)
	}
}

// With a locked keyring, `login --print` still prints the token and says
// the keyring is locked, not that there is no keychain.
func TestLoginPrintLockedKeyring(t *testing.T) {
	f := newFixture(t, keychainErr{keychain.ErrLocked})
	go f.linkWhenReady(t)
	if code := f.run("login", "--print", "--no-browser"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	msg := f.stderr.String()
	if !f.sim.TokenValid(strings.TrimSpace(f.stdout.String())) || !strings.Contains(msg, "Nothing was stored: the keyring is locked") ||
		strings.Contains(msg, "no keychain") {
		t.Fatalf("stdout %q stderr:\n%s", f.stdout, msg)
	}
}

// `servers --timeout` and `uri --timeout` bound asking plex.tv for the
// list too: a hung plex.tv is the same failure as any other, reported
// long before the 15 s a single plex.tv call may otherwise take.
func TestServersTimeoutBoundsTheList(t *testing.T) {
	for _, cmd := range []string{"servers", "uri"} {
		f := newFixture(t, &keychain.Memory{})
		good, _ := f.sim.NewToken("")
		f.kc.Entry(keychain.Account).Set(context.Background(), plextv.Token(good))
		f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Hang: true})
		done := make(chan int, 1)
		go func() { done <- f.run(cmd, "--timeout", "200ms") }()
		select {
		case code := <-done:
			if code != ExitFailure || !strings.Contains(f.stderr.String(), "plex.tv") {
				t.Fatalf("%s: exit %d\n%s", cmd, code, f.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s --timeout 200ms still waiting for plex.tv after 10 s", cmd)
		}
	}
}
