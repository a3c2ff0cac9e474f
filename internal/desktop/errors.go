// Package desktop holds thin adapters for the desktop services plextray uses
// besides the tray itself: notifications (beeep), the clipboard
// (atotto/clipboard) and the web browser (pkg/browser).
//
// Each adapter sits behind a one- or two-method interface so the rest of the
// app can be tested with fakes, and each maps the library's error to an
// *Error worded for a person, with a hint about what to do.
//
// Secrets: notification text, clipboard text and URLs may reach child
// processes (notify-send, xclip, xdg-open …). Clipboard text always goes
// through the child's stdin, never its argv or environment, so copying a token
// is safe. Notification text and URLs do go into argv on some platforms, so
// they must never contain a token.
package desktop

import (
	"errors"
	"os/exec"
	"strings"
)

// Kinds of failure a caller may want to act on, matched with errors.Is.
var (
	// ErrNoNotificationServer: nothing on the session bus (or the OS) shows
	// notifications.
	ErrNoNotificationServer = errors.New("no notification service")
	// ErrNoClipboard: no clipboard tool (xclip, xsel, wl-clipboard) is installed.
	ErrNoClipboard = errors.New("no clipboard tool")
	// ErrNoBrowser: no program to open a web browser with (xdg-open …).
	ErrNoBrowser = errors.New("no web browser opener")
)

// Error is a desktop-service failure in a person's words.
// Its message reads "Summary (Reason): Hint", leaving out empty parts.
type Error struct {
	Summary string // what did not work, e.g. "couldn't open a web browser"
	Reason  string // why, in plain words; may be empty
	Hint    string // what the person can do; may be empty
	Kind    error  // one of the Err* values above, or nil
	Err     error  // the library's own error, for logs
}

func (e *Error) Error() string {
	s := e.Summary
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// Unwrap lets errors.Is/As see both the Kind and the library's error.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// notifyError maps an error from beeep.Notify.
func notifyError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	// Linux/BSD: beeep tried D-Bus, then notify-send, then kdialog, and
	// returns one error only when all three failed, e.g.
	// "beeep: dbus: error sending notification: The name
	// org.freedesktop.Notifications was not provided by any .service files;
	// notify-send: exec: "notify-send": executable file not found in $PATH;
	// kdialog: …", or with no session bus at all "beeep: dbus: exec:
	// "dbus-launch": executable file not found in $PATH; …".
	case strings.HasPrefix(msg, "beeep: dbus:"):
		return &Error{
			Summary: "notifications are unavailable",
			Reason:  "no notification service on the session bus",
			Kind:    ErrNoNotificationServer,
			Err:     err,
		}
	// macOS: "beeep: terminal-notifier: …; osascript: …".
	case strings.HasPrefix(msg, "beeep: terminal-notifier:"):
		return &Error{
			Summary: "notifications are unavailable",
			Reason:  "neither terminal-notifier nor osascript could show one",
			Kind:    ErrNoNotificationServer,
			Err:     err,
		}
	}
	return &Error{Summary: "couldn't show a notification", Reason: msg, Err: err}
}

// clipboardHint is what a person without a clipboard tool should do.
const clipboardHint = "install xclip or wl-clipboard (Linux)"

// clipboardError maps an error from atotto/clipboard. summary says which
// operation failed; haveDisplay tells whether DISPLAY or WAYLAND_DISPLAY is set.
func clipboardError(summary string, err error, haveDisplay bool) error {
	if err == nil {
		return nil
	}
	// atotto decides at program start; with none of xclip, xsel, wl-copy
	// (or termux, clip.exe) on PATH every call returns "No clipboard
	// utilities available. Please install xsel, xclip, wl-clipboard or
	// Termux:API add-on for termux-clipboard-get/set."
	if strings.HasPrefix(err.Error(), "No clipboard utilities available") {
		return &Error{
			Summary: summary,
			Reason:  "no clipboard tool found",
			Hint:    clipboardHint,
			Kind:    ErrNoClipboard,
			Err:     err,
		}
	}
	// xclip without an X display exits 1 and atotto drops its stderr, so
	// all we get is "exit status 1".
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && !haveDisplay {
		return &Error{
			Summary: summary,
			Reason:  "no graphical session: DISPLAY and WAYLAND_DISPLAY are not set",
			Err:     err,
		}
	}
	return &Error{Summary: summary, Reason: "the clipboard tool failed: " + err.Error(), Err: err}
}

// browserError maps an error from browser.OpenURL for url.
func browserError(url string, err error) error {
	if err == nil {
		return nil
	}
	hint := "open " + url + " yourself"
	// Linux/BSD with no opener on PATH:
	// exec: "xdg-open,x-www-browser,www-browser": executable file not found in $PATH
	var execErr *exec.Error
	if errors.As(err, &execErr) && errors.Is(err, exec.ErrNotFound) {
		return &Error{
			Summary: "couldn't open a web browser",
			Reason:  "no " + orList(strings.Split(execErr.Name, ",")) + " found",
			Hint:    hint,
			Kind:    ErrNoBrowser,
			Err:     err,
		}
	}
	return &Error{Summary: "couldn't open a web browser", Reason: err.Error(), Hint: hint, Err: err}
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
