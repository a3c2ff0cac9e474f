// Package desktop starts real desktop services, hermetically and for one
// test, and drives a system-tray program the way a panel does.
//
// Start gives each test its own:
//
//   - session bus: a private dbus-daemon with its own config file (no
//     service activation with Options.NoServiceActivation);
//   - X display: Xvfb on a free display number (Options.NoDisplay to skip),
//     used by the program's clipboard (xclip);
//   - Secret Service: gnome-keyring-daemon with an unlocked "login" keyring
//     under a fresh HOME/XDG_DATA_HOME (Options.NoKeyring to skip);
//   - notification server: the harness owns org.freedesktop.Notifications and
//     records every Notify call (Options.NoNotifications to skip);
//   - panel: the harness owns org.kde.StatusNotifierWatcher before the
//     program starts and reads and clicks the registered item's dbusmenu;
//   - browser: a fake xdg-open that records the URLs it is asked to open
//     (Options.NoBrowser leaves no opener on PATH at all);
//   - PATH: only the fake opener and symlinks to the allowed host tools
//     (xclip, secret-tool, ...; Options.NoClipboardTool leaves the clipboard
//     tools out).
//
// Without a session bus at all (Options.NoSessionBus: no dbus-daemon, no
// DBUS_SESSION_BUS_ADDRESS), a test plays SSH or cron; Strays then lists any
// process of the session the harness did not start (a daemon a program
// autolaunched).
//
// The browser opener and the clipboard tools (xclip, xsel) the app runs are
// wrappers that record their own command line and environment from /proc
// while they run; Children returns them, for secret-leak checks.
//
// Races: every process started with Env() (apps, and commands a test runs
// itself with that environment) writes its race detector reports into the
// session (GORACE log_path) and exits as if there were none; at teardown the
// harness fails the test for every report.
//
// Start skips the test with -short: it starts D-Bus, Xvfb or a keyring.
//
// Everything is torn down in t.Cleanup: processes are stopped by process
// group, and any process left that carries the session's marker variable is
// killed and reaped. The package only works on Linux; elsewhere it is empty.
//
// A missing host tool makes Start skip the test, or fail it when CI=true
// (scripts/install-test-deps.sh installs them).
//
// A test looks like this:
//
//	func TestSignIn(t *testing.T) {
//		bin := desktop.Build(t, "github.com/plextray/plextray/cmd/plextray")
//		d := desktop.Start(t, desktop.Options{})
//		app := d.StartApp(t, bin, nil, "PLEXTRAY_PLEXTV_URL="+srv.URL)
//		tray := app.Tray(t, 10*time.Second)
//		tray.WaitFor(t, "Sign in item", func(m desktop.MenuItem) bool {
//			return m.Find("Sign in") != nil
//		}, 10*time.Second)
//		tray.ClickLabel(t, "Sign in")
//		url := d.WaitOpenedURL(t, 10*time.Second)
//		n := d.WaitNotification(t, func(n desktop.Notification) bool {
//			return strings.Contains(n.Summary, "Signed in")
//		}, 10*time.Second)
//		...
//		tray.ClickLabel(t, "Quit")
//		if code, err := app.Wait(10 * time.Second); err != nil || code != 0 {
//			t.Fatalf("exit %d, %v\n%s", code, err, app.Output())
//		}
//	}
//
// Waiting is always for a condition with a deadline; Wait*/WaitFor fail the
// test (t.Fatalf) on timeout, showing what was last seen, so they must be
// called from the test's goroutine.
//
// Set E2E_DESKTOP_KEEP=1 to keep the session directory (logs, recorded
// command lines) after the test; on failure the harness logs every process
// it started, with its command line, environment and the end of its output.
package desktop
