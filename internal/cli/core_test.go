package cli

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

func TestInvalidTimeoutsAreUsageErrors(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	for _, args := range [][]string{
		{"login", "--no-browser", "--timeout", "0"},
		{"login", "--no-browser", "--timeout", "-5s"},
		{"servers", "--timeout", "0"},
	} {
		f.settings.Token = "x"
		if code := f.run(args...); code != ExitUsage {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if len(f.sim.PINs()) != 0 {
		t.Fatal("a PIN was created")
	}
	io := f.io()
	_, io.SettingsErr = app.ParseSettings(func(k string) string {
		if k == app.EnvSigninTimeout {
			return "soon"
		}
		return ""
	})
	if code := Run([]string{"login", "--no-browser"}, io); code != ExitUsage || !strings.Contains(f.stderr.String(), "PLEXTRAY_SIGNIN_TIMEOUT") {
		t.Fatalf("bad env: exit %d\n%s", code, f.stderr)
	}
}

// A 401 while polling cannot get better: login stops at once, exit 4.
func TestLoginStopsOnPermanentError(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Status: 401})
	if code := f.run("login", "--no-browser", "--timeout", "5m"); code != ExitRejected {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "plex.tv refused") {
		t.Fatal(f.stderr)
	}
	f = newFixture(t, &keychain.Memory{})
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Status: 403})
	if code := f.run("login", "--no-browser"); code != ExitFailure || !strings.Contains(f.stderr.String(), "HTTP 403") {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
}

// The timeout bounds a create-PIN request that hangs: exit 5, not 1.
func TestLoginTimeoutBoundsHungCreate(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	f.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Hang: true})
	if code := f.run("login", "--no-browser", "--timeout", "1s"); code != ExitNoSignIn {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
}

// A setting works the same as the flag.
func TestSigninTimeoutSetting(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	f.settings.SigninTimeout = 1500 * time.Millisecond
	if code := f.run("login", "--no-browser"); code != ExitNoSignIn || !strings.Contains(f.stderr.String(), "The time ran out (1.5s) before the code was entered") {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestStdoutWriteErrorsFail(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	kc.Set(context.Background(), "tok")
	io := f.io()
	io.Stdout = failingWriter{}
	if code := Run([]string{"token"}, io); code == ExitOK {
		t.Fatal("token to a full disk exited 0")
	}
	if !strings.Contains(f.stderr.String(), "the disk is full") {
		t.Fatal(f.stderr)
	}
}

// keychainErr is a keychain that fails every call with err.
type keychainErr struct{ err error }

func (k keychainErr) Get(context.Context) (plextv.Token, error) { return "", k.err }
func (k keychainErr) Set(context.Context, plextv.Token) error   { return k.err }
func (k keychainErr) Delete(context.Context) error              { return k.err }
func (k keychainErr) Entry(string) keychain.Store               { return k }
func (k keychainErr) Names(context.Context) ([]string, error)   { return nil, k.err }

func TestLoginPrintWithoutKeychainMustWriteTheToken(t *testing.T) {
	f := newFixture(t, keychainErr{keychain.ErrNoSessionBus})
	go f.linkWhenReady(t)
	io := f.io()
	io.Stdout = failingWriter{}
	if code := Run([]string{"login", "--no-browser", "--print"}, io); code == ExitOK {
		t.Fatal("success reported though the token was lost")
	}
	if strings.Contains(f.stderr.String(), "Signed in as") || !strings.Contains(f.stderr.String(), "not stored") {
		t.Fatal(f.stderr)
	}
}

func TestKeychainErrorsNamed(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want []string
	}{
		{keychain.ErrNoSessionBus, []string{"no D-Bus session bus", "login --print", "PLEXTRAY_TOKEN"}},
		{keychain.ErrLocked, []string{"locked", "unlock"}},
	} {
		f := newFixture(t, keychainErr{tc.err})
		if code := f.run("token"); code != ExitFailure {
			t.Fatalf("%v: exit %d", tc.err, code)
		}
		msg := f.stderr.String()
		if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
			t.Errorf("%v: not one line: %q", tc.err, msg)
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: %q lacks %q", tc.err, msg, w)
			}
		}
	}
}

// The token command needs no client identifier: a broken plex.tv side
// does not block it.
func TestTokenNeedsNoSetup(t *testing.T) {
	kc := &keychain.Memory{}
	f := newFixture(t, kc)
	kc.Set(context.Background(), "tok")
	io := f.io()
	io.Setup = func(app.Settings) (*app.Env, error) { return nil, errors.New("client-id damaged") }
	if code := Run([]string{"token"}, io); code != ExitOK || f.stdout.String() != "tok\n" {
		t.Fatalf("exit %d %q", code, f.stdout)
	}
}

// A friend controls a shared server's name and sourceTitle: the table
// shows them as one clean, short line; --json keeps them whole.
func TestHostileServerNamesInTable(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	hostile := "Evil\nreachable (best)  1 ms  http://fake\x1b[2J\x1b]0;pwned\x07\u202e" + strings.Repeat("A", 10_000)
	owner := "dad\r\n\x1b[31m"
	f.sim.SetResources([]plextvsim.Resource{{
		Name: hostile, Provides: "server", ClientIdentifier: "cafe", SourceTitle: &owner, Presence: true,
		Connections: []plextvsim.Connection{{Protocol: "http", Address: "127.0.0.1", Port: 1, URI: "http://user:secret@127.0.0.1:1"}},
	}})
	raw, _ := f.sim.NewToken("")
	f.settings.Token = raw
	if code := f.run("servers", "--timeout", "300ms"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	out := f.stdout.String()
	if strings.ContainsAny(out, "\x1b\x07\r\u202e") || strings.Contains(out, "secret") || strings.Contains(out, "Evil\n") {
		t.Fatalf("unsafe table:\n%q", out)
	}
	head, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(head, "Evil reachable (best)") || !strings.Contains(head, "…") || len([]rune(head)) > 200 {
		t.Fatalf("heading %q", head)
	}

	f.stdout.b.Reset()
	if code := f.run("servers", "--json", "--timeout", "300ms"); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var list []struct {
		Name        string `json:"name"`
		SourceTitle string `json:"sourceTitle"`
	}
	if err := json.Unmarshal([]byte(f.stdout.String()), &list); err != nil || len(list) != 1 || list[0].Name != hostile || list[0].SourceTitle != owner {
		t.Fatalf("json keeps full values: %v %+v", err, list)
	}
}

// A bad --timeout is a usage error (2) whatever else is wrong: it is
// checked before the token is looked for, as 'uri' does.
func TestServersBadTimeoutBeforeToken(t *testing.T) {
	f := newFixture(t, &keychain.Memory{}) // not signed in: no token anywhere
	if code := f.run("servers", "--timeout", "0"); code != ExitUsage {
		t.Fatalf("servers --timeout 0 without a token: exit %d, want %d\n%s", code, ExitUsage, f.stderr)
	}
	f = newFixture(t, keychainErr{keychain.ErrNoSessionBus})
	if code := f.run("servers", "--timeout", "-1s"); code != ExitUsage {
		t.Fatalf("servers --timeout -1s without a keychain: exit %d, want %d\n%s", code, ExitUsage, f.stderr)
	}
}

// login's bad --timeout is a usage error (2) even when the plex.tv side
// can't be set up (a config folder that can't be written): the command
// line is wrong whatever else is.
func TestLoginBadTimeoutBeforeSetup(t *testing.T) {
	f := newFixture(t, &keychain.Memory{})
	io := f.io()
	io.Setup = func(app.Settings) (*app.Env, error) { return nil, errors.New("config folder: permission denied") }
	if code := Run([]string{"login", "--no-browser", "--timeout", "0"}, io); code != ExitUsage {
		t.Fatalf("login --timeout 0 with a failing setup: exit %d, want %d\n%s", code, ExitUsage, f.stderr)
	}
}
