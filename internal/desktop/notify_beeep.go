//go:build !windows

package desktop

import (
	"sync"

	"github.com/gen2brain/beeep"
)

var setAppName sync.Once

// NewNotifier returns the Notifier backed by beeep. iconFile is where the
// app icon is written (once, when first needed) for notifications to show,
// e.g. <user cache dir>/plextray/icon.png; when empty or not writable the
// PNG bytes are passed instead.
//
// On Linux beeep talks to org.freedesktop.Notifications over the shared
// session-bus connection (dbus.SessionBus) and, since v0.11.3, never closes
// it; fyne.io/systray uses the same connection, so nothing here closes it
// either.
//
// Not on Windows (see notify_windows.go): there beeep shows a balloon
// through a second tray library, github.com/tadvi/systray, whenever it
// thinks the system is older than Windows 10 (Wine looks like that), which
// puts a second icon in the notification area.
func NewNotifier(iconFile string) Notifier {
	setAppName.Do(func() { beeep.AppName = AppName })
	return &notifier{send: beeep.Notify, iconFile: iconFile}
}

// NotificationsAvailable reports, without showing one, whether
// notifications can work at all. Off Windows that is known only on the
// first try, so it is always nil.
func NotificationsAvailable() error { return nil }
