//go:build linux

// Package e2e drives the built tray binary on real desktop services
// (private D-Bus, gnome-keyring, Xvfb + xclip, a notification recorder, a
// fake xdg-open) through its tray menu, as a panel does, against the
// plex.tv simulator. See e2e/desktop for the harness.
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/plextvsim"
)

const wait = 20 * time.Second

var (
	buildOnce sync.Once
	binPath   string
	caPath    string
)

// binary builds cmd/tray once for the package, with the race detector.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plextray-e2e")
		if err != nil {
			t.Fatal(err)
		}
		caPath = filepath.Join(dir, "sim-ca.pem")
		if err := plextvsim.WriteCACert(caPath); err != nil {
			t.Fatal(err)
		}
		binPath = desktop.Build(&onceTB{TB: t, dir: dir}, "github.com/plextray/plextray/cmd/tray", "-race")
	})
	if binPath == "" {
		t.Fatal("build failed earlier")
	}
	return binPath
}

// onceTB gives Build a temp dir that outlives the first test.
type onceTB struct {
	testing.TB
	dir string
}

func (o *onceTB) TempDir() string { return o.dir }

func TestMain(m *testing.M) {
	code := m.Run()
	if caPath != "" {
		os.RemoveAll(filepath.Dir(caPath)) // not binPath's: that may be an installed binary
	}
	os.Exit(code)
}

// world is one test's simulator and desktop session. The harness scans
// the race reports of every process started with w.d.Env() (the tray and
// command-line runs alike) at teardown and fails the test on any race.
type world struct {
	t    *testing.T
	sim  *plextvsim.Sim
	d    *desktop.Desktop
	bin  string
	env  []string
	apps []*desktop.App
}

func newWorld(t *testing.T, opts desktop.Options, env ...string) *world {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	bin := binary(t)
	sim := plextvsim.StartForTest(t, plextvsim.Options{})
	if err := sim.AddDemoServers(); err != nil {
		t.Fatal(err)
	}
	d := desktop.Start(t, opts)
	w := &world{t: t, sim: sim, d: d, bin: bin}
	w.env = append([]string{
		"PLEXTRAY_PLEXTV_URL=" + sim.URL(),
		"PLEXTRAY_APP_URL=" + sim.URL(),
		"SSL_CERT_FILE=" + caPath,
		"PLEXTRAY_PROBE_TIMEOUT=1s",
	}, env...)
	return w
}

func (w *world) start() (*desktop.App, *desktop.Tray) {
	w.t.Helper()
	app := w.d.StartApp(w.t, w.bin, nil, w.env...)
	w.apps = append(w.apps, app)
	return app, app.Tray(w.t, wait)
}

func has(label string) func(desktop.MenuItem) bool {
	return func(m desktop.MenuItem) bool {
		it := m.Find(label)
		return it != nil && it.Visible
	}
}

func quit(t *testing.T, app *desktop.App, tr *desktop.Tray) {
	t.Helper()
	tr.ClickLabel(t, "Quit")
	code, err := app.Wait(wait)
	if err != nil || code != 0 {
		t.Fatalf("Quit: exit %d, %v\n%s", code, err, app.Output())
	}
}

// signIn clicks "Sign in with a code…", checks the side effects and links the
// code in the simulator as a person at plex.tv/link would.
func (w *world) signIn(tr *desktop.Tray) string {
	t := w.t
	t.Helper()
	tr.ClickLabel(t, "Sign in with a code…")
	opened := w.d.WaitOpenedURL(t, wait)
	prefix := w.sim.URL() + "/link/?pin="
	if !strings.HasPrefix(opened, prefix) {
		t.Fatalf("opened %q, want %s<code>", opened, prefix)
	}
	code := strings.TrimPrefix(opened, prefix)
	tr.WaitFor(t, "the code in the menu", has("Code: "+code), wait)
	tr.WaitFor(t, "Cancel sign-in", has("Cancel sign-in"), wait)
	if _, err := w.sim.LinkPIN(code, ""); err != nil {
		t.Fatal(err)
	}
	tr.WaitFor(t, "signed in", has("Signed in as Demo User"), wait)
	return code
}

// storedToken is the account's token in the keychain: under the demo
// account's entry, or the unconfirmed account's ("plex-token").
func (w *world) storedToken() string {
	for _, acct := range []string{w.sim.DemoAccount().UUID, ""} {
		if tok, err := w.d.SecretLookup("service", "plextray", "username", keychain.AccountEntry(acct)); err == nil && strings.TrimSpace(tok) != "" {
			return strings.TrimSpace(tok)
		}
	}
	return ""
}

// entries lists the account names of every plextray entry in the keychain.
func (w *world) entries() []string {
	out, _ := w.d.SecretSearch("plextray")
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if n, ok := strings.CutPrefix(strings.TrimSpace(l), "attribute.username = "); ok {
			names = append(names, n)
		}
	}
	return names
}

func (w *world) waitClipboard(desc string, ok func(string) bool) string {
	w.t.Helper()
	deadline := time.Now().Add(wait)
	var last string
	for time.Now().Before(deadline) {
		last, _ = w.d.Clipboard()
		if ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	w.t.Fatalf("clipboard: waited for %s, have %q", desc, last)
	return ""
}

func TestSignInCopyTokenServersRestartSignOut(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	tr.WaitFor(t, "signed-out menu", has("Sign in with a code…"), wait)
	// What the panel draws: read at once, since the menu is already there
	// (fyne.io/systray alone could drop what was set while it started).
	out, err := tr.Look()
	if err != nil || out.Title != "plextray" || out.Tooltip != "plextray — not signed in to Plex" || len(out.Icon) == 0 {
		t.Fatalf("signed-out look: title %q, tooltip %q, %d icon bytes, %v", out.Title, out.Tooltip, len(out.Icon), err)
	}

	code := w.signIn(tr)
	n := w.d.WaitNotification(t, func(n desktop.Notification) bool { return strings.Contains(n.Summary, code) }, wait)
	if n.AppName != "plextray" || !strings.Contains(n.Body, "/link/") {
		t.Fatalf("code notification %+v", n)
	}
	w.d.WaitNotification(t, func(n desktop.Notification) bool { return n.Summary == "Signed in as Demo User" }, wait)

	// The keychain holds a token plex.tv accepts.
	search, err := w.d.SecretSearch("plextray")
	if err != nil || !strings.Contains(search, "plextray") {
		t.Fatalf("secret-tool search: %v\n%s", err, search)
	}
	tok := w.storedToken()
	if !w.sim.TokenValid(tok) {
		t.Fatalf("stored token %q not valid at plex.tv", tok)
	}

	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the token", func(s string) bool { return s == tok })

	// Servers: the simulator's demo servers with their states.
	local := w.sim.FindPMS("Living Room").URL()
	tr.WaitFor(t, "servers checked", func(m desktop.MenuItem) bool {
		lr := m.Find("Living Room — local")
		return lr != nil && m.Find("Dad's Plex (shared) — relay") != nil && m.Find("Cabin — offline") != nil
	}, wait)
	// The icon and tooltip say signed in, and how the servers are.
	tr.WaitLook(t, "the signed-in icon and tooltip", func(l desktop.Look) bool {
		return l.Title == "plextray" && l.Tooltip == "plextray — signed in as Demo User — all good: 2 of 3 servers reachable, 1 offline at plex.tv" &&
			len(l.Icon) > 0 && !bytes.Equal(l.Icon, out.Icon)
	}, wait)
	// One click on the server's row copies its best URI, and a
	// notification says so (the click closed the menu).
	lay, _ := tr.Layout()
	lr := lay.Find("Living Room — local")
	if lr.Submenu || !lr.Enabled {
		t.Fatalf("Living Room's row is not a clickable leaf:\n%s", lay.Tree())
	}
	if err := tr.Click(lr.ID); err != nil {
		t.Fatal(err)
	}
	uri := w.waitClipboard("the best URI", func(s string) bool { return s == local })
	w.d.WaitNotification(t, func(n desktop.Notification) bool { return n.Summary == "Server URI copied" && n.Body == local }, wait)
	identityAnswers(t, uri)

	// Restart: still signed in, without a new sign-in.
	quit(t, app, tr)
	pins := len(w.sim.PINs())
	app, tr = w.start()
	tr.WaitFor(t, "signed in after restart", has("Signed in as Demo User"), wait)
	if len(w.sim.PINs()) != pins {
		t.Fatal("restart asked for a new PIN")
	}

	// A server that goes down shows as unreachable after "Check again".
	tr.WaitFor(t, "servers checked", has("Living Room — local"), wait)
	for _, name := range []string{"Living Room", "Living Room (remote)"} {
		if err := w.sim.FindPMS(name).SetBehavior(plextvsim.PMSBehavior{Down: true}); err != nil {
			t.Fatal(err)
		}
	}
	tr.ClickLabel(t, "Check again")
	// plex.tv still lists it as online, so it is this machine that can't
	// reach it, and the menu says so rather than "offline".
	tr.WaitFor(t, "Living Room unreachable", has("Living Room — unreachable from here"), wait)

	// Sign out: plex.tv invalidates the token, the keychain entry goes.
	tr.ClickLabel(t, "Sign out")
	tr.WaitFor(t, "signed out", has("Sign in with a code…"), wait)
	deadline := time.Now().Add(wait)
	for w.storedToken() != "" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if w.storedToken() != "" || w.sim.TokenValid(tok) {
		t.Fatal("token survived sign-out")
	}
	quit(t, app, tr)

	noTokenAnywhere(t, w, tok)
}

// identityAnswers checks that a copied URI answers as a Plex server.
func identityAnswers(t *testing.T, uri string) {
	t.Helper()
	pool, err := plextvsim.CACertPool()
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", uri+"/identity", nil)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s/identity: %v %v", uri, err, resp)
	}
	resp.Body.Close()
}

// noTokenAnywhere: not in the app's stdout or stderr, not in any file
// under its config/state/cache folders (logs included), not in the command
// line or environment of any process the harness started nor of any the app
// started (xdg-open, xclip: recorded by the harness's wrappers while they
// ran).
func noTokenAnywhere(t *testing.T, w *world, tok string) {
	t.Helper()
	seen, logs := noSecretLeft(t, w, tok, "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
	if seen["xdg-open"] == 0 || seen["xclip"] == 0 {
		t.Errorf("the app's children were not all seen (want xdg-open and xclip): %v", seen)
	}
	if logs == 0 {
		t.Error("no log file was written under XDG_STATE_HOME")
	}
}

// noSecretLeft is noTokenAnywhere's search for secret, in the files under
// the folders the environment variables dirs name; it returns how many
// children of the app it saw, by name, and how many log files it read.
func noSecretLeft(t *testing.T, w *world, secret string, dirs ...string) (map[string]int, int) {
	t.Helper()
	if secret == "" {
		t.Fatal("no token to look for")
	}
	tok := secret
	for _, p := range w.d.Processes() {
		if strings.Contains(strings.Join(p.Args, " "), tok) || strings.Contains(strings.Join(p.Env, " "), tok) {
			t.Errorf("token in process %s's command line or environment", p.Name)
		}
	}
	seen := map[string]int{}
	for _, p := range w.d.Children() {
		seen[p.Name]++
		if strings.Contains(strings.Join(p.Args, "\x00"), tok) || strings.Contains(strings.Join(p.Env, "\x00"), tok) {
			t.Errorf("token in the command line or environment of %s (pid %d), started by the app: %q", p.Name, p.PID, p.Args)
		}
	}
	for _, app := range w.apps {
		if strings.Contains(app.Stdout(), tok) || strings.Contains(app.Stderr(), tok) {
			t.Errorf("token in the output of %s:\n%s", app, app.Output())
		}
	}
	env := map[string]string{}
	for _, kv := range w.d.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	logs := 0
	for _, k := range dirs {
		filepath.WalkDir(env[k], func(path string, de os.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(path)
			if strings.Contains(string(b), tok) {
				t.Errorf("token in %s", path)
			}
			if strings.HasSuffix(path, ".log") {
				logs++
			}
			return nil
		})
	}
	return seen, logs
}

func TestOneClickSignInAndClipboardClears(t *testing.T) {
	w := newWorld(t, desktop.Options{}, "PLEXTRAY_CLEAR_CLIPBOARD=1s")
	app, tr := w.start()
	tr.ClickLabel(t, "Sign in with your browser's Plex session…")
	opened := w.d.WaitOpenedURL(t, wait)
	u, err := url.Parse(opened)
	if err != nil || !strings.HasPrefix(opened, w.sim.URL()+"/auth#?") {
		t.Fatalf("opened %q", opened)
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(u.Fragment, "?"))
	if q.Get("context[device][product]") != "plextray" || q.Get("clientID") == "" || len(q.Get("code")) < 20 {
		t.Fatalf("auth URL params %v", q)
	}
	if _, err := w.sim.LinkPIN(q.Get("code"), ""); err != nil {
		t.Fatal(err)
	}
	tr.WaitFor(t, "signed in", has("Signed in as Demo User"), wait)
	tok := w.storedToken()
	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the token", func(s string) bool { return s == tok })
	w.waitClipboard("the token cleared", func(s string) bool { return s == "" })

	// Something copied after the token is left alone.
	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the token", func(s string) bool { return s == tok })
	w.d.SetClipboard("mine")
	tr.WaitFor(t, "the clear timer ran", func(m desktop.MenuItem) bool { return m.Find("Token copied") == nil }, wait)
	if s, _ := w.d.Clipboard(); s != "mine" {
		t.Fatalf("clipboard %q: our timer cleared someone else's text", s)
	}
	quit(t, app, tr)
}

func TestCodeRenewalAndCancel(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	tr.ClickLabel(t, "Sign in with a code…")
	first := strings.TrimPrefix(w.d.WaitOpenedURL(t, wait), w.sim.URL()+"/link/?pin=")
	tr.WaitFor(t, "first code", has("Code: "+first), wait)
	if err := w.sim.ExpirePIN(first); err != nil {
		t.Fatal(err)
	}
	lay := tr.WaitFor(t, "a new code", func(m desktop.MenuItem) bool {
		it := m.Find("Code: ")
		return it != nil && !strings.Contains(it.Label, first)
	}, wait)
	second := strings.TrimSuffix(strings.TrimPrefix(lay.Find("Code: ").Label, "Code: "), " (click to copy)")
	w.d.WaitNotification(t, func(n desktop.Notification) bool {
		return strings.HasPrefix(n.Summary, "New code") && strings.Contains(n.Summary, second)
	}, wait)
	w.waitClipboard("the new code", func(s string) bool { return s == second })

	// A second click during the flow starts no second flow.
	pins := len(w.sim.PINs())
	tr.ClickLabel(t, "Cancel sign-in")
	tr.WaitFor(t, "cancelled", has("Sign-in cancelled."), wait)
	tr.WaitFor(t, "sign in offered again", has("Sign in with a code…"), wait)
	if len(w.sim.PINs()) != pins {
		t.Fatal("cancel created a PIN")
	}
	quit(t, app, tr)
}

func TestPlexTVFaultsDuringSignIn(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	tr.WaitFor(t, "signed out", has("Sign in with a code…"), wait)

	// plex.tv refuses to make a code (permanent): a clear message at once,
	// app alive. (A 5xx is waited out like every transient error.)
	w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCreatePIN, Count: 1, Status: 400})
	tr.ClickLabel(t, "Sign in with a code…")
	tr.WaitFor(t, "failure shown", has("Sign-in failed: plex.tv refused"), wait)
	tr.WaitLook(t, "the failure in full in the tooltip", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "Sign-in failed: plex.tv refused (HTTP 400)")
	}, wait)

	// While polling: 429, 5xx and garbage are waited out.
	w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Status: 429, RetryAfter: 1})
	w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Status: 503})
	w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointCheckPIN, Count: 1, Body: plextvsim.BodyTruncated})
	tr.ClickLabel(t, "Sign in with a code…")
	code := strings.TrimPrefix(w.d.WaitOpenedURL(t, wait), w.sim.URL()+"/link/?pin=")
	tr.WaitFor(t, "retry message", func(m desktop.MenuItem) bool {
		return m.Find("plex.tv asks to slow down (HTTP 429)") != nil || m.Find("plex.tv is having trouble (HTTP 503)") != nil ||
			m.Find("plex.tv's answer was unreadable") != nil
	}, wait)
	deadline := time.Now().Add(wait)
	for len(w.sim.Faults()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	w.sim.LinkPIN(code, "")
	tr.WaitFor(t, "signed in despite faults", has("Signed in as Demo User"), wait)
	quit(t, app, tr)

	// Start with plex.tv answering 500: the token is kept, not thrown away.
	tok := w.storedToken()
	w.sim.AddFault(plextvsim.Fault{Endpoint: plextvsim.EndpointUser, Status: 500})
	app, tr = w.start()
	tr.WaitFor(t, "unverified, kept", has("Signed in (not yet confirmed by plex.tv)"), wait)
	tr.WaitFor(t, "reason shown", has("plex.tv is having trouble (HTTP 500)"), wait)
	tr.WaitLook(t, "the whole sentence in the tooltip", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "plex.tv is having trouble (HTTP 500) — token kept, trying again in ")
	}, wait)
	if w.storedToken() != tok {
		t.Fatal("token dropped on a 500")
	}
	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the kept token", func(s string) bool { return s == tok })
	quit(t, app, tr)

	// Revoked: signed out, told why, entry removed.
	w.sim.ClearFaults()
	w.sim.RevokeToken(tok)
	app, tr = w.start()
	tr.WaitFor(t, "revoked", has("Plex revoked your token — sign in again"), wait)
	tr.WaitFor(t, "sign in offered", has("Sign in with a code…"), wait)
	if w.storedToken() != "" {
		t.Fatal("revoked token still stored")
	}
	quit(t, app, tr)
}

func TestNoKeychain(t *testing.T) {
	w := newWorld(t, desktop.Options{NoKeyring: true, NoServiceActivation: true})
	app, tr := w.start()
	tr.WaitFor(t, "keychain hint", has("Keychain: none; install gnome-keyring"), wait)
	w.signIn(tr)
	tr.WaitFor(t, "not saved", has("Token not saved: keychain unavailable"), wait)
	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the in-memory token", func(s string) bool { return w.sim.TokenValid(s) })
	quit(t, app, tr)
}

func TestNoNotificationsBrowserOrClipboardTool(t *testing.T) {
	w := newWorld(t, desktop.Options{NoNotifications: true, NoBrowser: true, NoClipboardTool: true})
	app, tr := w.start()
	tr.WaitFor(t, "clipboard hint", has("Clipboard: install xclip or wl-clipboard"), wait)
	tr.ClickLabel(t, "Sign in with a code…")
	lay := tr.WaitFor(t, "browser hint", has("No browser opened: use Copy link"), wait)
	code := strings.TrimSuffix(strings.TrimPrefix(lay.Find("Code: ").Label, "Code: "), " (click to copy)")
	if lay.Find("Copy link") == nil || len(code) != 4 {
		t.Fatalf("menu:\n%s", strings.Join(lay.Labels(), "\n"))
	}
	// The link and the code are in the tooltip.
	tr.WaitLook(t, "the link in the tooltip", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "open "+w.sim.URL()+"/link/?pin="+code+" and enter "+code)
	}, wait)
	w.sim.LinkPIN(code, "")
	tr.WaitFor(t, "signed in", has("Signed in as Demo User"), wait)
	tr.ClickLabel(t, "Copy token")
	tr.WaitFor(t, "copy failure shown", has("Couldn't copy the token"), wait)
	quit(t, app, tr)
}

// toggled: the checkbox label is shown with state (1 checked, 0 not).
func toggled(label string, state int) func(desktop.MenuItem) bool {
	return func(m desktop.MenuItem) bool {
		it := m.Find(label)
		return it != nil && it.ToggleState == state
	}
}

// TestStartAtLoginToggle clicks as soon as the item shows, before the app
// has shown anything else: a click the app is not yet listening for would
// be lost (fyne.io/systray drops it).
func TestStartAtLoginToggle(t *testing.T) {
	w := newWorld(t, desktop.Options{})
	app, tr := w.start()
	item := tr.ClickLabel(t, "Start at login")
	if item.ToggleType != "checkmark" {
		t.Fatalf("Start at login is not a checkbox: %+v", item)
	}
	var cfg string
	for _, kv := range w.d.Env() {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			cfg = v
		}
	}
	entry := filepath.Join(cfg, "autostart", "plextray.desktop")
	tr.WaitFor(t, "checked", toggled("Start at login", 1), wait)
	b, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(b), "Exec=") {
		t.Fatalf("autostart entry: %v\n%s", err, b)
	}
	tr.ClickLabel(t, "Start at login")
	tr.WaitFor(t, "unchecked", toggled("Start at login", 0), wait)
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Fatalf("entry still there: %v", err)
	}

	// About shows the version and opens the log folder.
	tr.ClickLabel(t, "About plextray 0.1.0")
	opened := w.d.WaitOpenedURL(t, wait)
	var state string
	for _, kv := range w.d.Env() {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			state = v
		}
	}
	if opened != filepath.Join(state, "plextray") {
		t.Fatalf("About opened %q, want the log folder under %s", opened, state)
	}
	if _, err := os.Stat(filepath.Join(opened, "plextray.log")); err != nil {
		t.Fatalf("no log in the folder About opens: %v", err)
	}
	quit(t, app, tr)
}
