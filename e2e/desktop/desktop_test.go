//go:build linux

package desktop_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plextray/plextray/e2e/desktop"
)

// Values minitray uses (testdata/minitray/main.go).
const (
	clipText      = "minitray clipboard text"
	openURL       = "https://example.com/minitray?x=1"
	notifySummary = "minitray title"
	notifyBody    = "minitray body"
	secretService = "minitray"
	secretUser    = "minitray-user"
	secretValue   = "s3cret value"

	wait = 10 * time.Second
)

var minitray string // path of the built test program

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "minitray-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	minitray = filepath.Join(dir, "minitray")
	out, err := exec.Command("go", "build", "-o", minitray, "./testdata/minitray").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building minitray: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startMinitray starts minitray in d and waits for its menu.
func startMinitray(t *testing.T, d *desktop.Desktop) (*desktop.App, *desktop.Tray) {
	t.Helper()
	app := d.StartApp(t, minitray, nil, "MINITRAY_EXTRA=1")
	tray := app.Tray(t, wait)
	tray.WaitFor(t, "the Quit item", func(m desktop.MenuItem) bool { return m.Find("Quit") != nil }, wait)
	return app, tray
}

func quit(t *testing.T, app *desktop.App, tray *desktop.Tray) {
	t.Helper()
	tray.ClickLabel(t, "Quit")
	code, err := app.Wait(wait)
	if err != nil || code != 0 {
		t.Fatalf("minitray exit = %d, %v; want 0\n%s", code, err, app.Output())
	}
	if !strings.Contains(app.Stdout(), "bye") {
		t.Errorf("minitray did not run onExit; output:\n%s", app.Output())
	}
}

func TestEverything(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{})
	app, tray := startMinitray(t, d)

	// Menu as a panel reads it; the submenu child is there.
	root, err := tray.Layout()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Hello", "Sub", "  Child", "---", "Copy", "Notify", "Open", "Store", "---", "Quit"}
	if got := root.Labels(); !reflect.DeepEqual(got, want) {
		t.Errorf("labels:\n got %q\nwant %q\n%s", got, want, root.Tree())
	}
	sub := root.Find("Sub")
	if sub == nil || !sub.Submenu || len(sub.Children) != 1 || sub.Children[0].Label != "Child" {
		t.Errorf("Sub = %+v; want a submenu with Child", sub)
	}
	if m := root.Find("Qu"); m == nil || m.Label != "Quit" {
		t.Errorf("prefix Find(Qu) = %+v", m)
	}
	// Read at once, not waited for: minitray sets them before its menu,
	// and the menu is there.
	if l, err := tray.Look(); err != nil || l.Title != "minitray" || l.Tooltip != "minitray tooltip" ||
		l.IconW <= 0 || len(l.Icon) != int(4*l.IconW*l.IconH) {
		t.Errorf("look = title %q, tooltip %q, icon %dx%d (%d bytes), %v", l.Title, l.Tooltip, l.IconW, l.IconH, len(l.Icon), err)
	}

	// Clicks, including one in the submenu.
	tray.ClickLabel(t, "Hello")
	app.WaitOutput(t, "hello clicked", wait)
	tray.ClickLabel(t, "Child")
	app.WaitOutput(t, "child clicked", wait)

	// Clipboard: the app copies through xclip on the harness's display.
	tray.ClickLabel(t, "Copy")
	app.WaitOutput(t, "copied", wait)
	if got, err := d.Clipboard(); err != nil || got != clipText {
		t.Errorf("clipboard = %q, %v; want %q", got, err, clipText)
	}
	if err := d.SetClipboard("from the test"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.Clipboard(); err != nil || got != "from the test" {
		t.Errorf("clipboard after SetClipboard = %q, %v", got, err)
	}

	// Notification recorded by the harness's server.
	tray.ClickLabel(t, "Notify")
	n := d.WaitNotification(t, func(n desktop.Notification) bool { return n.Summary == notifySummary }, wait)
	if n.AppName != "minitray" || n.Body != notifyBody || n.ID == 0 {
		t.Errorf("notification = %s", n)
	}
	app.WaitOutput(t, "notified", wait)

	// Browser: the fake xdg-open records the URL.
	tray.ClickLabel(t, "Open")
	if got := d.WaitOpenedURL(t, wait); got != openURL {
		t.Errorf("opened %q, want %q", got, openURL)
	}
	app.WaitOutput(t, "opened", wait)

	// Keyring: go-keyring in the app, secret-tool in the test.
	tray.ClickLabel(t, "Store")
	app.WaitOutput(t, "stored: "+secretValue, wait)
	if got, err := d.SecretLookup("service", secretService, "username", secretUser); err != nil || got != secretValue {
		t.Errorf("secret-tool lookup = %q, %v", got, err)
	}
	if out, err := d.SecretSearch(secretService); err != nil || !strings.Contains(out, "attribute.username = "+secretUser) ||
		!strings.Contains(out, "secret = "+secretValue) {
		t.Errorf("secret-tool search = %q, %v", out, err)
	}

	quit(t, app, tray)
	if !waitFalse(tray.Registered, wait) {
		t.Errorf("tray item still registered after the app quit")
	}
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoKeyring: true, NoServiceActivation: true, Env: []string{"A=1", "B=2"}})
	env := map[string]string{}
	for _, kv := range d.Env("B=3") {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := env[k]; dup {
			t.Errorf("duplicate %s in Env()", k)
		}
		env[k] = v
	}
	if env["A"] != "1" || env["B"] != "3" {
		t.Errorf("A=%q B=%q; want 1 and 3 (extra wins)", env["A"], env["B"])
	}
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "PATH", "HOME", "XDG_CONFIG_HOME",
		"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"} {
		if env[k] == "" {
			t.Errorf("%s missing from Env()", k)
		}
	}
	if fi, err := os.Stat(env["XDG_RUNTIME_DIR"]); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("XDG_RUNTIME_DIR mode: %v, %v", fi.Mode(), err)
	}
	for _, dir := range filepath.SplitList(env["PATH"]) {
		for _, name := range []string{"x-www-browser", "www-browser", "sensible-browser", "notify-send", "kdialog"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s is on the app's PATH (%s)", name, dir)
			}
		}
	}
	for _, name := range []string{"xdg-open", "xclip", "secret-tool"} {
		if !onPath(env["PATH"], name) {
			t.Errorf("%s not on the app's PATH %s", name, env["PATH"])
		}
	}
}

func TestNoKeyring(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoKeyring: true, NoServiceActivation: true})
	app, tray := startMinitray(t, d)
	start := time.Now()
	tray.ClickLabel(t, "Store")
	out := app.WaitOutput(t, "keyring error:", wait)
	if !strings.Contains(out, "not provided by any .service files") {
		t.Errorf("unexpected keyring error:\n%s", out)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("keyring error took %v; want quick failure, not the D-Bus timeout", el)
	}
	quit(t, app, tray)
}

func TestNoNotifications(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoNotifications: true})
	app, tray := startMinitray(t, d)
	tray.ClickLabel(t, "Notify")
	out := app.WaitOutput(t, "notify error:", wait)
	if !strings.Contains(out, "notify-send") {
		t.Errorf("notify error does not name notify-send:\n%s", out)
	}
	tray.ClickLabel(t, "Hello") // still alive and serving its menu
	app.WaitOutput(t, "hello clicked", wait)
	quit(t, app, tray)
}

func TestNoClipboardTool(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoClipboardTool: true, NoKeyring: true, NoServiceActivation: true})
	if onPath(envValue(d.Env(), "PATH"), "xclip") {
		t.Fatalf("xclip on PATH with NoClipboardTool")
	}
	app, tray := startMinitray(t, d)
	tray.ClickLabel(t, "Copy")
	out := app.WaitOutput(t, "copy error:", wait)
	if !strings.Contains(out, "No clipboard utilities available") {
		t.Errorf("unexpected copy error:\n%s", out)
	}
	quit(t, app, tray)
}

func TestNoBrowser(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoBrowser: true, NoKeyring: true, NoServiceActivation: true})
	app, tray := startMinitray(t, d)
	tray.ClickLabel(t, "Open")
	out := app.WaitOutput(t, "open error:", wait)
	if !strings.Contains(out, "executable file not found") {
		t.Errorf("unexpected open error:\n%s", out)
	}
	if urls := d.OpenedURLs(); len(urls) != 0 {
		t.Errorf("opened %q with NoBrowser", urls)
	}
	quit(t, app, tray)
}

func TestStop(t *testing.T) {
	t.Parallel()
	d := desktop.Start(t, desktop.Options{NoKeyring: true, NoServiceActivation: true}) // first: it skips with -short
	bin := desktop.Build(t, "./testdata/minitray")                                     // the exported helper, this once
	app := d.StartApp(t, bin, nil)
	tray := d.Tray(t, wait)
	tray.WaitFor(t, "Hello", func(m desktop.MenuItem) bool { return m.Find("Hello") != nil }, wait)
	app.Stop()
	if !app.Exited() {
		t.Fatalf("app still running after Stop")
	}
	if code, err := app.Wait(time.Second); err == nil {
		t.Errorf("Wait after SIGTERM = %d, nil; want a signal error", code)
	}
	if !waitFalse(tray.Registered, wait) {
		t.Errorf("tray item still registered after Stop")
	}
	if len(d.Processes()) < 3 {
		t.Errorf("Processes() = %v", d.Processes())
	}
}

func onPath(path, name string) bool {
	for _, dir := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

// waitFalse polls f until it returns false or timeout passes.
func waitFalse(f func() bool, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for f() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
