package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/internal/app"
	"github.com/plextray/plextray/internal/home"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/lastcheck"
	"github.com/plextray/plextray/internal/plextv"
	"github.com/plextray/plextray/internal/plextvsim"
)

const (
	trayAcct    = "0a1b2c3d4e5f6a7b"
	trayProfile = "1b2c3d4e5f6a7b8c"
)

// trayFixture is a config folder as a running tray leaves it: profiles.json
// naming the account (and active profile), the tray's last check, and
// TrayLock held. Setup fails the test's command if it is called: the
// tray's answer needs neither plex.tv nor the keychain.
type trayFixture struct {
	dir            string
	kc             *keychain.Memory
	rec            lastcheck.Record
	now            time.Time
	setups         int
	stdout, stderr *syncBuf
	settings       app.Settings
	// env, when set, is what Setup gives (a check of its own can run).
	env func(app.Settings) (*app.Env, error)
}

func newTrayFixture(t *testing.T) *trayFixture {
	t.Helper()
	f := &trayFixture{dir: t.TempDir(), kc: &keychain.Memory{}, now: time.Date(2026, 12, 2, 14, 32, 0, 0, time.UTC), stdout: newSyncBuf(), stderr: newSyncBuf()}
	f.rec = lastcheck.Record{
		Account: trayAcct, Network: lastcheck.Network(), Checked: f.now.Add(-3 * time.Minute),
		Servers: []lastcheck.Server{
			{Name: "Living Room", ClientIdentifier: "lr-id", Owned: true, URI: "https://192-168-1-20.abc.plex.direct:32400", Class: "local", Protocol: "https", LatencyMs: 2.5, DecidedMs: 4},
			{Name: "Dad's Plex", ClientIdentifier: "dad-id", URI: "https://relay.example:8443", Class: "relay", Protocol: "https", LatencyMs: 80, DecidedMs: 900},
			{Name: "Cabin", ClientIdentifier: "cabin-id", Owned: true}, // no URI found
		},
	}
	for _, e := range []string{keychain.AccountEntry(trayAcct), keychain.ProfileEntry(trayAcct, trayProfile)} {
		if err := f.kc.Entry(e).Set(t.Context(), plextv.Token("stored-token-"+e[len(e)-4:])); err != nil {
			t.Fatal(err)
		}
	}
	f.profiles(t, nil)
	release, err := lastcheck.Hold(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return f
}

func (f *trayFixture) profiles(t *testing.T, active *home.Active) {
	t.Helper()
	if _, err := home.Update(t.Context(), f.dir, func(hf *home.File) {
		hf.Account = trayAcct
		hf.Change(trayAcct, func(st *home.State) {
			if active == nil {
				st.Active = nil
			} else {
				st.Switched(*active)
			}
		})
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *trayFixture) run(t *testing.T, args ...string) int {
	t.Helper()
	if err := lastcheck.Write(f.dir, f.rec); err != nil {
		t.Fatal(err)
	}
	f.stdout, f.stderr = newSyncBuf(), newSyncBuf()
	return Run(args, IO{
		Prog: "plextray", Stdout: f.stdout, Stderr: f.stderr, Settings: f.settings,
		ConfigDir: f.dir, Keychain: f.kc,
		Now: func() time.Time { return f.now },
		Setup: func(s app.Settings) (*app.Env, error) {
			f.setups++
			if f.env != nil {
				return f.env(s)
			}
			return nil, errors.New("checked itself")
		},
	})
}

func TestURIAnswersFromTheTraysCheck(t *testing.T) {
	f := newTrayFixture(t)
	if code := f.run(t, "uri", "dad's plex"); code != ExitOK || f.stdout.String() != "https://relay.example:8443\n" || f.setups != 0 {
		t.Fatalf("exit %d, stdout %q, setups %d\n%s", code, f.stdout, f.setups, f.stderr)
	}
	// No name: the first owned one, said as a check of its own says it.
	if code := f.run(t, "uri"); code != ExitOK || f.stdout.String() != f.rec.Servers[0].URI+"\n" {
		t.Fatalf("exit %d, stdout %q\n%s", code, f.stdout, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "Living Room: the first server you own") {
		t.Fatalf("stderr %q", f.stderr)
	}
	if code := f.run(t, "uri", "lr-id", "--json"); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, f.stderr)
	}
	var got uriJSON
	if err := json.Unmarshal([]byte(f.stdout.String()), &got); err != nil {
		t.Fatal(err)
	}
	if got.URI != f.rec.Servers[0].URI || got.Kind != "best" || got.Class != "local" || got.Protocol != "https" ||
		got.LatencyMs == nil || *got.LatencyMs != 2.5 || got.DecidedMs == nil || !got.CheckedAt.Equal(f.rec.Checked) {
		t.Fatalf("%+v", got)
	}
	if f.setups != 0 {
		t.Fatalf("checked itself %d times", f.setups)
	}
	// --verbose says where the answer came from, and why not.
	if code := f.run(t, "uri", "--verbose", "lr-id"); code != ExitOK || !strings.Contains(f.stderr.String(), "plextray uri: from the tray's check at ") {
		t.Fatalf("exit %d, stderr %q", code, f.stderr)
	}
	f.rec.Network = "0123456789abcdef0123456789abcdef"
	f.run(t, "uri", "--verbose", "lr-id")
	if !strings.Contains(f.stderr.String(), "plextray uri: not the tray's check (the check ran on another network): checking now") {
		t.Fatalf("stderr %q", f.stderr)
	}
}

// Every reason the tray's check is not the answer sends uri to a check of
// its own (Setup called), never to a wrong answer.
func TestURIChecksItselfUnlessTheTraysCheckIsCurrent(t *testing.T) {
	profile := &home.Active{UUID: trayProfile, Title: "Kid"}
	for _, c := range []struct {
		name  string
		args  []string
		setup func(*testing.T, *trayFixture)
	}{
		{"--check", []string{"uri", "--check"}, nil},
		{"PLEXTRAY_TOKEN", []string{"uri"}, func(_ *testing.T, f *trayFixture) { f.settings.Token = "another-accounts-token" }},
		{"another network", []string{"uri"}, func(_ *testing.T, f *trayFixture) { f.rec.Network = "0123456789abcdef0123456789abcdef" }},
		{"too old", []string{"uri"}, func(_ *testing.T, f *trayFixture) { f.rec.Checked = f.now.Add(-13 * time.Minute) }},
		{"dated ahead", []string{"uri"}, func(_ *testing.T, f *trayFixture) { f.rec.Checked = f.now.Add(time.Hour) }},
		{"another account", []string{"uri"}, func(_ *testing.T, f *trayFixture) { f.rec.Account = "fedcba9876543210" }},
		{"profile switched since", []string{"uri"}, func(t *testing.T, f *trayFixture) { f.profiles(t, profile) }},
		{"no URI in that check", []string{"uri", "Cabin"}, nil},
		{"unknown server", []string{"uri", "Attic"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newTrayFixture(t)
			if c.setup != nil {
				c.setup(t, f)
			}
			f.run(t, c.args...)
			if f.setups != 1 || f.stdout.String() != "" {
				t.Fatalf("setups %d, stdout %q: want a check of its own\n%s", f.setups, f.stdout, f.stderr)
			}
		})
	}

	t.Run("the profile's own check", func(t *testing.T) {
		f := newTrayFixture(t)
		f.profiles(t, profile)
		f.rec.Profile = trayProfile
		if code := f.run(t, "uri", "Living Room"); code != ExitOK || f.setups != 0 {
			t.Fatalf("exit %d, setups %d\n%s", code, f.setups, f.stderr)
		}
	})
	t.Run("no tray", func(t *testing.T) {
		f := newTrayFixture(t)
		dir := t.TempDir() // the same folder, but no tray holds its lock
		f.dir = dir
		f.profiles(t, nil)
		f.run(t, "uri", "Living Room")
		if f.setups != 1 {
			t.Fatalf("answered without a tray running: %q", f.stdout)
		}
	})
}

// With plex.tv down (a transient failure), uri answers from the running
// tray's check however old it is, as the tray's menu still does, and
// says so; not with --check, and not from another network's check.
func TestURIFallsBackToTheTraysCheckWhilePlexTVIsDown(t *testing.T) {
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if err := sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointResources, Status: 503}); err != nil {
		t.Fatal(err)
	}
	setup := func(s app.Settings) (*app.Env, error) {
		info := app.Identity("test", "cli-test-client")
		c, err := plextv.New(sim.URL(), info)
		if err != nil {
			return nil, err
		}
		return &app.Env{Version: "test", Settings: s, Info: info, PlexTV: c}, nil
	}
	fixture := func(t *testing.T) *trayFixture {
		f := newTrayFixture(t)
		f.rec.Checked = f.now.Add(-2 * time.Hour) // too old to answer at once
		f.env = setup
		return f
	}

	f := fixture(t)
	if code := f.run(t, "uri", "Living Room"); code != ExitOK || f.stdout.String() != f.rec.Servers[0].URI+"\n" || f.setups != 1 {
		t.Fatalf("exit %d, stdout %q, setups %d\n%s", code, f.stdout, f.setups, f.stderr)
	}
	want := "plextray uri: plex.tv is having trouble (HTTP 503); this is the tray's check from " + f.rec.Checked.Local().Format("15:04") + ".\n"
	if f.stderr.String() != want {
		t.Fatalf("stderr %q, want %q", f.stderr, want)
	}

	f = fixture(t)
	if code := f.run(t, "uri", "--check", "Living Room"); code != ExitFailure || f.stdout.String() != "" {
		t.Fatalf("--check: exit %d, stdout %q\n%s", code, f.stdout, f.stderr)
	}
	f = fixture(t)
	f.rec.Network = "0123456789abcdef0123456789abcdef"
	if code := f.run(t, "uri", "Living Room"); code != ExitFailure || f.stdout.String() != "" {
		t.Fatalf("another network: exit %d, stdout %q\n%s", code, f.stdout, f.stderr)
	}
	if !strings.Contains(f.stderr.String(), "plex.tv is having trouble (HTTP 503)") {
		t.Fatalf("stderr %q", f.stderr)
	}
}
