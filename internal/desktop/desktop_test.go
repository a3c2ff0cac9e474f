package desktop

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/plextray/plextray/assets"
)

// The error texts below were produced by the real libraries on Debian 12
// (a headless session with no notification server, no clipboard tool
// and no browser).
const (
	beeepNoServer = `beeep: dbus: error sending notification: The name org.freedesktop.Notifications was not provided by any .service files; ` +
		`notify-send: exec: "notify-send": executable file not found in $PATH; kdialog: exec: "kdialog": executable file not found in $PATH`
	beeepNoBus = `beeep: dbus: exec: "dbus-launch": executable file not found in $PATH; ` +
		`notify-send: exec: "notify-send": executable file not found in $PATH; kdialog: exec: "kdialog": executable file not found in $PATH`
	beeepMac         = `beeep: terminal-notifier: exec: "terminal-notifier": executable file not found in $PATH; osascript: exit status 1`
	atottoNoTool     = `No clipboard utilities available. Please install xsel, xclip, wl-clipboard or Termux:API add-on for termux-clipboard-get/set.`
	browserNoOpener  = `exec: "xdg-open,x-www-browser,www-browser": executable file not found in $PATH`
	authURL          = "https://app.plex.tv/auth#?clientID=abc&code=xyz"
	wantBrowserNoOpn = `couldn't open a web browser (no xdg-open, x-www-browser or www-browser found): open ` + authURL + ` yourself`
)

func TestNotifyErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		kind           error
	}{
		{"no server", beeepNoServer, "notifications are unavailable (no notification service on the session bus)", ErrNoNotificationServer},
		{"no bus", beeepNoBus, "notifications are unavailable (no notification service on the session bus)", ErrNoNotificationServer},
		{"macOS", beeepMac, "notifications are unavailable (neither terminal-notifier nor osascript could show one)", ErrNoNotificationServer},
		{"other", "beeep: unsupported operating system: plan9", "couldn't show a notification (beeep: unsupported operating system: plan9)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cause := errors.New(tc.in)
			err := notifyError(cause)
			if err.Error() != tc.want {
				t.Errorf("got  %q\nwant %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("errors.Is(err, %v) = false", tc.kind)
			}
			if !errors.Is(err, cause) {
				t.Error("the library's error is not wrapped")
			}
		})
	}
	if notifyError(nil) != nil {
		t.Error("notifyError(nil) != nil")
	}
}

func TestClipboardErrorMapping(t *testing.T) {
	exitErr := exitError(t)
	for _, tc := range []struct {
		name        string
		in          error
		haveDisplay bool
		want        string
		kind        error
	}{
		{"no tool", errors.New(atottoNoTool), true,
			"couldn't copy to the clipboard (no clipboard tool found): install xclip or wl-clipboard (Linux)", ErrNoClipboard},
		{"no display", exitErr, false,
			"couldn't copy to the clipboard (no graphical session: DISPLAY and WAYLAND_DISPLAY are not set)", nil},
		{"tool failed", exitErr, true,
			"couldn't copy to the clipboard (the clipboard tool failed: exit status 1)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := clipboardError("couldn't copy to the clipboard", tc.in, tc.haveDisplay)
			if err.Error() != tc.want {
				t.Errorf("got  %q\nwant %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("errors.Is(err, %v) = false", tc.kind)
			}
		})
	}
	if clipboardError("x", nil, false) != nil {
		t.Error("clipboardError(nil) != nil")
	}
}

// exitError returns a real *exec.ExitError with status 1, as atotto returns
// when xclip cannot open the display.
func exitError(t *testing.T) error {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	err = exec.Command(sh, "-c", "exit 1").Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want *exec.ExitError, got %v", err)
	}
	return err
}

func TestBrowserErrorMapping(t *testing.T) {
	// The real error value, as pkg/browser builds it on Linux.
	noOpener := &exec.Error{Name: "xdg-open,x-www-browser,www-browser", Err: exec.ErrNotFound}
	if noOpener.Error() != browserNoOpener {
		t.Fatalf("pkg/browser's error reads %q", noOpener)
	}
	err := browserError(authURL, noOpener)
	if err.Error() != wantBrowserNoOpn {
		t.Errorf("got  %q\nwant %q", err, wantBrowserNoOpn)
	}
	if !errors.Is(err, ErrNoBrowser) || !errors.Is(err, exec.ErrNotFound) {
		t.Error("want ErrNoBrowser and exec.ErrNotFound")
	}
	var de *Error
	if !errors.As(err, &de) || de.Hint != "open "+authURL+" yourself" {
		t.Errorf("hint = %q", de.Hint)
	}

	err = browserError(authURL, fmt.Errorf("exit status 4"))
	if want := "couldn't open a web browser (exit status 4): open " + authURL + " yourself"; err.Error() != want {
		t.Errorf("got %q", err)
	}
	if errors.Is(err, ErrNoBrowser) {
		t.Error("a failing opener is not a missing one")
	}
	if browserError(authURL, nil) != nil {
		t.Error("browserError(nil) != nil")
	}
}

func TestBrowserAdapter(t *testing.T) {
	var got string
	b := &systemBrowser{open: func(u string) error { got = u; return nil }}
	if err := b.Open(authURL); err != nil || got != authURL {
		t.Fatalf("Open: %v, opened %q", err, got)
	}
	b.open = func(string) error {
		return &exec.Error{Name: "xdg-open,x-www-browser,www-browser", Err: exec.ErrNotFound}
	}
	if err := b.Open(authURL); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("Open = %v, want ErrNoBrowser", err)
	}
}

func TestNotifierAdapter(t *testing.T) {
	iconFile := filepath.Join(t.TempDir(), "plextray", "icon.png")
	var icons []any
	n := &notifier{iconFile: iconFile, send: func(title, body string, icon any) error {
		icons = append(icons, icon)
		if title != "Plex" || body != "Code ABCD" {
			t.Errorf("sent %q, %q", title, body)
		}
		return errors.New(beeepNoServer)
	}}
	for range 2 {
		if err := n.Notify("Plex", "Code ABCD"); !errors.Is(err, ErrNoNotificationServer) {
			t.Errorf("Notify = %v, want ErrNoNotificationServer", err)
		}
	}
	for _, icon := range icons {
		if icon != iconFile {
			t.Fatalf("icon is %v, want the file %s", icon, iconFile)
		}
	}
	if b, err := os.ReadFile(iconFile); err != nil || string(b) != string(assets.NotifyIcon()) {
		t.Errorf("icon file %s: %v", iconFile, err)
	}

	// Nowhere to write the icon: the PNG bytes go instead.
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o600)
	n = &notifier{iconFile: filepath.Join(blocked, "icon.png"), send: func(_, _ string, icon any) error {
		if b, ok := icon.([]byte); !ok || string(b) != string(assets.NotifyIcon()) {
			t.Errorf("icon is %T, want the PNG bytes", icon)
		}
		return nil
	}}
	if err := n.Notify("a", "b"); err != nil {
		t.Fatal(err)
	}
	n = &notifier{send: func(_, _ string, icon any) error {
		if _, ok := icon.([]byte); !ok {
			t.Errorf("no icon file given: icon is %T, want the PNG bytes", icon)
		}
		return nil
	}}
	n.Notify("a", "b")
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{Summary: "a"}, "a"},
		{Error{Summary: "a", Reason: "b"}, "a (b)"},
		{Error{Summary: "a", Hint: "c"}, "a: c"},
		{Error{Summary: "a", Reason: "b", Hint: "c"}, "a (b): c"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%+v: got %q want %q", tc.e, got, tc.want)
		}
	}
	if len((&Error{}).Unwrap()) != 0 {
		t.Error("empty Error unwraps to something")
	}
}

func TestClipboardAvailable(t *testing.T) {
	// atotto decided at init from this process's PATH; both outcomes are fine,
	// but a nil must mean a tool exists and an error must carry the hint.
	err := ClipboardAvailable()
	if err != nil && (!errors.Is(err, ErrNoClipboard) || !strings.Contains(err.Error(), "install xclip or wl-clipboard (Linux)")) {
		t.Errorf("ClipboardAvailable = %v", err)
	}
}

// An opener that runs the browser in the foreground (xdg-open's generic
// fallback) does not hold Open until the browser is closed.
func TestBrowserOpenDoesNotWaitForAForegroundBrowser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := make(chan struct{})
		b := &systemBrowser{open: func(string) error { <-closed; return nil }, wait: openerWait}
		start := time.Now()
		if err := b.Open("http://127.0.0.1:1/x"); err != nil {
			t.Fatalf("Open: %v", err)
		}
		if waited := time.Since(start); waited != openerWait {
			t.Fatalf("Open returned after %s, want %s", waited, openerWait)
		}
		close(closed)
		synctest.Wait()
	})
	// A quick failure is still reported.
	b := &systemBrowser{open: func(string) error { return errors.New("exec: \"xdg-open\": executable file not found in $PATH") }, wait: openerWait}
	if err := b.Open("http://127.0.0.1:1/x"); err == nil {
		t.Fatal("a failing opener was not reported")
	}
}
