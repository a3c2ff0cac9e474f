package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/keychain"
)

// A wrong PIN typed on a terminal is asked for again, three tries in all.
func TestWrongPINAskedAgain(t *testing.T) {
	f := newHomeFixture(t, nil)
	io := f.io()
	io.ConfigDir = f.dir
	typed := []string{"1111", "2222", "1234"}
	asked := 0
	io.ReadSecret = func() (string, error) { asked++; return typed[asked-1], nil }
	if code := Run([]string{"switch", "Teen"}, io); code != ExitOK || asked != 3 {
		t.Fatalf("exit %d, asked %d\n%s", code, asked, f.stderr)
	}
	if msg := f.stderr.String(); !strings.Contains(msg, "Wrong PIN for Teen (2 tries left).") || !strings.Contains(msg, "Wrong PIN for Teen (1 try left).") {
		t.Fatalf("stderr %q", msg)
	}

	// Three wrong ones: exit 4, asked no more.
	f.stderr.b.Reset()
	Run([]string{"switch", "Kid"}, io)
	asked = 0
	typed = []string{"1", "2", "3", "1234"}
	if code := Run([]string{"switch", "Teen"}, io); code != ExitRejected || asked != 3 {
		t.Fatalf("three wrong: exit %d, asked %d\n%s", code, asked, f.stderr)
	}
	if msg := f.stderr.String(); !strings.Contains(msg, "wrong PIN for Teen") || !strings.Contains(msg, "Kid's token is still active") {
		t.Fatalf("stderr %q", msg)
	}

	// From stdin (a script), one try.
	f.stderr.b.Reset()
	io.ReadSecret = nil
	io.Stdin = strings.NewReader("0000\n1234\n")
	if code := Run([]string{"switch", "Teen"}, io); code != ExitRejected || strings.Contains(f.stderr.String(), "tries left") {
		t.Fatalf("stdin: exit %d\n%s", code, f.stderr)
	}
}

// linkNext links the next PIN the simulator hands out after the first n
// (for at most 10 s).
func (f *fixture) linkNext(t *testing.T, n int) {
	giveUp := time.After(10 * time.Second)
	for {
		if pins := f.sim.PINs(); len(pins) > n {
			if _, err := f.sim.LinkPIN(pins[len(pins)-1].Code, ""); err != nil {
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

// signedIn signs in with login and returns the stored token.
func signedIn(t *testing.T, f *fixture, kc keychain.Keyring) string {
	t.Helper()
	go f.linkWhenReady(t)
	if code := f.run("login", "--no-browser"); code != ExitOK {
		t.Fatalf("login: exit %d\n%s", code, f.stderr)
	}
	tok, err := stored(kc)
	if err != nil {
		t.Fatal(err)
	}
	f.stderr.b.Reset()
	return tok.Reveal()
}

// login while signed in says so, and wants --force when it can't ask.
func TestLoginWhileSignedIn(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	raw := signedIn(t, f, kc)

	if code := f.run("login", "--no-browser"); code != ExitUsage {
		t.Fatalf("not a terminal: exit %d", code)
	}
	if msg := f.stderr.String(); !strings.HasPrefix(msg, "plextray login: already signed in as Demo User") || !strings.Contains(msg, "--force") || len(f.sim.PINs()) != 1 {
		t.Fatalf("not a terminal: %q, %d PINs", msg, len(f.sim.PINs()))
	}

	io := f.io()
	var asked string
	io.Ask = func(q string) (string, error) { asked = q; return "n\n", nil }
	f.stderr.b.Reset()
	if code := Run([]string{"login", "--no-browser"}, io); code != ExitOK || !strings.Contains(asked, "Already signed in as Demo User. Sign in again?") || len(f.sim.PINs()) != 1 {
		t.Fatalf("declined: exit %d, asked %q, %d PINs", code, asked, len(f.sim.PINs()))
	}
	if got, _ := stored(kc); got.Reveal() != raw || !strings.Contains(f.stderr.String(), "still signed in") {
		t.Fatalf("declined: token %q, stderr %q", got.Reveal(), f.stderr)
	}

	io.Ask = func(q string) (string, error) { return "yes\n", nil }
	go f.linkNext(t, len(f.sim.PINs()))
	if code := Run([]string{"login", "--no-browser"}, io); code != ExitOK {
		t.Fatalf("yes: exit %d\n%s", code, f.stderr)
	}
	if got, _ := stored(kc); got.Reveal() == raw || !f.sim.TokenValid(got.Reveal()) {
		t.Fatal("yes: the token was not replaced")
	}
}

func TestLoginForce(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	raw := signedIn(t, f, kc)
	go f.linkNext(t, len(f.sim.PINs()))
	if code := f.run("login", "--no-browser", "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d\n%s", code, f.stderr)
	}
	if got, _ := stored(kc); got.Reveal() == raw {
		t.Fatal("--force: the token was not replaced")
	}
}

func TestBrowserSignInTimesOut(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if code := f.run("login", "--browser", "--no-browser", "--timeout", "1500ms"); code != ExitNoSignIn {
		t.Fatalf("exit %d", code)
	}
	if msg := f.stderr.String(); !strings.Contains(msg, "The time ran out (1.5s) before you signed in in the browser") || strings.Contains(msg, "code was not entered") {
		t.Fatal(msg)
	}
}

// status says "Not signed in." once, on stdout.
func TestStatusNotSignedInOnce(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	if code := f.run("status"); code != ExitNotSignedIn {
		t.Fatalf("exit %d", code)
	}
	all := f.stdout.String() + f.stderr.String()
	if strings.Count(strings.ToLower(all), "not signed in") != 1 || f.stderr.String() != "" {
		t.Fatalf("stdout %q stderr %q", f.stdout, f.stderr)
	}
}

func FuzzFailWords(f *testing.F) {
	f.Add("plex.tv user: dial tcp 127.0.0.1:9: connect: connection refused")
	f.Add("\x1b[31m\nx")
	f.Fuzz(func(t *testing.T, s string) {
		w := failWords(errors.New(s))
		if strings.ContainsAny(w, "\n\r\x1b") {
			t.Fatalf("failWords(%q) = %q", s, w)
		}
	})
}
