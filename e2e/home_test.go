//go:build linux

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
	"github.com/plextray/plextray/internal/keychain"
	"github.com/plextray/plextray/internal/pinpage/chromiumtest"
	"github.com/plextray/plextray/internal/plextv"
)

// TestPlexHomeProfiles: sign in to an account with a Plex Home, switch to
// the protected profile through the local PIN page in a real headless
// Chromium (a wrong PIN first), copy its token, see the servers fetched
// again, switch back; then the command line on the same keychain and
// config folder: users, switch, token, token --user, a wrong PIN.
func TestPlexHomeProfiles(t *testing.T) {
	chromiumtest.Binary(t) // skip or fail before starting anything
	w := newWorld(t, desktop.Options{})
	homes := w.sim.Homes() // the demo servers come with the demo Home
	if len(homes) != 1 || len(homes[0].Profiles) != 2 {
		t.Fatalf("homes %+v", homes)
	}
	demo := homes[0]
	teen := demo.Profiles[1]
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	app, tr := w.start()
	w.signIn(tr)
	acct := w.storedToken()
	tr.WaitFor(t, "the Profile submenu", func(m desktop.MenuItem) bool {
		p := m.Find("Profile")
		return p != nil && p.Visible && p.Find("Teen (PIN)") != nil && p.Find("Kid") != nil && p.Find("Demo User (admin)") != nil
	}, wait)
	lay, _ := tr.Layout()
	// The profiles are one choice: radio items, the admin's chosen.
	for _, p := range []string{"Demo User (admin)", "Kid", "Teen (PIN)"} {
		if it := lay.Find(p); it == nil || it.ToggleType != "radio" || it.ToggleState != map[bool]int{true: 1, false: 0}[p == "Demo User (admin)"] {
			t.Fatalf("%s is not a radio item in the right state:\n%s", p, lay.Tree())
		}
	}
	tr.WaitFor(t, "servers checked", has("Living Room — local"), wait)
	resourcesBefore := w.resourceRequests()

	// Teen is protected: the PIN page opens in the browser.
	tr.ClickLabel(t, "Teen (PIN)")
	launch := w.d.WaitOpenedURL(t, wait)
	w.pinPage(launch)
	tr.WaitFor(t, "the menu asks for Teen's PIN", has("Enter Teen's PIN in your browser"), wait)

	browser := chromiumtest.Start(t, ctx)
	tab := browser.Open(ctx, launch)
	tab.WaitText(ctx, "Enter Teen's PIN")
	tab.Type(ctx, "input[name=pin]", "0000")
	tab.Click(ctx, "button[type=submit]")
	tab.WaitText(ctx, "Wrong PIN. 4 tries left.")
	tr.WaitFor(t, "wrong PIN in the menu", has("Wrong PIN for Teen"), wait)
	if lay, _ := tr.Layout(); lay.Find("Signed in as Demo User · profile") != nil {
		t.Fatal("a wrong PIN changed the active profile")
	}
	tab.Type(ctx, "input[name=pin]", "1234")
	tab.Click(ctx, "button[type=submit]")
	tab.WaitText(ctx, "Switched to Teen")
	lay = tr.WaitFor(t, "profile Teen active", has("Signed in as Demo User · profile Teen"), wait)
	if it, admin := lay.Find("Teen (PIN)"), lay.Find("Demo User (admin)"); it == nil || it.ToggleState != 1 || admin.ToggleState != 0 {
		t.Fatalf("Teen not the one chosen:\n%s", lay.Tree())
	}

	// Copy token: Teen's, as plex.tv and the keychain know it.
	tr.ClickLabel(t, "Copy token")
	tok := w.waitClipboard("Teen's token", func(s string) bool { return s != acct && w.sim.TokenValid(s) })
	if who := w.whose(tok); who != "Teen" {
		t.Fatalf("copied token belongs to %q", who)
	}
	if kept, _ := w.d.SecretLookup("service", "plextray", "username", keychain.ProfileEntry(w.sim.DemoAccount().UUID, teen.UUID)); strings.TrimSpace(kept) != tok {
		t.Fatal("Teen's token is not in the keychain under its own entry")
	}
	if w.storedToken() != acct {
		t.Fatal("the account's token was replaced")
	}
	// The servers were fetched again, with Teen's token.
	deadline := time.Now().Add(wait)
	for w.resourceRequests() <= resourcesBefore && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	if w.resourceRequests() <= resourcesBefore {
		t.Fatal("servers not fetched again after the switch")
	}
	tr.WaitFor(t, "servers for Teen", has("Living Room — local"), wait)

	// Switch back: one click.
	tr.ClickLabel(t, "Switch back to Demo User")
	tr.WaitFor(t, "the account's token active", func(m desktop.MenuItem) bool {
		s := m.Find("Signed in as Demo User")
		return s != nil && s.Label == "Signed in as Demo User"
	}, wait)
	tr.ClickLabel(t, "Copy token")
	w.waitClipboard("the account's token", func(s string) bool { return s == acct })
	// The earlier page, reloaded, still says how it ended.
	tab.Reload(ctx)
	tab.WaitText(ctx, "Switched to Teen")

	// Teen again, and 6 wrong PINs: only 5 reach plex.tv, the page closes
	// and says so, and so do the menu and a notification.
	tr.ClickLabel(t, "Teen (PIN)")
	page := w.pinPage(w.d.WaitOpenedURL(t, wait))
	switchesBefore := w.switchRequests()
	for i := range 6 {
		w.postPIN(page, fmt.Sprintf("%04d", 9000+i))
	}
	tr.WaitFor(t, "too many wrong PINs in the menu", has("Too many wrong PINs for Teen"), wait)
	w.d.WaitNotification(t, func(n desktop.Notification) bool { return n.Summary == "Too many wrong PINs for Teen" }, wait)
	if n := w.switchRequests() - switchesBefore; n != 5 {
		t.Fatalf("%d PINs reached plex.tv from one page, want 5", n)
	}
	tab = browser.Open(ctx, page)
	tab.WaitText(ctx, "Too many wrong PINs")
	if lay, _ := tr.Layout(); lay.Find("Signed in as Demo User · profile") != nil {
		t.Fatal("wrong PINs changed the active profile")
	}

	// Kid (no PIN) at once; its token, revoked at plex.tv, is found out by
	// the next server check (so the check uses it) and dropped for the
	// account's own.
	tr.ClickLabel(t, "Kid")
	tr.WaitFor(t, "profile Kid active", has("Signed in as Demo User · profile Kid"), wait)
	tr.ClickLabel(t, "Copy token")
	kidTok := w.waitClipboard("Kid's token", func(s string) bool { return s != acct && s != tok && w.sim.TokenValid(s) })
	w.sim.RevokeToken(kidTok)
	tr.ClickLabel(t, "Check again")
	tr.WaitFor(t, "fallback said", has("plex.tv no longer accepts Kid's token"), wait)
	tr.WaitLook(t, "the fallback in full in the tooltip", func(l desktop.Look) bool {
		return strings.Contains(l.Tooltip, "plex.tv no longer accepts Kid's token — back to your own")
	}, wait)
	w.d.WaitNotification(t, func(n desktop.Notification) bool { return strings.Contains(n.Summary, "Kid") }, wait)
	if w.storedToken() != acct {
		t.Fatal("the account's token was dropped with the profile's")
	}
	quit(t, app, tr)

	// The command line, on the same keychain and config folder.
	if code, out, errOut := w.cli("", "users"); code != 0 || !strings.Contains(out, "Teen") || !strings.Contains(out, "yes") {
		t.Fatalf("users: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := w.cli("", "switch", "Kid"); code != 0 {
		t.Fatalf("switch Kid: exit %d\n%s", code, errOut)
	}
	_, kidOut, _ := w.cli("", "token")
	if w.whose(strings.TrimSpace(kidOut)) != "Kid" {
		t.Fatal("token after `switch Kid` is not Kid's")
	}
	if _, out, _ := w.cli("", "status"); !strings.Contains(out, "Active profile: Kid") {
		t.Fatalf("status: %q", out)
	}
	if code, teenOut, errOut := w.cli("", "token", "--user", "teen"); code != 0 || strings.TrimSpace(teenOut) != tok {
		t.Fatalf("token --user teen: exit %d\n%s", code, errOut)
	}
	// A Teen token plextray does not have yet: forget it, ask with the PIN on stdin.
	clear := exec.Command("secret-tool", "clear", "service", "plextray", "username", keychain.ProfileEntry(w.sim.DemoAccount().UUID, teen.UUID))
	clear.Env = w.d.Env()
	if out, err := clear.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v\n%s", err, out)
	}
	code, teenOut, errOut := w.cli("1234\n", "token", "--user", "Teen")
	if code != 0 || w.whose(strings.TrimSpace(teenOut)) != "Teen" {
		t.Fatalf("token --user Teen with the PIN on stdin: exit %d\n%s", code, errOut)
	}
	code, _, errOut = w.cli("9999\n", "switch", "Teen")
	if code != 4 || !strings.Contains(errOut, "wrong PIN for Teen") {
		t.Fatalf("wrong PIN: exit %d\n%s", code, errOut)
	}
	if _, now, _ := w.cli("", "token"); now != kidOut {
		t.Fatal("a wrong PIN changed the active profile")
	}

	// The tray starts with the CLI's active profile.
	app, tr = w.start()
	tr.WaitFor(t, "profile Kid after restart", has("Signed in as Demo User · profile Kid"), wait)
	tr.ClickLabel(t, "Sign out")
	tr.WaitFor(t, "signed out", has("Sign in with a code…"), wait)
	// The menu says signed out at once; the keychain entries go in the
	// background (after plex.tv is told), so wait for that with a deadline.
	left := func() string {
		for _, p := range demo.Profiles {
			if s, err := w.d.SecretLookup("service", "plextray", "username", keychain.ProfileEntry(w.sim.DemoAccount().UUID, p.UUID)); err == nil && strings.TrimSpace(s) != "" {
				return p.Title
			}
		}
		return ""
	}
	until := time.Now().Add(wait)
	for left() != "" && time.Now().Before(until) {
		time.Sleep(50 * time.Millisecond)
	}
	if who := left(); who != "" {
		t.Fatalf("%s's token left in the keychain after sign-out", who)
	}
	quit(t, app, tr)
	if v := w.sim.Violations(); len(v) > 0 {
		t.Fatalf("violations: %+v", v)
	}
}

// cli runs the binary with args and stdin (not a terminal).
func (w *world) cli(stdin string, args ...string) (code int, stdout, stderr string) {
	w.t.Helper()
	cmd := exec.Command(w.bin, args...)
	cmd.Env = w.d.Env(w.env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	} else if err != nil {
		w.t.Fatalf("%v: %v", args, err)
	}
	return 0, out.String(), errb.String()
}

// whose asks the simulator (over the real client) whose token tok is.
func (w *world) whose(tok string) string {
	w.t.Helper()
	c, err := plextv.New(w.sim.URL(), plextv.Info{Product: "plextray", Version: "e2e", ClientIdentifier: "e2e-home-test"})
	if err != nil {
		w.t.Fatal(err)
	}
	u, err := c.User(context.Background(), plextv.Token(tok))
	if err != nil {
		w.t.Fatalf("whose token: %v", err)
	}
	return u.DisplayName()
}

// resourceRequests counts the resources requests plex.tv answered.
// pinPage checks the address the tray gave the browser: a launch file,
// readable by the user only, that leads to the PIN page; and that the
// page's own secret address was on no command line of a program the tray
// started. It returns the page's address.
func (w *world) pinPage(launch string) string {
	t := w.t
	t.Helper()
	lu, err := url.Parse(launch)
	if err != nil || lu.Scheme != "file" {
		t.Fatalf("the browser was given %q, want the PIN page's launch file", launch)
	}
	for path, want := range map[string]os.FileMode{lu.Path: 0o600, filepath.Dir(lu.Path): 0o700 | os.ModeDir} {
		if fi, err := os.Lstat(path); err != nil || fi.Mode() != want {
			t.Fatalf("%s: %v %v, want %v", path, fi.Mode(), err, want)
		}
	}
	b, err := os.ReadFile(lu.Path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`url=(http://127\.0\.0\.1:[0-9]+/[A-Za-z0-9_-]{43})"`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("the launch file leads nowhere:\n%s", b)
	}
	pu, _ := url.Parse(m[1])
	secret := strings.TrimPrefix(pu.Path, "/")
	children := w.d.Children()
	if len(children) == 0 {
		t.Fatal("no opener run was recorded")
	}
	for _, c := range children {
		if strings.Contains(strings.Join(c.Args, " "), secret) || strings.Contains(strings.Join(c.Env, " "), secret) {
			t.Fatalf("the page's secret address is visible in %s's command line or environment: %q", c.Name, c.Args)
		}
	}
	return m[1]
}

// postPIN sends a PIN to the page as its form does, and follows it to
// the page's answer.
func (w *world) postPIN(page, pin string) {
	w.t.Helper()
	pu, _ := url.Parse(page)
	req, _ := http.NewRequest("POST", page, strings.NewReader(url.Values{"pin": {pin}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+pu.Host)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	// Wait for the check to end: the page shows the form, or has closed.
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		resp, err := http.Get(page)
		if err != nil {
			w.t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "Checking the PIN") {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling a condition, bounded
	}
	w.t.Fatal("the PIN page kept checking")
}

// switchRequests counts the profile switches plex.tv was asked for.
func (w *world) switchRequests() int {
	n := 0
	for _, r := range w.sim.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/switch") {
			n++
		}
	}
	return n
}

func (w *world) resourceRequests() int {
	n := 0
	for _, r := range w.sim.Requests() {
		if strings.HasPrefix(r.Path, "/api/v2/resources") && r.Status == 200 {
			n++
		}
	}
	return n
}
