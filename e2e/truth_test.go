//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/home"
)

// follow is how soon the tray must show what the command line did to the
// keychain and the config folder.
const follow = 5 * time.Second

// TestTrayFollowsTheCommandLine: with the tray running and the command
// line beside it, a sign-in from the command line (which, as on plex.tv,
// rotates the tray's token out: they share one client identifier), a
// profile switch and a sign-out each show in the tray within 5 s; the
// newest token stays in the keychain and Copy token copies it.
func TestTrayFollowsTheCommandLine(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	w.signIn(tr)
	first := w.storedToken()
	if !w.sim.TokenValid(first) {
		t.Fatal("the tray's token is not valid")
	}

	// plextray login, beside the running tray.
	cmd := exec.Command(w.bin, "login", "--no-browser", "--force")
	cmd.Env = w.d.Env(w.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	before := len(w.sim.PINs())
	done, second := startAndLinkAfter(t, w, cmd, &stderr, before)
	if err := <-done; err != nil {
		t.Fatalf("login: %v\n%s", err, stderr.String())
	}
	if w.sim.TokenValid(first) || !w.sim.TokenValid(second.AuthToken) {
		t.Fatal("the simulator did not rotate the first token out")
	}
	w.copiesWithin("the command line's new token", follow, tr, func(s string) bool { return s == second.AuthToken })
	if got := w.storedToken(); got != second.AuthToken {
		t.Fatalf("keychain holds %q, want the newest token", got)
	}

	// plextray switch Kid.
	if code, _, errOut := w.cli("", "switch", "Kid"); code != 0 {
		t.Fatalf("switch Kid: exit %d\n%s", code, errOut)
	}
	tr.WaitFor(t, "profile Kid in the tray", has("Signed in as Demo User · profile Kid"), follow)
	kid := w.copiesWithin("Kid's token", follow, tr, func(s string) bool { return s != "" && s != second.AuthToken && w.sim.TokenValid(s) })
	if who := w.whose(kid); who != "Kid" {
		t.Fatalf("Copy token copied %s's token", who)
	}
	if got := w.storedToken(); got != second.AuthToken {
		t.Fatal("the switch replaced the account's token")
	}

	// plextray logout.
	if code, _, errOut := w.cli("", "logout"); code != 0 {
		t.Fatalf("logout: exit %d\n%s", code, errOut)
	}
	tr.WaitFor(t, "signed out in the tray", has("Sign in with a code…"), follow)
	if left := w.entries(); len(left) != 0 {
		t.Fatalf("left in the keychain after logout: %v", left)
	}
	if w.sim.TokenValid(second.AuthToken) || w.sim.TokenValid(kid) {
		t.Fatal("tokens still valid at plex.tv after logout")
	}
	quit(t, app, tr)
}

// startAndLinkAfter is startAndLink for a world where n PINs were made
// already: it links the next one and returns it with its token.
func startAndLinkAfter(t *testing.T, w *world, cmd *exec.Cmd, stderr fmt.Stringer, n int) (<-chan error, pinWithToken) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(wait)
	for len(w.sim.PINs()) <= n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling a condition, bounded
	}
	pins := w.sim.PINs()
	if len(pins) != n+1 {
		cmd.Process.Kill()
		<-done // stderr is written until the command has exited
		t.Fatalf("PINs: %+v\n%s", pins, stderr)
	}
	tok, err := w.sim.LinkPIN(pins[n].Code, "")
	if err != nil {
		t.Fatal(err)
	}
	return done, pinWithToken{pins[n].Code, tok}
}

type pinWithToken struct{ Code, AuthToken string }

// copiesWithin clicks Copy token until the clipboard holds what ok wants,
// failing after d; it returns what was copied.
func (w *world) copiesWithin(desc string, d time.Duration, tr *desktop.Tray, ok func(string) bool) string {
	w.t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		lay, err := tr.Layout()
		if it := lay.Find("Copy token"); err == nil && it != nil && it.Visible && it.Enabled {
			if err := tr.Click(it.ID); err == nil {
				time.Sleep(100 * time.Millisecond) // let the copy land; bounded by the deadline
				if last, _ = w.d.Clipboard(); ok(last) {
					return last
				}
			}
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	w.t.Fatalf("Copy token: waited %s for %s, clipboard %q", d, desc, last)
	return ""
}

// TestLogoutLeavesNoEntry: `logout` removes every plextray entry from the
// keychain, also when profiles.json is damaged, and when two commands
// wrote profiles.json at once (each change kept, under the file lock).
func TestLogoutLeavesNoEntry(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	login := func() {
		t.Helper()
		cmd := exec.Command(w.bin, "login", "--no-browser")
		cmd.Env = w.d.Env(w.env...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		done, _ := startAndLinkAfter(t, w, cmd, &stderr, len(w.sim.PINs()))
		if err := <-done; err != nil {
			t.Fatalf("login: %v\n%s", err, stderr.String())
		}
	}
	configFile := filepath.Join(w.d.Dir(), "config", "plextray", home.StateFile)

	for _, damage := range []string{`{"active":`, "\x00\x01garbage"} {
		login()
		// Two commands at once each keep a profile's token.
		var wg sync.WaitGroup
		for _, p := range [][2]string{{"", "Kid"}, {"1234\n", "Teen"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, _, errOut := w.cli(p[0], "token", "--user", p[1]); code != 0 {
					t.Errorf("token --user %s: exit %d\n%s", p[1], code, errOut)
				}
			}()
		}
		wg.Wait()
		if n := len(w.entries()); n != 3 {
			t.Fatalf("entries after two profile tokens: %v", w.entries())
		}
		b, _ := os.ReadFile(configFile)
		for _, p := range w.sim.Homes()[0].Profiles {
			if !strings.Contains(string(b), p.UUID) {
				t.Fatalf("%s's entry lost from profiles.json (two writers at once):\n%s", p.Title, b)
			}
		}
		if err := os.WriteFile(configFile, []byte(damage), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := w.cli("", "logout"); code != 0 {
			t.Fatalf("logout with profiles.json %q: exit %d\n%s", damage, code, errOut)
		}
		if left := w.entries(); len(left) != 0 {
			t.Fatalf("left in the keychain after logout with profiles.json %q: %v", damage, left)
		}
		if code, _, _ := w.cli("", "token"); code != 3 {
			t.Fatalf("token after logout: exit %d, want 3", code)
		}
	}
}
